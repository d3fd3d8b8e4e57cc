import DynamicConsolidation
import Foundation
import Scenario
import Testing

@testable import YunheCLI

/// One row of `DynamicBadInput/EXPECTED.tsv`.
struct ExpectedDynamicError: Sendable {
  var file: String
  /// nil when the error has no position (`-` in the table).
  var line: Int?
  var column: Int?
  var substring: String
}

enum DynamicBadInput {
  static var folder: URL {
    get throws { try #require(Bundle.module.url(forResource: "DynamicBadInput", withExtension: nil)) }
  }

  static func yamlFiles() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
  }

  /// Rows of EXPECTED.tsv: `file <TAB> line <TAB> column <TAB> substring`; `#` starts a comment.
  static func expectations() throws -> [String: ExpectedDynamicError] {
    let text = try String(contentsOf: folder.appendingPathComponent("EXPECTED.tsv"), encoding: .utf8)
    var rows: [String: ExpectedDynamicError] = [:]
    for (n, line) in text.split(separator: "\n").enumerated() where !line.hasPrefix("#") {
      let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      try #require(cells.count == 4, "EXPECTED.tsv line \(n + 1) has \(cells.count) cells, not 4")
      #expect(rows[cells[0]] == nil, "EXPECTED.tsv lists \(cells[0]) twice")
      let position = Int(cells[1])
      try #require((position == nil) == (cells[1] == "-"), "EXPECTED.tsv line \(n + 1): bad line")
      try #require((cells[1] == "-") == (cells[2] == "-"), "EXPECTED.tsv line \(n + 1): line and column")
      rows[cells[0]] = ExpectedDynamicError(
        file: cells[0], line: position, column: Int(cells[2]), substring: cells[3])
    }
    return rows
  }
}

/// The planetlab scenarios of the repository.
enum PlanetLabScenarios {
  static let folder = root.appendingPathComponent("scenarios/planetlab")
  /// The nine example scenarios (the `scale-*` files are the scale runs).
  static func files() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
      $0.hasSuffix(".yaml") && !$0.hasPrefix("scale-")
    }.sorted()
  }
  static let traces = root.deletingLastPathComponent().appendingPathComponent(
    "shared/data/traces/planetlab/20110303")
  static var hasTraces: Bool { FileManager.default.fileExists(atPath: traces.path) }
}

@Suite struct DynamicScenarioTests {
  @Test func corpusIsCompleteAndLargeEnough() throws {
    let files = Set(try DynamicBadInput.yamlFiles())
    let rows = Set(try DynamicBadInput.expectations().keys)
    #expect(files.count >= 30)
    for f in files.subtracting(rows).sorted() { Issue.record("\(f) has no row in EXPECTED.tsv") }
    for r in rows.subtracting(files).sorted() {
      Issue.record("EXPECTED.tsv lists \(r), which does not exist")
    }
  }

  @Test(arguments: try DynamicBadInput.yamlFiles())
  func badFileFailsWithAPositionedOneLineError(_ name: String) throws {
    let expected = try #require(try DynamicBadInput.expectations()[name], "\(name) has no row")
    let path = try DynamicBadInput.folder.appendingPathComponent(name).path
    do {
      let s = try DynamicScenarioLoader().load(path: path)
      Issue.record("\(name) loaded without an error: \(s)")
    } catch {
      let text = error.description
      #expect(error.file == path)
      let location = expected.line.map { "\(path):\($0):\(expected.column!): error: " } ?? "\(path): error: "
      #expect(text.hasPrefix(location), "expected \(location) … in: \(text)")
      #expect(text.contains(expected.substring), "expected “\(expected.substring)” in: \(text)")
      #expect(!text.contains { $0.isNewline }, "not one line: \(text)")
      #expect(error.message.count < 600, "\(text)")
    }
  }

  @Test func everyBadFileMakesTheCommandExitWithTwo() throws {
    for name in try DynamicBadInput.yamlFiles() {
      let path = try DynamicBadInput.folder.appendingPathComponent(name).path
      #expect(YunheMain.run(["dynamic", "validate", path]) == 2, "\(name)")
      #expect(YunheMain.run(["dynamic", "run", path]) == 2, "\(name)")
    }
  }

