import ArgumentParser
import DynamicConsolidation
import Foundation
import Reports
import Scenario

/// `yunhe dynamic`: CloudSim-style dynamic VM consolidation on PlanetLab days.
public struct DynamicCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "dynamic",
    abstract: "Dynamic VM consolidation and energy (CloudSim 3.0.3 PlanetLab experiments).",
    subcommands: [DynamicRunCommand.self, DynamicValidateCommand.self, DynamicStudyCommand.self])

  public init() {}
}

/// Reads a PlanetLab date folder, as a command-line error when it cannot.
func planetLabWorkload(_ folder: String) throws -> DynamicWorkload {
  do {
    return try DynamicWorkload.planetLab(folder: URL(fileURLWithPath: folder))
  } catch {
    throw CLIError(message: "\(error)")
  }
}

/// Refuses a run longer than its workload: past the last sample every VM would keep its last
/// value for the rest of the run, a workload nobody asked for. `location` names the setting.
func checkDuration(hours: Double, of workload: DynamicWorkload, at location: String) throws {
  let samples = Swift.max(0, workload.samplesPerVM - 1)
  let covered = Double(samples) * workload.intervalSeconds
  guard hours * 3600 > covered else { return }
  throw CLIError(
    message:
      "\(location): \(formatNumber(hours)) h is longer than the workload, \(formatNumber(covered / 3600)) h"
      + " (\(samples) samples at \(formatNumber(workload.intervalSeconds)) s per VM); past its last sample"
      + " every VM would keep its last value")
}

/// `--compat` values: the faithful CloudSim mode or the fixed default mode.
func compatMode(_ text: String) throws -> Bool {
  switch text {
  case "cloudsim-3.0.3": return true
  case "default", "none": return false
  default: throw CLIError(message: "--compat must be 'cloudsim-3.0.3' or 'default', got '\(text)'")
  }
}

extension DynamicScenario {
  /// The scenario's workload: its synthetic source or its trace folders in order (the first
  /// `vms` VMs when set).
  func workload() throws -> DynamicWorkload {
    if let spec = synthetic { return spec.generate(vms: vms) }
    var workload: DynamicWorkload
    do {
      workload = try DynamicWorkload.planetLab(folders: traceFolders.map { URL(fileURLWithPath: $0) })
    } catch {
      throw CLIError(message: "\(error)")
    }
    if let n = vms, n < workload.count { workload = workload.prefix(n) }
    return workload
  }

  /// A one-line description of the workload source.
  var workloadDescription: String {
    if let s = synthetic {
      return "synthetic \(s.vms) VMs × \(s.days) days (seed \(s.seed))"
    }
    return traceFolders.count == 1
      ? "traces \(traces)" : "\(traceFolders.count) trace folders"
  }

  /// Runs the scenario: its workload under its policy.
  func run() throws -> DynamicResult {
    let workload = try workload()
    try checkDuration(hours: hours, of: workload, at: "\(file): `hours`")
    return DynamicSimulation.run(
      policy: policy, workload: workload, configuration: configuration(vmCount: workload.count))
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

  @Option(help: "Override the scenario's mode: 'cloudsim-3.0.3' (faithful) or 'default' (bugs fixed).")
  var compat: String?

  @Option(help: "Only the first n VMs (a synthetic workload's first n VMs are its n-VM workload).")
  var vms: Int?

  @Option(help: "Override the number of hosts (alternating G4/G5).")
  var hosts: Int?

  @Flag(help: "Print summary.json to stdout.")
  var json = false

  func run() throws {
    var s = try DynamicScenarioLoader().load(path: scenario)
    if let p = policy {
      guard let x = DynamicPolicy.named(p) else { throw CLIError(message: "unknown policy '\(p)'") }
      s.policy = x
    }
    if let x = seed { s.seed = x }
    if let c = compat { s.compat = try compatMode(c) }
    if let n = vms {
      guard n >= 1 else { throw CLIError(message: "--vms must be at least 1, got \(n)") }
      s.vms = n
    }
    if let n = hosts {
      guard (1...10_000_000).contains(n) else {
        throw CLIError(message: "--hosts must be between 1 and 10000000, got \(n)")
      }
      s.hosts = n
    }
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

/// `yunhe dynamic validate`: reads scenarios without running them.
struct DynamicValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate", abstract: "Check dynamic-consolidation scenario files without running them.")

  @Argument(help: "Scenario files.")
  var scenarios: [String]

  @Flag(help: "Do not require the trace folders to exist.")
  var noTraceCheck = false

  func run() throws {
    let loader = DynamicScenarioLoader(checkTraces: !noTraceCheck)
    for path in scenarios {
      let s = try loader.load(path: path)
      print(
        "\(path): ok: \(s.name), \(s.workloadDescription), policy \(s.policy.name), \(s.hosts) hosts, "
          + "\(s.vms.map { "first \($0) VMs, " } ?? "")\(s.hours) h, "
          + "\(s.compat ? "compat cloudsim-3.0.3" : "default mode"), seed \(s.seed)")
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
    let faithful = try compatMode(compat)
    guard hours.isFinite && hours > 0 else {
      throw CLIError(message: "--hours must be a finite number greater than 0, got \(hours)")
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
      let workload = try planetLabWorkload(date)
      try checkDuration(hours: hours, of: workload, at: "--hours on \(date)")
      var config = DynamicConfiguration.cloudSimPlanetLab(vms: workload.count)
      config.limitSeconds = hours * 3600
      config.seed = seed
      config.compat = faithful
      print("\n## \(URL(fileURLWithPath: date).lastPathComponent) (\(workload.count) VMs, 800 hosts)\n")
      print(DynamicResult.tableHeader)
      for p in chosen {
        print(DynamicSimulation.run(policy: p, workload: workload, configuration: config).tableRow)
      }
    }
  }
}
