import ArgumentParser
import CapacityModel
import Foundation
import SimCore
import Simulation
import Synchronization
import Workload

#if canImport(Glibc)
  import Glibc
#endif

/// `yunhe trace`: import, inspect, fit and synthesise workload traces.
struct TraceCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "trace",
    abstract: "Import public workload traces into .yt stores, inspect them, fit and synthesise workloads.",
    subcommands: [
      TraceImportCommand.self, TraceInspectCommand.self, TraceFitCommand.self, TraceSynthCommand.self,
      TraceVerifyCommand.self,
    ])
}

/// How readings are aligned into a store.
struct TraceStoreOptions: ParsableArguments {
  @Option(help: "Sample interval of the store: a duration such as 300s, 5m, 1h.") var interval: String = "5m"
  @Option(help: "Longest run of empty intervals filled with the previous value; longer runs are gaps.")
  var fillLimit: Int = 3
  @Option(help: "Intervals kept open per entity for out-of-order readings.") var reorderWindow: Int = 4
  @Option(help: "Duplicated or decreasing timestamps: repair (counted and reported) or reject.")
  var timestamps: String = "repair"
  @Flag(help: "Print nothing but errors.") var quiet = false
}

/// `yunhe trace import`.
struct TraceImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Read a trace in its original format and write a .yt trace store.",
    discussion: "Formats: \(TraceInput.formatList).")

  @Argument(help: "Trace format.") var format: String
  @Argument(help: "Trace file or folder.") var path: String
  @Option(help: "The .yt file to write.") var out: String
  @OptionGroup var store: TraceStoreOptions

  func run() throws {
    let input = try TraceInput(format: format, path: path, options: store)
    guard input.format != nil else { throw CLIError(message: "the input is already a .yt store") }
    let trace = try input.load()
    try TraceInput.write(trace, to: out)
    if !store.quiet {
      let q = trace.inspect()
      print(
        "\(out): \(TraceInput.grouped(q.entities)) entities, \(TraceInput.grouped(q.storedSamples)) samples per metric at \(TraceInput.seconds(q.intervalSeconds)) "
          + "(\(q.hasMemory ? "CPU and memory" : "CPU only"), \(TraceInput.bytes(q.sampleBytes)) of samples, "
          + String(format: "%.2f", q.bytesPerSamplePerMetric) + " bytes per sample per metric); "
          + "\(TraceInput.grouped(q.totals.gaps)) gaps, \(TraceInput.grouped(q.repairs.reduce(0) { $0 + $1.count })) repairs, "
          + "\(q.suspicions.count) suspicions (see `yunhe trace inspect yt \(out)`)")
    }
  }
}

/// `yunhe trace inspect`.
struct TraceInspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Data quality and per-VM percentile sizing of a trace (a table, or --json).",
    discussion: "Formats: \(TraceInput.formatList), or yt for a store written by `yunhe trace import`.")

  @Argument(help: "Trace format, or yt.") var format: String
  @Argument(help: "Trace file or folder, or .yt file.") var path: String
  @Flag(help: "Print the report as JSON.") var json = false
  @Option(help: "Per-core speed of the trace's host model (any unit), for CPU normalisation.")
  var sourceSpeed: Double?
  @Option(help: "Per-core speed of the target host model (same unit as --source-speed).") var targetSpeed:
    Double?
  @Option(help: "VM size for entities without a capacity in the trace, e.g. 4C8G.") var vmSize: String?
  @OptionGroup var store: TraceStoreOptions

  func run() throws {
    var normalisation: CPUNormalisation? = nil
    switch (sourceSpeed, targetSpeed) {
    case (nil, nil): break
    case (let s?, let t?):
      let n = CPUNormalisation(sourceSpeed: s, targetSpeed: t)
      if let problem = n.validate().first { throw CLIError(message: "CPU normalisation: \(problem)") }
      normalisation = n
    default:
      throw CLIError(message: "--source-speed and --target-speed go together")
    }
    var size: (cores: Double, gib: Double)? = nil
    if let vmSize {
      guard let f = Flavour(conventionalName: vmSize) else {
        throw CLIError(message: "--vm-size `\(vmSize)` is not of the form <vCPU>C<GiB>G, e.g. 4C8G")
      }
      size = (f.size.vcpu, f.size.memoryGiB)
    }
    let trace = try TraceInput(format: format, path: path, options: store).load()
    let report = trace.inspect(normalisation: normalisation, vmSize: size)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      encoder.nonConformingFloatEncodingStrategy = .convertToString(
        positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
      let data = try encoder.encode(report)
      print(String(decoding: data, as: UTF8.self))
    } else {
      print(TraceInput.table(report), terminator: "")
    }
  }
}

