import Foundation
import Stochastics
import Synchronization
import Testing

@testable import Workload

/// The package root (three levels above this file).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()

/// The committed Bitbrains fixture as a store at 300 s (CPU only, capacity from `CPU cores`): all
/// eight VMs, or the first `vms`.
func bitbrainsFixtureStore(vms: Int = 8) throws -> TraceStore {
  var builder = try TraceStoreBuilder(options: .init(format: "bitbrains", source: "BitbrainsFixture.swift"))
  var entity = -1
  var time: Int64 = 0
  var expectFirst = false
  var declared = 0
  for line in bitbrainsFixture.split(separator: "\n") {
    let words = line.split(separator: " ")
    if words.first == "vm" {
      declared += 1
      if declared > vms { break }
      entity = builder.declare(
        entity: String(words[1]), cpuCapacityCores: Double(words[2])!, memoryCapacityGiB: nil)
      time = Int64(words[3])! * 1000
      expectFirst = true
      continue
    }
    for word in words {
      var value = word
      if let colon = word.firstIndex(of: ":") {
        time += Int64(word[..<colon])! * 1000
        value = word[word.index(after: colon)...]
      } else if !expectFirst {
        time += 300_000
      }
      expectFirst = false
      builder.append(
        entity: entity, timeMilliseconds: time, cpuUtilisation: Double(value)! / 100, memoryUtilisation: .nan)
    }
  }
  return try builder.finish()
}

/// Mean, 95th percentile and lag-1 h autocorrelation of a utilisation series (NaN = missing).
struct SeriesFigures {
  var mean: Double
  var p95: Double
  var acf: Double

  init(_ values: [Double], lag: Int) {
    let present = values.filter { !$0.isNaN }.sorted()
    mean = present.reduce(0, +) / Double(Swift.max(present.count, 1))
    p95 = present.isEmpty ? 0 : Statistics.quantile(sorted: present, 0.95)
    acf = LoadFitter.autocorrelation(values, lag: lag) ?? 0
  }
}

/// Compares a trace with synthetic VMs fitted on it (one model per VM, the same span, `replicas`
/// synthetic VMs per model whose figures are averaged); returns the figures of each VM, trace then
/// synthetic.
func fitAndCompare(_ store: TraceStore, fit: FittedTrace, seed: UInt64, replicas: Int = 4) throws -> [(
  name: String, trace: SeriesFigures, synthetic: SeriesFigures
)] {
  #expect(fit.validate().isEmpty)
  let m = fit.models.count
  let synthetic = try FittedGenerator.generate(
    fit, count: replicas * m, horizonMilliseconds: Int64(store.sampleCount) * store.intervalMilliseconds,
    seed: seed)
  let lag = Int(3_600_000 / store.intervalMilliseconds)
  // The figures of each model are independent: computed on all cores.
  let rows = Mutex(
    [(name: String, trace: SeriesFigures, synthetic: SeriesFigures)?](repeating: nil, count: m))
  DispatchQueue.concurrentPerform(iterations: m) { j in
    let model = fit.models[j]
    let e = store.index(of: model.name)!
    var average = SeriesFigures([], lag: lag)
    for r in 0..<replicas {
      let f = SeriesFigures(synthetic.utilisation(.cpu, entity: r * m + j), lag: lag)
      average.mean += f.mean / Double(replicas)
      average.p95 += f.p95 / Double(replicas)
      average.acf += f.acf / Double(replicas)
    }
    let row = (model.name, SeriesFigures(store.utilisation(.cpu, entity: e), lag: lag), average)
    rows.withLock { $0[j] = row }
  }
  return rows.withLock { $0.map { $0! } }
}

/// Passes an importer's readings on to a store builder without their memory (NaN: no memory
/// column). The fidelity tests compare CPU only, and each metric is fitted (stream
/// `fit/<model>/<metric>`) and generated (`synth/<j>` for CPU, `synth/<j>/memory`) on its own, so
/// leaving memory out halves the fitting work and changes no CPU figure.
struct CPUOnlySink: TraceSink {
  var builder: TraceStoreBuilder

  mutating func declare(entity name: String, cpuCapacityCores: Double?, memoryCapacityGiB: Double?) -> Int {
    builder.declare(entity: name, cpuCapacityCores: cpuCapacityCores, memoryCapacityGiB: memoryCapacityGiB)
  }

  mutating func append(
    entity: Int, timeMilliseconds: Int64, cpuUtilisation: Double, memoryUtilisation: Double
  ) {
    builder.append(
      entity: entity, timeMilliseconds: timeMilliseconds, cpuUtilisation: cpuUtilisation,
      memoryUtilisation: .nan)
  }

  mutating func repair(_ repair: TraceRepair) { builder.repair(repair) }
}

