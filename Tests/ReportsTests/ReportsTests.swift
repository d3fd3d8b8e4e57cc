import Foundation
import Scenario
import Simulation
import Testing

@testable import Reports

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()
let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
  "Golden")

func minimalRun() throws -> (Scenario, SimulationResult) {
  let scenario = try ScenarioLoader(knownSchedulers: [
    "first-fit", "best-fit", "worst-fit", "first-fit-decreasing",
  ])
  .load(path: repositoryRoot.appendingPathComponent("scenarios/minimal.yaml").path, overrides: ["horizon=2d"])
  // A relative path in the scenario field would differ by checkout; golden files use the name.
  var s = scenario
  s.file = "scenarios/minimal.yaml"
  return (s, try ConsolidationSimulation.run(s))
}

/// Golden-file tests: the report files of the minimal scenario must match byte for byte.
/// Regenerate with `YUNHE_UPDATE_GOLDEN=1 swift test --filter ReportsTests` after a deliberate change.
@Suite struct GoldenReportTests {
  @Test(arguments: ["summary.json", "placements.csv", "timeseries.csv", "report.md"])
  func matchesGolden(file: String) throws {
    let (scenario, result) = try minimalRun()
    let manifest = RunManifest(
      scenarioPath: "scenarios/minimal.yaml", scenarioSHA256: "", overrides: [], wallSeconds: 0,
      startedAt: "", commandLine: [])
    let text = ReportWriter.files(result, scenario: scenario, manifest: manifest).first { $0.0 == file }!.1
    let golden = goldenFolder.appendingPathComponent(file)
    if ProcessInfo.processInfo.environment["YUNHE_UPDATE_GOLDEN"] == "1" {
      try Data(text.utf8).write(to: golden, options: .atomic)
    }
    let expected = try String(contentsOf: golden, encoding: .utf8)
    #expect(text == expected, "\(file) differs from Tests/ReportsTests/Golden/\(file)")
  }

  @Test func summaryHasTheDocumentedKeys() throws {
    let (_, result) = try minimalRun()
    let data = Data(ReportContent.summary(result).rendered().utf8)
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    for path in [
      "scenario", "seed", "scheduler", "before.systems", "before.servers", "before.cabinets", "after.systems",
      "after.vms", "after.hosts", "after.cabinets", "utilization.cpu_mean", "utilization.cpu_p95",
      "utilization.mem_mean", "overload.host_intervals", "energy.before_kwh", "energy.after_kwh",
      "cost.before_cny_per_month", "cost.after_cny_per_month",
    ] {
      var node: Any? = json
      for key in path.split(separator: ".") { node = (node as? [String: Any])?[String(key)] }
      #expect(node != nil, "summary.json lacks \(path)")
    }
  }
}

@Suite struct FormatTests {
  @Test func jsonEscapesAndOrders() {
    let v = JSONValue.object([
      ("b", .string("a\"b\\c\n\u{1}")), ("a", .array([.integer(1), .number(0.5), .null])),
    ])
    #expect(
      v.rendered()
        == "{\n  \"b\": \"a\\\"b\\\\c\\n\\u0001\",\n  \"a\": [\n    1,\n    0.5,\n    null\n  ]\n}\n")
  }

  @Test func numbersHaveOneForm() {
    #expect(formatNumber(2) == "2")
    #expect(formatNumber(0.1 + 0.2) == "0.3")
    #expect(formatNumber(-1.25) == "-1.25")
    #expect(formatNumber(.nan) == "0")
    #expect(formatNumber(1.0000004) == "1")
  }

  @Test func csvQuotesWhenNeeded() {
    #expect(ReportContent.csv("plain") == "plain")
    #expect(ReportContent.csv("a,b") == "\"a,b\"")
    #expect(ReportContent.csv("say \"hi\"") == "\"say \"\"hi\"\"\"")
  }

  @Test func markdownCellsAreEscaped() {
    #expect(ReportContent.cell("<script>|x") == "&lt;script&gt;\\|x")
  }

  @Test func sha256KnownVectors() {
    #expect(sha256Hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(
      sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    let long = Array(repeating: UInt8(ascii: "a"), count: 1000)
    #expect(sha256Hex(long) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
  }
}

@Suite struct AtomicWriteTests {
  func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("yunhe-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  @Test func replacesAWholeFolder() throws {
    let root = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    let dir = root.appendingPathComponent("run")
    try ReportWriter.write([("a.txt", "one"), ("b.txt", "two")], to: dir)
    try ReportWriter.write([("a.txt", "three")], to: dir)
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    #expect(names == ["a.txt"])
    #expect(try String(contentsOf: dir.appendingPathComponent("a.txt"), encoding: .utf8) == "three")
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.path).filter {
      $0.hasPrefix(".")
    }
    #expect(leftovers.isEmpty)
  }

  @Test func failureLeavesNothingBehind() throws {
    let root = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    let blocker = root.appendingPathComponent("blocker")
    try Data("x".utf8).write(to: blocker)
    #expect(throws: ReportError.self) {
      try ReportWriter.write([("a.txt", "one")], to: blocker.appendingPathComponent("run"))
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["blocker"])
  }
}
