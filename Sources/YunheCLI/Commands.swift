import ArgumentParser
import Foundation
import Placement
import Reports
import Scenario
import Simulation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// `yunhe run`: simulate a scenario and write its report folder.
struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Run a scenario and write reports/<scenario>/<run-id>/.")

  @Argument(help: "Scenario YAML file.") var scenario: String
  @Option(help: "Run seed (default: the scenario's `seed`).") var seed: UInt64?
  @Option(help: "Placement policy for every pool (see `yunhe schedulers`).") var scheduler: String?
  @Option(name: .customLong("set"), help: "Override a scenario field: path.to.field=value (repeatable).")
  var overrides: [String] = []
  @Option(help: "Folder under which reports/<scenario>/<run-id>/ is written.") var out: String = "reports"
  @Option(help: "Name of the run folder (default: UTC time and seed).") var runId: String?
  @Flag(help: "Print summary.json on stdout instead of the text summary.") var json = false
  @Flag(help: "Print nothing but errors.") var quiet = false

  func run() throws {
    let started = Date()
    if let scheduler, registry.policy(named: scheduler) == nil {
      let hint = registry.suggestion(for: scheduler).map { " (did you mean `\($0)`?)" } ?? ""
      throw CLIError(
        message: "unknown scheduler `\(scheduler)`\(hint); known: \(registry.names.joined(separator: ", "))")
    }
    if let runId, runId.isEmpty || runId.contains("/") || runId.hasPrefix(".") {
      throw CLIError(message: "--run-id must be a plain folder name, got `\(runId)`")
    }
    let spec = try loader().load(path: scenario, overrides: overrides)
    if !quiet && !json {
      for w in spec.warnings { eprint(w.formatted(severity: "warning")) }
    }
    let progress = ProgressPrinter(enabled: !quiet && isatty(2) != 0)
    let result = try ConsolidationSimulation.run(
      spec, options: SimulationOptions(seed: seed, scheduler: scheduler, registry: registry)
    ) { progress.update($0) }
    progress.finish()

    let bytes = (try? Data(contentsOf: URL(fileURLWithPath: scenario))) ?? Data()
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    let stamp = formatter.string(from: started)
    let id = runId ?? defaultRunId(started, seed: result.seed)
    let manifest = RunManifest(
      scenarioPath: scenario, scenarioSHA256: sha256Hex(bytes), overrides: overrides,
      wallSeconds: Date().timeIntervalSince(started), startedAt: stamp, commandLine: CommandLine.arguments)
    let directory = URL(fileURLWithPath: out).appendingPathComponent(spec.name).appendingPathComponent(id)
    let files = ReportWriter.files(result, scenario: spec, manifest: manifest)
    try ReportWriter.write(files, to: directory)

    if json {
      print(files[0].1, terminator: "")
    } else if !quiet {
      print(textSummary(result, directory: directory.path))
    }
  }

  func defaultRunId(_ date: Date, seed: UInt64) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
    return "\(f.string(from: date))-s\(seed)"
  }

  func textSummary(_ r: SimulationResult, directory: String) -> String {
    func n(_ x: Double, _ d: Int = 0) -> String { String(format: "%.\(d)f", x) }
    var s = "Yunhe \(yunheVersion) · scenario \(r.scenario) · seed \(r.seed) · scheduler \(r.scheduler)\n"
    s += "                      before        after\n"
    s += "systems         \(pad(r.before.systems))  \(pad(r.after.systems))\n"
    s += "servers / hosts \(pad(r.before.servers))  \(pad(r.after.hosts)) (pool hosts, \(r.after.vms) VMs)\n"
    s += "cabinets        \(pad(r.before.cabinets))  \(pad(r.after.cabinets))\n"
    s += "energy (kWh)    \(pad(n(r.before.energyKWh)))  \(pad(n(r.after.energyKWh)))\n"
    s += "cost (CNY/mo)   \(pad(n(r.before.cost.total)))  \(pad(n(r.after.cost.total)))\n"
    s += "pool CPU mean \(n(r.utilisation.cpuMean * 100, 1)) %, p95 \(n(r.utilisation.cpuP95 * 100, 1)) %, "
    s +=
      "memory mean \(n(r.utilisation.memoryMean * 100, 1)) %, overloaded host-intervals \(r.utilisation.overloadHostIntervals)\n"
    if !r.rejections.isEmpty { s += "rejected VMs: \(r.rejections.count) (see placements.csv)\n" }
    s += "report: \(directory)"
    return s
  }

  func pad(_ x: Int) -> String { pad(String(x)) }
  func pad(_ s: String) -> String { String(repeating: " ", count: max(0, 11 - s.count)) + s }
}

/// Prints a progress line on stderr once a run has taken more than a second.
final class ProgressPrinter: Sendable {
  let enabled: Bool
  let start = Date()
  let state = Mutex<(shown: Bool, percent: Int)>((false, -1))

  init(enabled: Bool) { self.enabled = enabled }

  func update(_ fraction: Double) {
    guard enabled, Date().timeIntervalSince(start) > 1 else { return }
    let percent = Int(fraction * 100)
    let changed = state.withLock { s -> Bool in
      guard s.percent != percent else { return false }
      s = (true, percent)
      return true
    }
    if changed { FileHandle.standardError.write(Data("\rsimulating… \(percent) %".utf8)) }
  }

  func finish() {
    if state.withLock({ $0.shown }) { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
  }
}

/// `yunhe validate`: check a scenario without running it.
struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check a scenario file and report the first problem with file:line:column.")

  @Argument(help: "Scenario YAML file.") var scenario: String
  @Option(name: .customLong("set"), help: "Override a scenario field: path.to.field=value (repeatable).")
  var overrides: [String] = []

  func run() throws {
    let spec = try loader().load(path: scenario, overrides: overrides)
    for w in spec.warnings { eprint(w.formatted(severity: "warning")) }
    let vmsFixed = spec.systems.filter(\.movable).count
    print(
      "\(scenario): ok — \(spec.systems.count) systems of \(spec.bureaus.count) bureaus, \(spec.pools.count) pool(s), "
        + "\(spec.waves.count) wave(s), \(vmsFixed) systems with a pool target")
  }
}

/// `yunhe schedulers`: list the placement policies.
struct SchedulersCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "schedulers", abstract: "List the placement policies a scenario can name.")

  func run() throws {
    for name in registry.names {
      let p = registry.policy(named: name)!
      print("\(name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(p.summary)")
    }
  }
}