/// `LoadFitter.fit(store)` (one model per VM, default options) with the VMs fitted on all cores.
/// Each model depends only on its own VM, the store's clock and its own calibration stream
/// (`fit/<name>/<metric>`), so the result is the same as the sequential fit's
/// (`concurrentFitEqualsTheSequentialOne` checks it); fitting dominates the month test in debug.
func fitPerVMConcurrently(_ store: TraceStore) -> FittedTrace {
  let options = LoadFitter.Options()
  let unix = store.originMilliseconds >= LoadFitter.unixClockStart
  let weekOffset = unix ? LoadFitter.unixMonday - Int64((options.utcOffsetHours * 3_600_000).rounded()) : 0
  let members = (0..<store.entityCount).filter { e in
    store.withCodes(.cpu, entity: e) { codes in codes.contains { $0 != FixedPoint.missing } }
  }
  let models = Mutex([FittedLoad?](repeating: nil, count: members.count))
  DispatchQueue.concurrentPerform(iterations: members.count) { i in
    let model = LoadFitter.fitModel(
      name: store.names[members[i]], entities: [members[i]], store: store, weekOffset: weekOffset,
      options: options)
    models.withLock { $0[i] = model }
  }
  return FittedTrace(
    format: store.info.format, source: store.info.source,
    intervalSeconds: Double(store.intervalMilliseconds) / 1000, clock: unix ? "unix" : "relative",
    utcOffsetHours: unix ? options.utcOffsetHours : 0, grouping: options.grouping.rawValue,
    models: models.withLock { $0.compactMap { $0 } })
}

/// Checks the tolerances stated in `FittingTests` and returns a readable table.
func checkTolerances(
  _ rows: [(name: String, trace: SeriesFigures, synthetic: SeriesFigures)], perVMShare: Double
)
  -> String
{
  var table = "vm   mean trace/synth   p95 trace/synth   acf1h trace/synth\n"
  var within = 0
  for r in rows {
    let t = r.trace
    let s = r.synthetic
    let meanOK = abs(s.mean - t.mean) <= Swift.max(0.15 * t.mean, 0.001)
    let p95OK = abs(s.p95 - t.p95) <= Swift.max(0.25 * t.p95, 0.005)
    let acfOK = abs(s.acf - t.acf) <= 0.15
    if meanOK && p95OK && acfOK { within += 1 }
    table += String(
      format: "%-4@ %.4f/%.4f%@  %.4f/%.4f%@  %.3f/%.3f%@\n", r.name, t.mean, s.mean, meanOK ? " " : "✗",
      t.p95,
      s.p95, p95OK ? " " : "✗", t.acf, s.acf, acfOK ? " " : "✗")
  }
  let n = Double(rows.count)
  let traceMean = rows.reduce(0) { $0 + $1.trace.mean } / n
  let synthMean = rows.reduce(0) { $0 + $1.synthetic.mean } / n
  let traceP95 = rows.reduce(0) { $0 + $1.trace.p95 } / n
  let synthP95 = rows.reduce(0) { $0 + $1.synthetic.p95 } / n
  let traceACF = rows.reduce(0) { $0 + $1.trace.acf } / n
  let synthACF = rows.reduce(0) { $0 + $1.synthetic.acf } / n
  table += String(
    format: "all  %.4f/%.4f  %.4f/%.4f  %.3f/%.3f  (%d of %d VMs within)\n", traceMean, synthMean, traceP95,
    synthP95, traceACF, synthACF, within, rows.count)
  #expect(abs(synthMean - traceMean) <= 0.10 * traceMean, "\(table)")
  #expect(abs(synthP95 - traceP95) <= 0.15 * traceP95, "\(table)")
  #expect(abs(synthACF - traceACF) <= 0.10, "\(table)")
  #expect(Double(within) >= perVMShare * n, "\(table)")
  return table
}

/// Tolerances (one model fitted per trace VM; 4 synthetic VMs per model generated over the trace's
/// span, their figures averaged):
/// - averaged over the VMs: mean within 10 %, p95 within 15 %, lag-1 h autocorrelation within 0.10;
/// - per VM, for at least 75 % of the VMs: mean within 15 % (or 0.1 percentage point), p95 within
///   25 % (or 0.5 percentage point), autocorrelation within 0.15.
@Suite struct FittingTests {
  @Test func fittedSyntheticVMsReproduceTheBitbrainsFixture() throws {
    let store = try bitbrainsFixtureStore()
    #expect(store.entityCount == 8)
    let fit = try LoadFitter.fit(store)
    for seed: UInt64 in [1, 2] {
      let table = checkTolerances(try fitAndCompare(store, fit: fit, seed: seed), perVMShare: 0.75)
      print("Bitbrains fixture, seed \(seed):\n\(table)")
    }
  }

