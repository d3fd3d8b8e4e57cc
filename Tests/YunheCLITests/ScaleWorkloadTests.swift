import DynamicConsolidation
import Foundation
import Scenario
import Testing

@testable import YunheCLI

/// The workload sources of the scale runs: the seeded synthetic generator and scenarios naming
/// several trace folders.
@Suite struct ScaleWorkloadTests {
  @Test func syntheticIsDeterministicAndInRange() {
    let spec = SyntheticWorkload(vms: 60, days: 2, seed: 1)
    let a = spec.generate()
    let b = spec.generate()
    #expect(a.count == 60 && a.samplesPerVM == 577 && a.samples.count == 60 * 577)
    #expect(a.intervalSeconds == 300)
    #expect(a.names == b.names && a.samples == b.samples)
    #expect(a.names.first == "synthetic-0" && a.names.last == "synthetic-59")
    for x in a.samples {
      #expect(x >= 0.01 && x <= 1)
      #expect((x * 100).rounded() == x * 100 || abs((x * 100).rounded() / 100 - x) < 1e-15)
    }
    for i in 0..<a.count {
      #expect(a.samples[i * 577 + 576] == a.samples[i * 577 + 575], "padding copy of VM \(i)")
    }
    // Other seed, other samples; the VM rows differ from one another.
    let other = SyntheticWorkload(vms: 60, days: 2, seed: 2).generate()
    #expect(other.samples != a.samples)
    #expect(a.samples[0..<577] != a.samples[577..<1154])
    // A VM's row depends only on the seed and its index: the first n VMs of a larger workload.
    let larger = SyntheticWorkload(vms: 1000, days: 2, seed: 1).generate()
    #expect(Array(larger.samples.prefix(60 * 577)) == a.samples)
    #expect(SyntheticWorkload(vms: 1000, days: 2, seed: 1).generate(vms: 60).samples == a.samples)
    // PlanetLab-like: mean utilisation of a few per cent to tens of per cent, some variation.
    let mean = larger.samples.reduce(0, +) / Double(larger.samples.count)
    #expect(mean > 0.08 && mean < 0.2, "mean \(mean)")
    #expect(Set(larger.samples).count > 90)
  }

  @Test func syntheticScenarioLoadsAndValidates() throws {
    let loader = DynamicScenarioLoader(checkTraces: true)
    let s = try loader.parse(
      "synthetic: {vms: 300, days: 1.5, seed: 9}\npolicy: LrMmt\nhosts: 30\n", file: "/x/s.yaml")
    #expect(s.synthetic == SyntheticWorkload(vms: 300, days: 1.5, seed: 9))
    #expect(s.traceFolders.isEmpty && s.traces == "")
    #expect(s.hours == 36)
    let w = try s.workload()
    #expect(w.count == 300 && w.samplesPerVM == 433)
    #expect(w.samples == SyntheticWorkload(vms: 300, days: 1.5, seed: 9).generate().samples)
    let short = try loader.parse(
      "synthetic:\n  vms: 300\n  days: 7\npolicy: LrMmt\nvms: 20\nhours: 2\n", file: "/x/s.yaml")
    #expect(short.synthetic?.seed == 1 && short.hours == 2)
    #expect(try short.workload().count == 20)
    let result = try short.run()
    #expect(result.vms == 20)
  }

  func folder(_ parent: URL, _ name: String, files: [String: Int]) throws -> URL {
    let url = parent.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    for (file, level) in files {
      try ((0..<288).map { String(($0 + level) % 100) }.joined(separator: "\n") + "\n").write(
        to: url.appendingPathComponent(file), atomically: true, encoding: .utf8)
    }
    return url
  }