/// `yunhe trace fit`.
struct TraceFitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fit",
    abstract: "Fit synthetic-workload parameters (profile, noise, spikes, autocorrelation) on a trace.",
    discussion:
      "Writes JSON (also valid YAML) for `yunhe trace synth`. Formats: \(TraceInput.formatList), or yt.")

  @Argument(help: "Trace format, or yt.") var format: String
  @Argument(help: "Trace file or folder, or .yt file.") var path: String
  @Option(help: "The parameters file to write (.json).") var out: String
  @Option(help: "One model per VM (vm) or one for the whole trace (all).") var group: String = "vm"
  @Option(help: "Hours added to UTC to get the trace's local time (Unix-time traces).") var utcOffset:
    Double = 0
  @OptionGroup var store: TraceStoreOptions

  func run() throws {
    guard let grouping = LoadFitter.Grouping(rawValue: group) else {
      throw CLIError(message: "--group must be vm or all, got `\(group)`")
    }
    guard utcOffset.isFinite, abs(utcOffset) <= 14 else {
      throw CLIError(message: "--utc-offset must be between -14 and 14 hours, got \(utcOffset)")
    }
    let trace = try TraceInput(format: format, path: path, options: store).load()
    var options = LoadFitter.Options()
    options.grouping = grouping
    options.utcOffsetHours = utcOffset
    let fit: FittedTrace
    do {
      fit = try LoadFitter.fit(trace, options: options)
    } catch {
      throw CLIError(message: error.description)
    }
    do {
      try TraceInput.atomicWrite(try fit.json(), to: out)
    } catch {
      throw SimulationError(internal: error.description)
    }
    if !store.quiet {
      print("\(out): \(fit.models.count) model(s) fitted on \(trace.entityCount) entities (\(fit.grouping))")
    }
  }
}

/// `yunhe trace synth`.
struct TraceSynthCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "synth",
    abstract: "Generate synthetic VMs from fitted parameters into a .yt trace store.",
    discussion:
      "VM j follows model j mod M; the same seed gives the same VMs. The store replays in a scenario as "
      + "`load: {trace: {format: yt, path: …, entity: …}}`.")

  @Argument(help: "Parameters file written by `yunhe trace fit`.") var parameters: String
  @Option(help: "Number of VMs.") var count: Int
  @Option(help: "Length of the generated period, e.g. 7d.") var horizon: String = "7d"
  @Option(help: "Run seed.") var seed: UInt64 = 1
  @Option(help: "The .yt file to write.") var out: String
  @Flag(help: "Print nothing but errors.") var quiet = false

  func run() throws {
    guard count >= 1 else { throw CLIError(message: "--count must be at least 1, got \(count)") }
    guard let span = SimDuration(parsing: horizon), span.milliseconds > 0 else {
      throw CLIError(message: "--horizon `\(horizon)` is not a positive duration such as 7d or 12h")
    }
    let fit: FittedTrace
    do {
      fit = try FittedTrace.read(URL(fileURLWithPath: parameters))
    } catch {
      throw CLIError(message: error.description)
    }
    let progress = TraceProgress(label: "generating", enabled: !quiet)
    let started = Date()
    let trace: TraceStore
    do {
      trace = try FittedGenerator.generate(
        fit, count: count, horizonMilliseconds: span.milliseconds, seed: seed
      ) { progress.update($0) }
    } catch {
      progress.finish()
      throw CLIError(message: error.description)
    }
    progress.finish()
    let seconds = Date().timeIntervalSince(started)
    try TraceInput.write(trace, to: out)
    if !quiet {
      print(
        "\(out): \(count) VMs × \(trace.sampleCount) samples at \(TraceInput.seconds(fit.intervalSeconds)) "
          + "from \(fit.models.count) model(s), seed \(seed), generated in \(String(format: "%.2f", seconds)) s"
      )
    }
  }
}