  /// The nine scenario files keep loading, each to its example policy on 20110303.
  @Test func planetLabScenariosLoad() throws {
    let files = try PlanetLabScenarios.files()
    #expect(files.count == 9)
    let loader = DynamicScenarioLoader(checkTraces: PlanetLabScenarios.hasTraces)
    for f in files {
      let path = PlanetLabScenarios.folder.appendingPathComponent(f).path
      let s = try loader.load(path: path)
      let stem = String(f.dropLast(5))
      #expect(s.name == stem)
      #expect(s.policy == DynamicPolicy.named(stem))
      #expect(s.policy.name == stem)
      #expect(s.hosts == 800 && s.vms == nil && s.hours == 24 && s.compat && s.seed == 1)
      #expect(
        URL(fileURLWithPath: s.traces).resolvingSymlinksInPath().path
          == PlanetLabScenarios.traces.resolvingSymlinksInPath().path)
    }
    let paths = files.map { PlanetLabScenarios.folder.appendingPathComponent($0).path }
    #expect(YunheMain.run(["dynamic", "validate", "--no-trace-check"] + paths) == 0)
  }

  @Test func everyFieldAndItsDefault() throws {
    let loader = DynamicScenarioLoader(checkTraces: false)
    let full = try loader.parse(
      """
      name: small
      description: first 30 VMs, 2 h, default mode
      traces: /data/planetlab/20110303
      policy: lrr:1.3-mu
      hosts: 30
      vms: 30
      hours: 2.5
      compat: none
      seed: 42
      """, file: "/x/y/full.yaml")
    #expect(
      full
        == DynamicScenario(
          file: "/x/y/full.yaml", name: "small", description: "first 30 VMs, 2 h, default mode",
          traces: "/data/planetlab/20110303",
          policy: DynamicPolicy(name: "lrr:1.3-mu", kind: .migration(.lrr(safety: 1.3, fallback: 0.7), .mu)),
          hosts: 30, vms: 30, hours: 2.5, compat: false, seed: 42))
    let minimal = try loader.parse("traces: ../t\npolicy: npa\n", file: "/x/y/LrMc.yaml")
    #expect(minimal.name == "LrMc")
    #expect(minimal.traces == "/x/t")
    #expect(minimal.policy.name == "NonPowerAware")
    #expect(
      minimal.hosts == 800 && minimal.vms == nil && minimal.hours == 24 && minimal.compat && minimal.seed == 1
    )
    #expect(try loader.parse("traces: t\npolicy: ThrMmt\ncompat: default\n", file: "a.yaml").compat == false)
    #expect(try loader.parse("traces: t\npolicy: ThrMmt\ncompat: cloudsim-3.0.3\n", file: "a.yaml").compat)
    let configuration = full.configuration(vmCount: 30)
    #expect(configuration.hostTypeOfHost.count == 30)
    #expect(configuration.limitSeconds == 9000 && !configuration.compat && configuration.seed == 42)
  }

  @Test func policyNamesRejectNonFiniteParameters() {
    #expect(DynamicPolicy.named("thr:0.9-mu") != nil)
    #expect(DynamicPolicy.named("thr:0-mu") != nil)
    for bad in ["thr:nan-mu", "thr:inf-mu", "lr:1e400-mmt", "thr:-1-mu", "thr:1:2-mu", "thr:-mu", "thr:x-mu"]
    {
      #expect(DynamicPolicy.named(bad) == nil, "\(bad)")
    }
  }

  @Test func commandLineOverridesAreChecked() throws {
    let scenario = PlanetLabScenarios.folder.appendingPathComponent("ThrMmt.yaml").path
    #expect(YunheMain.run(["dynamic", "run", scenario, "--compat", "cloudsim-3.0.2"]) == 2)
    #expect(YunheMain.run(["dynamic", "run", scenario, "--policy", "thr:nan-mu"]) == 2)
    #expect(YunheMain.run(["dynamic", "study", "/nonexistent", "--hours", "nan"]) == 2)
    #expect(YunheMain.run(["dynamic", "study", "/nonexistent", "--compat", "fast"]) == 2)
  }

  /// A scenario runs exactly the configuration it describes (the first VMs of 20110303).
  @Test(.enabled(if: PlanetLabScenarios.hasTraces)) func scenarioRunsItsConfiguration() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("small.yaml")
    try """
    traces: \(PlanetLabScenarios.traces.path)
    policy: LrrMmt
    hosts: 40
    vms: 40
    hours: 3
    compat: none
    seed: 5
    """.write(to: file, atomically: true, encoding: .utf8)
    let s = try DynamicScenarioLoader().load(path: file.path)
    let viaScenario = try s.run()
    let workload = try DynamicWorkload.planetLab(folder: PlanetLabScenarios.traces).prefix(40)
    var config = DynamicConfiguration.cloudSimPlanetLab(vms: 40, hosts: 40)
    config.limitSeconds = 3 * 3600
    config.compat = false
    config.seed = 5
    let direct = DynamicSimulation.run(
      policy: DynamicPolicy.named("LrrMmt")!, workload: workload, configuration: config)
    #expect(viaScenario.json == direct.json)
    #expect(YunheMain.run(["dynamic", "validate", file.path]) == 0)
  }
}
