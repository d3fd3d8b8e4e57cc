import Foundation
import Stochastics
import Testing

@testable import Workload

/// The package root (three levels above this file).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()

/// The committed Bitbrains fixture as a store at 300 s (CPU only, capacity from `CPU cores`).
func bitbrainsFixtureStore() throws -> TraceStore {
  var builder = try TraceStoreBuilder(options: .init(format: "bitbrains", source: "BitbrainsFixture.swift"))
  var entity = -1
  var time: Int64 = 0
  var expectFirst = false
  for line in bitbrainsFixture.split(separator: "\n") {
    let words = line.split(separator: " ")
    if words.first == "vm" {
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
  return fit.models.enumerated().map { j, model in
    let e = store.index(of: model.name)!
    var average = SeriesFigures([], lag: lag)
    for r in 0..<replicas {
      let f = SeriesFigures(synthetic.utilisation(.cpu, entity: r * m + j), lag: lag)
      average.mean += f.mean / Double(replicas)
      average.p95 += f.p95 / Double(replicas)
      average.acf += f.acf / Double(replicas)
    }
    return (model.name, SeriesFigures(store.utilisation(.cpu, entity: e), lag: lag), average)
  }
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
    var builder = try TraceStoreBuilder(options: .init(format: "bitbrains", source: sharedBitbrains.path))
    try TraceImporters.read(.bitbrains, sharedBitbrains, into: &builder)
    let store = try builder.finish()
    #expect(store.entityCount == 39)
    let table = checkTolerances(
      try fitAndCompare(store, fit: try LoadFitter.fit(store), seed: 7), perVMShare: 0.75)
    print("Bitbrains rnd/2013-7 (39 VMs):\n\(table)")
  }

  @Test func fitFilesRoundTripAndAreChecked() throws {
    let store = try bitbrainsFixtureStore()
    var options = LoadFitter.Options()
    options.grouping = .all
    let fit = try LoadFitter.fit(store, options: options)
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
    let store = try bitbrainsFixtureStore()
    var options = LoadFitter.Options()
    options.grouping = .all
    let fit = try LoadFitter.fit(store, options: options)
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