/// `yunhe trace verify`.
struct TraceVerifyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Check a .yt store: header, directory and every column's checksum, with timings.")

  @Argument(help: "The .yt file.") var path: String

  func run() throws {
    let url = URL(fileURLWithPath: path)
    let opened = Date()
    let store: TraceStore
    do {
      store = try TraceStore.open(url, verification: .metadata)
    } catch {
      throw CLIError(message: error.description)
    }
    let openSeconds = Date().timeIntervalSince(opened)
    let verified = Date()
    do {
      try TraceStore.verify(url)
    } catch {
      throw CLIError(message: error.description)
    }
    let verifySeconds = Date().timeIntervalSince(verified)
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    print(
      "\(path): ok, \(TraceInput.bytes(size)), \(TraceInput.grouped(store.entityCount)) entities, "
        + "\(TraceInput.grouped(store.storedSampleCount)) samples per metric; opened (mapped, metadata checked) in "
        + String(format: "%.2f ms", openSeconds * 1000) + "; all checksums verified in "
        + String(
          format: "%.3f s (%.2f GB/s)", verifySeconds, Double(size) / Swift.max(verifySeconds, 1e-9) / 1e9))
  }
}

/// A trace named on the command line: a format and a path, or a .yt store.
struct TraceInput {
  /// The format, or nil for a .yt store.
  var format: TraceFormat?
  var path: String
  var options: TraceStoreOptions

  static var formatList: String { TraceFormat.allCases.map(\.rawValue).joined(separator: ", ") }

  init(format name: String, path: String, options: TraceStoreOptions) throws {
    if name == "yt" {
      format = nil
    } else if let f = TraceFormat(rawValue: name) {
      format = f
    } else {
      throw CLIError(message: "unknown trace format `\(name)`; known: \(Self.formatList), yt")
    }
    self.path = path
    self.options = options
  }

  /// Imports the trace (or opens the store).
  func load() throws -> TraceStore {
    let url = URL(fileURLWithPath: path)
    guard let format else {
      do {
        return try TraceStore.open(url)
      } catch {
        throw CLIError(message: error.description)
      }
    }
    guard let interval = SimDuration(parsing: options.interval), interval.milliseconds > 0 else {
      throw CLIError(
        message: "--interval `\(options.interval)` is not a positive duration such as 300s or 5m")
    }
    guard let policy = ["repair": TimestampPolicy.repair, "reject": .reject][options.timestamps] else {
      throw CLIError(message: "--timestamps must be repair or reject, got `\(options.timestamps)`")
    }
    let progress = TraceProgress(label: "importing \(format.rawValue)", enabled: !options.quiet)
    defer { progress.finish() }
    do {
      var builder = try TraceStoreBuilder(
        options: .init(
          intervalMilliseconds: interval.milliseconds, forwardFillLimit: options.fillLimit,
          reorderWindow: options.reorderWindow, format: format.rawValue, source: path))
      var importOptions = ImportOptions()
      importOptions.timestamps = policy
      importOptions.progress = { p in
        let within = p.fileBytesTotal.map { $0 > 0 ? Double(p.fileBytesRead) / Double($0) : 1 } ?? 0
        progress.update((Double(p.filesDone) + Swift.min(within, 1)) / Double(Swift.max(p.filesTotal, 1)))
      }
      try TraceImporters.read(format, url, into: &builder, options: importOptions)
      return try builder.finish()
    } catch {
      throw CLIError(message: error.description)
    }
  }

