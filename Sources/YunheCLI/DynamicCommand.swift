import ArgumentParser
import DynamicConsolidation
import Foundation

/// `yunhe dynamic`: CloudSim-style dynamic VM consolidation on PlanetLab days.
public struct DynamicCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "dynamic",
    abstract: "Dynamic VM consolidation and energy (CloudSim 3.0.3 PlanetLab experiments).",
    subcommands: [DynamicRunCommand.self, DynamicStudyCommand.self])

  public init() {}
}

/// A dynamic-consolidation scenario: a small `key: value` YAML file.
struct DynamicScenario {
  var traces: String
  var policy: String
  var hosts = 800
  var vms: Int? = nil
  var hours = 24.0
  var compat = true
  var seed: UInt64 = 1

  init(traces: String, policy: String) {
    self.traces = traces
    self.policy = policy
  }

  /// Reads `key: value` lines; `traces` is relative to the scenario file.
  init(path: String) throws {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw CLIError(message: "\(path): cannot read the scenario")
    }
    var values: [String: (String, Int)] = [:]
    for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line =
        raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
      if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
      guard let colon = line.firstIndex(of: ":") else {
        throw CLIError(message: "\(path):\(n + 1):1: expected 'key: value'")
      }
      let key = line[..<colon].trimmingCharacters(in: .whitespaces)
      let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        .trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
      values[key] = (value, n + 1)
    }
    let known: Set = ["name", "traces", "policy", "hosts", "vms", "hours", "compat", "seed", "description"]
    for (key, (_, line)) in values where !known.contains(key) {
      throw CLIError(message: "\(path):\(line):1: unknown field '\(key)'")
    }
    guard let traces = values["traces"]?.0 else { throw CLIError(message: "\(path): missing field 'traces'") }
    guard let policy = values["policy"]?.0 else { throw CLIError(message: "\(path): missing field 'policy'") }
    let base = URL(fileURLWithPath: path).deletingLastPathComponent()
    self.traces =
      traces.hasPrefix("/") ? traces : base.appendingPathComponent(traces).standardizedFileURL.path
    self.policy = policy
    func number<T: LosslessStringConvertible>(_ key: String) throws -> T? {
      guard let (v, line) = values[key] else { return nil }
      guard let x = T(v) else {
        throw CLIError(message: "\(path):\(line):1: '\(key)' must be a number, got '\(v)'")
      }
      return x
    }
    if let h: Int = try number("hosts") { hosts = h }
    vms = try number("vms")
    if let h: Double = try number("hours") { hours = h }
    if let s: UInt64 = try number("seed") { seed = s }
    if let (c, line) = values["compat"] {
      switch c {
      case "cloudsim-3.0.3": compat = true
      case "none", "false", "default": compat = false
      default:
        throw CLIError(message: "\(path):\(line):1: compat must be 'cloudsim-3.0.3' or 'none', got '\(c)'")
      }
    }
  }

  func run() throws -> DynamicResult {
    guard let policy = DynamicPolicy.named(policy) else {
      throw CLIError(message: "unknown policy '\(self.policy)'")
    }
    var workload: DynamicWorkload
    do {
      workload = try DynamicWorkload.planetLab(folder: URL(fileURLWithPath: traces))
    } catch {
      throw CLIError(message: "\(error)")
    }
    if let n = vms { workload = workload.prefix(n) }
    var config = DynamicConfiguration.cloudSimPlanetLab(vms: workload.count, hosts: hosts)
    config.limitSeconds = hours * 3600
    config.compat = compat
    config.seed = seed
    return DynamicSimulation.run(policy: policy, workload: workload, configuration: config)
  }
}

/// `yunhe dynamic run`: one scenario (or one policy on one trace folder).
struct DynamicRunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Run one dynamic-consolidation scenario and print its figures.")

  @Argument(help: "Scenario file (scenarios/planetlab/*.yaml).")
  var scenario: String

  @Option(help: "Override the scenario's policy (ThrMmt, LrMc, thr:0.9-mu, …).")
  var policy: String?

  @Option(help: "Run seed.")
  var seed: UInt64?

  @Flag(help: "Print summary.json to stdout.")
  var json = false

  func run() throws {
    var s = try DynamicScenario(path: scenario)
    if let p = policy { s.policy = p }
    if let x = seed { s.seed = x }
    let start = Date()
    let r = try s.run()
    if json {
      print(r.json, terminator: "")
    } else {
      print(DynamicResult.tableHeader)
      print(r.tableRow)
      eprint(String(format: "wall %.3f s", Date().timeIntervalSince(start)))
    }
  }
}

/// `yunhe dynamic study`: every CloudSim example policy on one or more PlanetLab dates.
struct DynamicStudyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "study", abstract: "Run the 9 example policies on PlanetLab date folders and print a table.")

  @Argument(help: "Date folders (…/planetlab/20110303) or a planetlab folder holding dates.")
  var folders: [String]

  @Option(help: "Comma-separated policies (default: the 9 CloudSim examples).")
  var policies: String?

  @Option(help: "Run seed.")
  var seed: UInt64 = 1

  @Option(help: "Simulated hours.")
  var hours: Double = 24

  @Option(help: "Model mode: 'cloudsim-3.0.3' (faithful, quirks included) or 'default' (bugs fixed).")
  var compat: String = "cloudsim-3.0.3"

  func run() throws {
    guard compat == "cloudsim-3.0.3" || compat == "default" else {
      throw CLIError(message: "--compat must be 'cloudsim-3.0.3' or 'default', got '\(compat)'")
    }
    var dates: [String] = []
    let fm = FileManager.default
    for f in folders {
      let entries = ((try? fm.contentsOfDirectory(atPath: f)) ?? []).sorted()
      let sub = entries.filter { e in
        var dir: ObjCBool = false
        return e.count == 8 && e.allSatisfy(\.isNumber)
          && fm.fileExists(atPath: f + "/" + e, isDirectory: &dir) && dir.boolValue
      }
      if sub.isEmpty { dates.append(f) } else { dates += sub.map { f + "/" + $0 } }
    }
    let chosen: [DynamicPolicy]
    if let p = policies {
      chosen = try p.split(separator: ",").map { name in
        guard let x = DynamicPolicy.named(String(name)) else {
          throw CLIError(message: "unknown policy '\(name)'")
        }
        return x
      }
    } else {
      chosen = DynamicPolicy.cloudSimExamples
    }
    for date in dates {
      let workload: DynamicWorkload
      do { workload = try DynamicWorkload.planetLab(folder: URL(fileURLWithPath: date)) } catch {
        throw CLIError(message: "\(error)")
      }
      var config = DynamicConfiguration.cloudSimPlanetLab(vms: workload.count)
      config.limitSeconds = hours * 3600
      config.seed = seed
      config.compat = compat == "cloudsim-3.0.3"
      print("\n## \(URL(fileURLWithPath: date).lastPathComponent) (\(workload.count) VMs, 800 hosts)\n")
      print(DynamicResult.tableHeader)
      for p in chosen {
        print(DynamicSimulation.run(policy: p, workload: workload, configuration: config).tableRow)
      }
    }
  }
}