  /// Two small folders: the union, folders in the listed order, files in name order within each.
  @Test func multiFolderTracesLoadTheUnionInOrder() throws {
    let parent = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: parent) }
    let a = try folder(parent, "dayA", files: ["b": 2, "a": 1, "c": 3])
    let b = try folder(parent, "dayB", files: ["a": 11, "z": 12])
    let file = parent.appendingPathComponent("two.yaml")
    try "traces:\n  - dayB\n  - \(a.path)\npolicy: ThrMmt\nhosts: 4\nhours: 1\n".write(
      to: file, atomically: true, encoding: .utf8)
    let s = try DynamicScenarioLoader().load(path: file.path)
    #expect(s.traceFolders == [b.standardizedFileURL.path, a.standardizedFileURL.path])
    let w = try s.workload()
    #expect(w.names == ["dayB/a", "dayB/z", "dayA/a", "dayA/b", "dayA/c"])
    #expect(w.samplesPerVM == 289)
    #expect(w.samples.count == 5 * 289)
    let single = [
      try DynamicWorkload.planetLab(folder: b), try DynamicWorkload.planetLab(folder: a),
    ]
    #expect(w.samples == single[0].samples + single[1].samples)
    #expect(w.samples[2 * 289] == 0.01 && w.samples[2 * 289 + 1] == 0.02)
    // `vms` takes the first VMs of the union.
    var firstThree = s
    firstThree.vms = 3
    #expect(try firstThree.workload().names == ["dayB/a", "dayB/z", "dayA/a"])
    #expect(YunheMain.run(["dynamic", "validate", file.path]) == 0)
    #expect(YunheMain.run(["dynamic", "run", file.path]) == 0)
  }

  /// A run longer than its workload is refused (the engine would hold every VM's last sample):
  /// 25 h on a PlanetLab-length folder, 2 days on a synthetic day; 24 h on the day runs.
  @Test func hoursBeyondTheWorkloadAreRefused() throws {
    let parent = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: parent) }
    _ = try folder(parent, "day", files: ["a": 1, "b": 2])
    let file = parent.appendingPathComponent("long.yaml")
    try "traces: day\npolicy: ThrMmt\nhosts: 4\nhours: 25\n".write(
      to: file, atomically: true, encoding: .utf8)
    let s = try DynamicScenarioLoader().load(path: file.path)
    #expect {
      try s.run()
    } throws: { error in
      let text = "\(error)"
      return text.contains(file.path + ": `hours`: 25 h is longer than the workload, 24 h")
        && text.contains("288 samples at 300 s per VM")
    }
    #expect(YunheMain.run(["dynamic", "run", file.path]) != 0)
    var day = s
    day.hours = 24
    #expect(try day.run().vms == 2)
    let synthetic = try DynamicScenarioLoader().parse(
      "synthetic: {vms: 10, days: 1}\npolicy: LrMmt\nhosts: 4\nhours: 48\n", file: "/x/s.yaml")
    #expect {
      try synthetic.run()
    } throws: { error in "\(error)".contains("/x/s.yaml: `hours`: 48 h is longer than the workload, 24 h") }
  }

  static let planetLab = root.deletingLastPathComponent().appendingPathComponent(
    "shared/data/traces/planetlab")
  static let twoDates = ["20110306", "20110420"].map { planetLab.appendingPathComponent($0) }
  static var hasTwoDates: Bool { twoDates.allSatisfy { FileManager.default.fileExists(atPath: $0.path) } }

  /// Two shared PlanetLab dates, when present: the union has both days' traces in list order.
  @Test(.enabled(if: hasTwoDates)) func twoSharedDatesLoadTheUnion() throws {
    let parent = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: parent) }
    let file = parent.appendingPathComponent("two-dates.yaml")
    try "traces: [\(Self.twoDates[0].path), \(Self.twoDates[1].path)]\npolicy: ThrMmt\nhosts: 1600\n".write(
      to: file, atomically: true, encoding: .utf8)
    let w = try DynamicScenarioLoader().load(path: file.path).workload()
    let first = try DynamicWorkload.planetLab(folder: Self.twoDates[0])
    let second = try DynamicWorkload.planetLab(folder: Self.twoDates[1])
    #expect(w.count == first.count + second.count)
    #expect(w.names == first.names.map { "20110306/\($0)" } + second.names.map { "20110420/\($0)" })
    #expect(w.samples == first.samples + second.samples)
  }

  /// The scale scenarios load: ten dates on 8 000 hosts, and the 1k/10k/100k synthetic runs.
  @Test func scaleScenariosLoad() throws {
    let loader = DynamicScenarioLoader(checkTraces: PlanetLabScenarios.hasTraces)
    let x10 = try loader.load(path: PlanetLabScenarios.folder.appendingPathComponent("scale-x10.yaml").path)
    #expect(x10.traceFolders.count == 10 && x10.hosts == 8000 && x10.hours == 24 && x10.synthetic == nil)
    #expect(
      x10.traceFolders.map { URL(fileURLWithPath: $0).lastPathComponent }.sorted()
        == x10.traceFolders.map {
          URL(fileURLWithPath: $0).lastPathComponent
        })
    for (tag, vms) in [("1k", 1000), ("10k", 10_000), ("100k", 100_000)] {
      let s = try loader.load(
        path: PlanetLabScenarios.folder.appendingPathComponent("scale-synthetic-\(tag).yaml").path)
      #expect(s.synthetic == SyntheticWorkload(vms: vms, days: 7, seed: 1))
      #expect(s.hosts == vms / 10 && s.hours == 168 && s.policy.name == "LrMmt")
    }
  }
}