  /// Writes a store; a failure is the environment's (exit code 1).
  static func write(_ store: TraceStore, to path: String) throws {
    do {
      try store.write(to: URL(fileURLWithPath: path))
    } catch {
      throw SimulationError(internal: error.description)
    }
  }

  /// Writes bytes to a temporary sibling and renames it into place.
  static func atomicWrite(_ data: Data, to path: String) throws(WorkloadError) {
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent().appendingPathComponent(
      ".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    do {
      try data.write(to: temporary)
    } catch {
      throw WorkloadError(file: path, message: "cannot write the file: \(error.localizedDescription)")
    }
    guard rename(temporary.path, path) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: temporary)
      throw WorkloadError(file: path, message: "cannot move the file into place: \(reason)")
    }
  }

  // MARK: Text

  static func seconds(_ s: Double) -> String {
    s == s.rounded() ? "\(Int(s)) s" : String(format: "%.3f s", s)
  }

  static func bytes(_ n: Int) -> String {
    switch n {
    case ..<10_000: return "\(n) B"
    case ..<1_000_000: return String(format: "%.1f kB", Double(n) / 1e3)
    case ..<1_000_000_000: return String(format: "%.1f MB", Double(n) / 1e6)
    default: return String(format: "%.1f GB", Double(n) / 1e9)
    }
  }

  static func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
      out.append(c)
    }
    return (n < 0 ? "-" : "") + out
  }

  static func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
    let fill = String(repeating: " ", count: Swift.max(0, width - s.count))
    return left ? s + fill : fill + s
  }

  /// The readable report of `yunhe trace inspect`.
  static func table(_ r: TraceInspection) -> String {
    let t = r.totals
    let g = grouped
    var s = "trace       \(r.format) \(r.source)\n"
    s +=
      "entities    \(g(r.entities))\(r.emptyEntities > 0 ? " (\(g(r.emptyEntities)) without readings)" : "")\n"
    s += "interval    \(seconds(r.intervalSeconds))"
    if let step = r.meanReadingStepSeconds, let smallest = r.smallestReadingStepSeconds {
      s += String(format: "; readings every %.1f s on average (smallest step %@)", step, seconds(smallest))
    }
    s += "\n"
    let start = r.startUTC ?? "\(Double(r.startMilliseconds) / 1000) s"
    let end = r.endUTC ?? "\(Double(r.endMilliseconds) / 1000) s"
    s += "span        \(start) … \(end) (" + String(format: "%.2f", r.spanDays) + " days)\n"
    s += "samples     \(g(r.storedSamples)) per metric stored, \(g(r.presentSamples)) present; "
    s += "\(r.hasMemory ? "CPU and memory" : "CPU only"), \(bytes(r.sampleBytes)) ("
    s += String(format: "%.2f", r.bytesPerSamplePerMetric) + " bytes per sample per metric)\n"
    s +=
      "readings    \(g(t.readings)); duplicated times \(g(t.duplicateTimes)), decreasing \(g(t.decreasingTimes)), "
    s += "dropped as too late \(g(t.lateDropped)), averaged into one sample \(g(t.averagedBuckets))\n"
    s += "gaps        \(g(t.gaps)) longer than the fill limit (\(g(t.gapBuckets)) samples missing, longest "
    s += "\(g(t.longestGapBuckets))); \(g(t.forwardFilledBuckets)) samples forward-filled\n"
    s += "range       negative \(g(t.negativeValues)), NaN or infinite \(g(t.nonFiniteValues)), "
    s += "CPU > 100 % \(g(t.cpuAboveCapacity)), memory > 100 % \(g(t.memoryAboveCapacity)), "
    s += "clipped \(g(t.saturatedBuckets))\n"
    if r.repairs.isEmpty {
      s += "repairs     none\n"
    } else {
      // One line per kind: the total, the number of files and the first occurrence.
      var kinds: [String] = []
      var byKind: [String: (count: Int, files: Set<String>, first: TraceRepair)] = [:]
      for repair in r.repairs {
        if var entry = byKind[repair.kind] {
          entry.count += repair.count
          entry.files.insert(repair.file)
          byKind[repair.kind] = entry
        } else {
          kinds.append(repair.kind)
          byKind[repair.kind] = (repair.count, [repair.file], repair)
        }
      }
      for (i, kind) in kinds.enumerated() {
        let entry = byKind[kind]!
        let files = entry.files.count > 1 ? "\(entry.files.count) files, " : ""
        s += i == 0 ? "repairs     " : "            "
        s += "\(g(entry.count)) × \(kind) (\(files)first: \(entry.first.file):\(entry.first.firstLine))\n"
      }
    }
    if r.suspicions.isEmpty {
      s += "suspicions  none\n"
    } else {
      for (i, text) in r.suspicions.enumerated() {
        s += (i == 0 ? "suspicions  " : "            ") + text + "\n"
      }
    }
    if let n = r.normalisation {
      s += "CPU         cores × " + String(format: "%.4g", n.factor)
      s += " (host speed \(n.sourceSpeed) → \(n.targetSpeed))\n"
    }
    s += "\n"
    let width = Swift.max(8, Swift.min(24, r.vms.map(\.name.count).max() ?? 8))
    s +=
      pad("VM", width, left: true) + pad("samples", 9) + pad("missing", 8) + pad("cores", 7) + pad("GiB", 7)
    s += "  CPU %: " + pad("p50", 6) + pad("p95", 7) + pad("p99", 7) + pad("max", 7)
    s +=
      "  cores: " + pad("p95", 7) + pad("p99", 7) + pad("max", 7) + "  GiB: " + pad("p95", 7) + pad("max", 7)
      + "\n"
    func f(_ x: Double?, _ digits: Int = 2) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "–" }
    for vm in r.vms {
      var name = vm.name
      if name.count > width { name = String(name.prefix(width - 1)) + "…" }
      s += pad(name, width, left: true) + pad(g(vm.samples), 9) + pad(g(vm.missing), 8)
      s += pad(f(vm.cpuCapacityCores, 1), 7) + pad(f(vm.memoryCapacityGiB, 1), 7)
      let u = vm.cpuUtilisation.map { $0.scaled(by: 100) }
      s += "         " + pad(f(u?.p50), 6) + pad(f(u?.p95), 7) + pad(f(u?.p99), 7) + pad(f(u?.max), 7)
      s +=
        "         " + pad(f(vm.cpuCores?.p95), 7) + pad(f(vm.cpuCores?.p99), 7) + pad(f(vm.cpuCores?.max), 7)
      s += "       " + pad(f(vm.memoryGiB?.p95), 7) + pad(f(vm.memoryGiB?.max), 7) + "\n"
    }
    return s
  }
}

/// A progress bar on stderr, shown when stderr is a terminal and the operation has taken more
/// than a second; callable from any thread.
final class TraceProgress: Sendable {
  let label: String
  let enabled: Bool
  let start = Date()
  let state = Mutex<(shown: Bool, permille: Int)>((false, -1))

  init(label: String, enabled: Bool) {
    self.label = label
    self.enabled = enabled && isatty(2) != 0
  }

  func update(_ fraction: Double) {
    guard enabled, Date().timeIntervalSince(start) > 1 else { return }
    let permille = Int(Swift.min(Swift.max(fraction, 0), 1) * 1000)
    let changed = state.withLock { s -> Bool in
      guard permille / 5 != s.permille / 5 || !s.shown else { return false }
      s = (true, permille)
      return true
    }
    guard changed else { return }
    let filled = permille * 30 / 1000
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: 30 - filled)
    let elapsed = Date().timeIntervalSince(start)
    let line = "\r\(label) [\(bar)] " + String(format: "%5.1f %% %6.1f s", Double(permille) / 10, elapsed)
    FileHandle.standardError.write(Data(line.utf8))
  }

  func finish() {
    if state.withLock({ $0.shown }) { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
  }
}