  @Test(.enabled(if: FileManager.default.fileExists(atPath: sharedBitbrains.path)))
  func fittedSyntheticVMsReproduceTheSharedBitbrainsMonth() throws {
    var sink = CPUOnlySink(
      builder: try TraceStoreBuilder(options: .init(format: "bitbrains", source: sharedBitbrains.path)))
    try TraceImporters.read(.bitbrains, sharedBitbrains, into: &sink)
    let store = try sink.builder.finish()
    #expect(store.entityCount == 39)
    #expect(!store.hasMemory)
    let table = checkTolerances(
      try fitAndCompare(store, fit: fitPerVMConcurrently(store), seed: 7), perVMShare: 0.75)
    print("Bitbrains rnd/2013-7 (39 VMs):\n\(table)")
  }

  /// One model for the eight fixture VMs (fitted once for the tests that use it).
  static let groupFit = Result { () throws -> FittedTrace in
    var options = LoadFitter.Options()
    options.grouping = .all
    return try LoadFitter.fit(try bitbrainsFixtureStore(), options: options)
  }

  @Test func concurrentFitEqualsTheSequentialOne() throws {
    // Two VMs of the fixture, 21 days: the models and their order are LoadFitter.fit's.
    let store = try bitbrainsFixtureStore(vms: 2)
    #expect(store.entityCount == 2)
    #expect(fitPerVMConcurrently(store) == (try LoadFitter.fit(store)))
  }

  @Test func fitFilesRoundTripAndAreChecked() throws {
    let fit = try Self.groupFit.get()
    #expect(fit.models.count == 1)
    #expect(fit.models[0].members == 8)
    #expect(fit.clock == "unix")
    #expect(fit.models[0].cpu.hourOfWeek.count == 168)
    #expect(abs(fit.models[0].cpu.weekly.reduce(0, +) / 7 - 1) < 0.2)
    let folder = try storeTemporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("fit.json")
    try fit.json().write(to: url)
    #expect(try FittedTrace.read(url) == fit)
    // A broken file names the problem.
    var broken = fit
    broken.models[0].cpu.noise.stepCorrelation = 1.5
    try broken.json().write(to: url)
    #expect(throws: WorkloadError.self) { _ = try FittedTrace.read(url) }
    try Data("{\"version\": 2}".utf8).write(to: url)
    #expect(throws: WorkloadError.self) { _ = try FittedTrace.read(url) }
    try Data("{\"version\": 1}".utf8).write(to: url)
    do {
      _ = try FittedTrace.read(url)
      Issue.record("a file without fields was read")
    } catch {
      #expect(error.file == url.path)
      #expect(error.message == "missing field")
    }
  }

  @Test func groupSynthesisIsReproducibleAndIndependentOfTheCount() throws {
    let fit = try Self.groupFit.get()
    let day: Int64 = 86_400_000
    let a = try FittedGenerator.generate(fit, count: 20, horizonMilliseconds: 2 * day, seed: 3)
    let b = try FittedGenerator.generate(fit, count: 20, horizonMilliseconds: 2 * day, seed: 3)
    let c = try FittedGenerator.generate(fit, count: 5, horizonMilliseconds: 2 * day, seed: 3)
    let d = try FittedGenerator.generate(fit, count: 5, horizonMilliseconds: 2 * day, seed: 4)
    #expect(a == b)
    #expect(a.names[0] == "all#1")
    #expect(a.sampleCount == 576)
    for e in 0..<5 { #expect(a.utilisation(.cpu, entity: e) == c.utilisation(.cpu, entity: e)) }
    #expect(a.utilisation(.cpu, entity: 0) != d.utilisation(.cpu, entity: 0))
    #expect(a.cpuCapacityCores.allSatisfy { $0 != nil })
    // Demand in cores via the capacities.
    let demand = try a.demandSeries(entities: Array(0..<20), sampleCount: 576)
    #expect(demand.entityCount == 20)
  }

  @Test func noiseFamiliesAreRecoveredFromTheirOwnSamples() throws {
    let stream = RandomStream(runSeed: 9, name: "fit/noise")
    let gamma = (0..<5000).map { _ in stream.gamma(shape: 3, scale: 1.0 / 3) }
    let g = LoadFitter.fitNoise(gamma, threshold: 0.1)
    #expect(g.family == "gamma")
    #expect(abs((g.shape ?? 0) - 3) < 0.3)
    let lognormal = (0..<5000).map { _ in stream.lognormal(mu: -0.125, sigma: 0.5) }
    let l = LoadFitter.fitNoise(lognormal, threshold: 0.1)
    #expect(l.family == "lognormal")
    #expect(abs((l.sigma ?? 0) - 0.5) < 0.05)
    // A two-point residual fits no family: empirical quantiles.
    let lumpy = (0..<1000).map { $0 % 4 == 0 ? 2.5 : 0.5 }
    let e = LoadFitter.fitNoise(lumpy, threshold: 0.1)
    #expect(e.family == "empirical")
    #expect(e.validate().isEmpty)
    #expect(abs(e.quantile(0.5) - 0.5) < 0.01)
  }
}

/// The shared Bitbrains month, when the shared data folder is next to the package.
let sharedBitbrains = packageRoot.deletingLastPathComponent().appendingPathComponent(
  "shared/data/traces/bitbrains-rnd/2013-7")
