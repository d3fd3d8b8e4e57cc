import Dispatch
import Foundation
import Stochastics
import Synchronization

/// Generates synthetic VMs from fitted parameters (`yunhe trace synth`).
///
/// VM `j` (0-based) follows model `j mod M` of the `M` models and is named `<model>#<k>` with
/// `k = j / M + 1`. It draws from its own streams `synth/<j>` (idle flag, level, capacity, CPU) and
/// `synth/<j>/memory`, so the same seed gives the same VMs whatever the count, and each VM is the
/// same whether or not others are generated. Sample 0 starts at time 0, a Monday 00:00.
///
/// The latent Gaussian innovations come from a 4 097-point table of the normal quantile function
/// (GSL's `gsl_cdf_gaussian_Pinv`, interpolated linearly at a uniform draw), so extreme innovations
/// are cut at ±3.57σ; the noise quantile function is tabulated on `z ∈ [−6, 6]` at 2 049 points and
/// interpolated linearly. Both tables fit the first-level cache, which keeps generation at a few
/// nanoseconds per sample.
public enum FittedGenerator {
  /// Generates `count` VMs over `[0, horizon)` at the fit's interval into a trace store (utilisation
  /// codes, capacities from the models).
  ///
  /// - Parameters:
  ///   - fit: validated parameters (`FittedTrace.validate()` empty).
  ///   - count: VMs to generate, ≥ 0.
  ///   - horizonMilliseconds: length of the generated period, > 0.
  ///   - seed: run seed of the streams.
  ///   - progress: called now and then with the fraction done, from any thread.
  /// - Throws: `WorkloadError` for invalid parameters or a count × samples product that is too large.
  public static func generate(
    _ fit: FittedTrace, count: Int, horizonMilliseconds: Int64, seed: UInt64,
    progress: (@Sendable (Double) -> Void)? = nil
  ) throws(WorkloadError) -> TraceStore {
    if let problem = fit.validate().first { throw WorkloadError(field: "parameters", message: problem) }
    let interval = Int64((fit.intervalSeconds * 1000).rounded())
    guard count >= 0 else {
      throw WorkloadError(field: "count", message: "must not be negative, got \(count)")
    }
    guard horizonMilliseconds > 0 else {
      throw WorkloadError(field: "horizon", message: "must be positive, got \(horizonMilliseconds) ms")
    }
    let sampleCount = Int((horizonMilliseconds + interval - 1) / interval)
    let (total, overflow) = count.multipliedReportingOverflow(by: sampleCount)
    guard !overflow, total <= 1 << 34 else {
      throw WorkloadError(
        field: "count", message: "\(count) VMs × \(sampleCount) samples are too many (at most 2³⁴ samples)")
    }
    let models = fit.models
    let samplers = models.map { model in
      (
        cpu: MetricSampler(model.cpu, intervalMilliseconds: interval, sampleCount: sampleCount),
        memory: model.memory.map {
          MetricSampler($0, intervalMilliseconds: interval, sampleCount: sampleCount)
        }
      )
    }
    let hasMemory = models.contains { $0.memory != nil }
    let memoryOffset = (total * 2 + 63) / 64 * 64
    let byteCount = hasMemory ? memoryOffset + total * 2 : total * 2
    let streams = StreamFactory(runSeed: seed)
    var names: [String] = []
    names.reserveCapacity(count)
    for j in 0..<count { names.append("\(models[j % models.count].name)#\(j / models.count + 1)") }

    let results = Mutex<[Int: (capacity: CapacityChoice?, quality: EntityQuality)]>([:])
    let done = Atomic<Int>(0)
    let memory = StoreMemory.allocate(byteCount: byteCount) { raw in
      let output = SendableRaw(base: raw.baseAddress!)
      let workers = Swift.max(1, Swift.min(ProcessInfo.processInfo.activeProcessorCount, 64))
      let chunk = 64
      let chunks = (count + chunk - 1) / chunk
      let next = Atomic<Int>(0)
      DispatchQueue.concurrentPerform(iterations: workers) { _ in
        var local: [Int: (capacity: CapacityChoice?, quality: EntityQuality)] = [:]
        while true {
          let c = next.wrappingAdd(1, ordering: .relaxed).oldValue
          guard c < chunks else { break }
          for j in c * chunk..<Swift.min(count, (c + 1) * chunk) {
            let m = j % models.count
            let cpuCodes = (output.base + j * sampleCount * 2).assumingMemoryBound(to: UInt16.self)
            let memoryCodes =
              hasMemory
              ? (output.base + memoryOffset + j * sampleCount * 2).assumingMemoryBound(to: UInt16.self) : nil
            local[j] = generateVM(
              j, model: models[m], cpu: samplers[m].cpu, memory: samplers[m].memory, sampleCount: sampleCount,
              interval: interval, streams: streams, cpuCodes: cpuCodes, memoryCodes: memoryCodes)
          }
          let finished = done.wrappingAdd(Swift.min(count, (c + 1) * chunk) - c * chunk, ordering: .relaxed)
            .newValue
          progress?(Double(finished) / Double(Swift.max(count, 1)))
        }
        results.withLock { all in all.merge(local) { a, _ in a } }
      }
    }
    let perVM = results.withLock { $0 }
    var firstSample: [Int] = []
    var rowOffsets: [Int] = [0]
    for j in 0..<count {
      firstSample.append(0)
      rowOffsets.append((j + 1) * sampleCount)
    }
    return TraceStore(
      names: names, originMilliseconds: 0, intervalMilliseconds: interval,
      sampleCount: count > 0 ? sampleCount : 0,
      cpuCapacityCores: (0..<count).map { perVM[$0]?.capacity?.cpuCores },
      memoryCapacityGiB: (0..<count).map { perVM[$0]?.capacity?.memoryGiB },
      quality: (0..<count).map { perVM[$0]?.quality ?? EntityQuality() },
      info: TraceStoreInfo(
        format: "synthetic", source: fit.source, forwardFillLimit: 0, reorderWindow: 1,
        cpuQuantum: FixedPoint.defaultQuantum, memoryQuantum: FixedPoint.defaultQuantum, repairs: []),
      firstSample: firstSample, rowOffsets: rowOffsets,
      cpuCodes: CodeColumn(memory: memory, offset: 0, count: total),
      memoryCodes: hasMemory ? CodeColumn(memory: memory, offset: memoryOffset, count: total) : nil)
  }

  /// Generates one VM into its code rows; returns its capacity and counts.
  static func generateVM(
    _ j: Int, model: FittedLoad, cpu: MetricSampler, memory: MetricSampler?, sampleCount: Int,
    interval: Int64,
    streams: StreamFactory, cpuCodes: UnsafeMutablePointer<UInt16>, memoryCodes: UnsafeMutablePointer<UInt16>?
  ) -> (capacity: CapacityChoice?, quality: EntityQuality) {
    let stream = streams.stream("synth/\(j)")
    let idle = model.idleFraction > 0 && stream.uniform() < model.idleFraction
    // One draw sets the VM's size for both metrics (a big VM is big in CPU and memory).
    let z = NormalTable.shared.sample(stream)
    func multiplier(_ spread: Double) -> Double { spread > 0 ? exp(spread * z - spread * spread / 2) : 1 }
    var capacity: CapacityChoice? = nil
    let totalWeight = model.capacities.reduce(0) { $0 + $1.count }
    if totalWeight > 0 {
      var pick = Int(stream.uniform() * Double(totalWeight))
      for c in model.capacities {
        if pick < c.count {
          capacity = c
          break
        }
        pick -= c.count
      }
    }
    let q = FixedPoint.defaultQuantum
    let cpuRange = cpu.fill(
      cpuCodes, count: sampleCount, stream: stream, multiplier: idle ? 0 : multiplier(model.cpu.levelSpread),
      quantum: q)
    if let memoryCodes {
      if let memory {
        _ = memory.fill(
          memoryCodes, count: sampleCount, stream: streams.stream("synth/\(j)/memory"),
          multiplier: idle ? 0 : multiplier(model.memory!.levelSpread), quantum: q)
      } else {
        memoryCodes.update(repeating: FixedPoint.missing, count: sampleCount)
      }
    }
    var quality = EntityQuality()
    quality.readings = sampleCount
    quality.memoryReadings = memory != nil ? sampleCount : 0
    quality.lastTimeMilliseconds = Int64(Swift.max(sampleCount - 1, 0)) * interval
    quality.steps = Swift.max(sampleCount - 1, 0)
    quality.stepSumMilliseconds = Int64(quality.steps) * interval
    quality.minimumStepMilliseconds = quality.steps > 0 ? interval : 0
    quality.minimumCPU = cpuRange.min
    quality.maximumCPU = cpuRange.max
    if memory != nil { quality.maximumMemory = model.memory!.cap }
    return (capacity, quality)
  }
}

/// A raw output pointer shared by the generator's workers, each writing its own rows.
struct SendableRaw: @unchecked Sendable {
  let base: UnsafeMutableRawPointer
}

/// The normal quantile function tabulated at `u = k/4096` (GSL via `Distribution`), interpolated
/// linearly; the end points are taken at `u = 1/16384` and `1 − 1/16384` (±3.57σ), so draws are cut
/// there. The table (32 KiB) stays in the first-level cache, unlike a finer one.
final class NormalTable: Sendable {
  static let shared = NormalTable()
  static let cells = 4096
  let values: [Double]

  private init() {
    let normal = Distribution.normal(mean: 0, sd: 1)
    values = (0...Self.cells).map { k in
      let u = Swift.min(Swift.max(Double(k) / Double(Self.cells), 1.0 / 16384), 1 - 1.0 / 16384)
      return normal.quantile(u)
    }
  }

  /// A standard normal draw from one uniform draw of `stream`.
  @inline(__always)
  func sample(_ stream: RandomStream) -> Double {
    values.withUnsafeBufferPointer { v in Self.normal(v, stream.uniform()) }
  }

  /// The interpolated quantile at `u` ∈ [0, 1).
  @inline(__always)
  static func normal(_ v: UnsafeBufferPointer<Double>, _ u: Double) -> Double {
    let position = u * Double(cells)
    let k = Swift.min(Int(position), cells - 1)
    let w = position - Double(k)
    return v[k] + w * (v[k + 1] - v[k])
  }

  /// Fills `out` with standard normal draws, two per uniform draw of `stream`: the 32 bits of a
  /// draw are split into two independent 16-bit uniforms (cell midpoints `(i + ½)/65 536`), which
  /// is all the resolution the table has.
  func fill(_ out: UnsafeMutableBufferPointer<Double>, stream: RandomStream) {
    // A 16-bit uniform h is cell h >> 4 of the 4 096 and the point (h & 15 + ½)/16 within it.
    @inline(__always) func draw(_ v: UnsafeBufferPointer<Double>, _ h: UInt32) -> Double {
      let k = Int(h >> 4)
      let w = (Double(h & 15) + 0.5) * (1.0 / 16)
      return v[k] + w * (v[k + 1] - v[k])
    }
    values.withUnsafeBufferPointer { v in
      var s = 0
      while s < out.count {
        let bits = UInt32(truncatingIfNeeded: Int64(stream.uniform() * 4_294_967_296))
        out[s] = draw(v, bits >> 16)
        if s + 1 < out.count { out[s + 1] = draw(v, bits & 0xFFFF) }
        s += 2
      }
    }
  }
}

/// The precomputed tables of one metric model at one interval.
struct MetricSampler: Sendable {
  /// `level × profile` per sample, repeating with period `profile.count`.
  let profile: [Double]
  /// Noise quantile at `z = zMin + k·zStep`, `k = 0…2048`.
  let noise: [Double]
  static let zMin = -6.0
  static let zStep = 12.0 / 2048
  let phi: Double
  let innovation: Double
  /// `log(1 − p)` of the spike probability (0: no spikes).
  let spikeLog: Double
  let spikeFactor: Double
  let cap: Double

  /// Tables for `metric` sampled every `intervalMilliseconds` from time 0 (a Monday 00:00).
  init(_ metric: FittedMetric, intervalMilliseconds: Int64, sampleCount: Int) {
    let week: Int64 = 7 * 86_400_000
    let period =
      week % intervalMilliseconds == 0 ? Int(week / intervalMilliseconds) : Swift.max(sampleCount, 1)
    profile = (0..<period).map { s in
      metric.level
        * FittedProfile.value(
          metric.hourOfWeek, atMilliseconds: Int64(s) * intervalMilliseconds,
          intervalMilliseconds: intervalMilliseconds, weekOffsetMilliseconds: 0)
    }
    let normal = Distribution.normal(mean: 0, sd: 1)
    noise = (0...2048).map { k in
      metric.noise.quantile(normal.cdf(Self.zMin + Double(k) * Self.zStep))
    }
    phi = metric.noise.stepCorrelation
    innovation = (1 - phi * phi).squareRoot()
    let p = metric.spikes.probability
    spikeLog = p > 0 ? log1p(-p) : 0
    spikeFactor = metric.spikes.factor
    cap = metric.cap
  }

  /// The same sampler with another AR(1) coefficient and level factor (calibration).
  init(copying other: MetricSampler, phi: Double, levelFactor: Double) {
    profile = levelFactor == 1 ? other.profile : other.profile.map { $0 * levelFactor }
    noise = other.noise
    self.phi = phi
    innovation = (1 - phi * phi).squareRoot()
    spikeLog = other.spikeLog
    spikeFactor = other.spikeFactor
    cap = other.cap
  }

  /// Noise at latent value `z`.
  @inline(__always)
  func noise(at z: Double) -> Double {
    var position = (z - Self.zMin) * (1 / Self.zStep)
    position = Swift.min(Swift.max(position, 0), 2047.999_999)
    let k = Int(position)
    let w = position - Double(k)
    return noise[k] + w * (noise[k + 1] - noise[k])
  }

  /// Samples until the next spike after `s` (geometric gap).
  @inline(__always)
  func spikeGap(_ stream: RandomStream) -> Int {
    guard spikeLog < 0 else { return Int.max / 2 }
    let u = Swift.max(stream.uniform(), 1e-300)
    return 1 + Int(Swift.min(log(u) / spikeLog, 1e15))
  }

  /// Calls `body(s, value)` for `count` samples of utilisation.
  ///
  /// Draws, in this order from `stream`: `⌈count / 2⌉` uniforms for the latent start value and the
  /// `count − 1` innovations (two per draw, see `NormalTable.fill`), then the gaps between spikes
  /// until past the end. The work is done in passes (innovations, the AR(1)
  /// recursion, then the independent per-sample values) so that the processor can overlap them.
  @inline(__always)
  func run(count: Int, stream: RandomStream, multiplier: Double, _ body: (Int, Double) -> Void) {
    guard count > 0 else { return }
    let table = NormalTable.shared
    var latent = [Double](repeating: 0, count: count)
    latent.withUnsafeMutableBufferPointer { z in
      table.fill(z, stream: stream)
      if phi > 0 {
        // z[s] = φ·z[s−1] + c·e[s], four steps at a time so the dependent chain is one multiply-add
        // per four samples: z[s+3] = φ⁴·z[s−1] + c·(φ³e[s] + φ²e[s+1] + φe[s+2] + e[s+3]).
        let c = innovation
        let (p2, p3, p4) = (phi * phi, phi * phi * phi, phi * phi * phi * phi)
        var previous = z[0]
        var s = 1
        while s + 3 < count {
          let e0 = c * z[s]
          let e1 = c * z[s + 1]
          let e2 = c * z[s + 2]
          let e3 = c * z[s + 3]
          z[s] = phi * previous + e0
          z[s + 1] = p2 * previous + (phi * e0 + e1)
          z[s + 2] = p3 * previous + (p2 * e0 + phi * e1 + e2)
          previous = p4 * previous + (p3 * e0 + p2 * e1 + phi * e2 + e3)
          z[s + 3] = previous
          s += 4
        }
        while s < count {
          previous = phi * previous + c * z[s]
          z[s] = previous
          s += 1
        }
      }
    }
    var spikes: [Int] = []
    if spikeLog < 0 {
      var next = spikeGap(stream) - 1
      while next < count {
        spikes.append(next)
        next += spikeGap(stream)
      }
    }
    let period = profile.count
    let limit = cap
    profile.withUnsafeBufferPointer { levels in
      latent.withUnsafeBufferPointer { z in
        noise.withUnsafeBufferPointer { table in
          var spike = 0
          var p = 0
          for s in 0..<count {
            var position = (z[s] - Self.zMin) * (1 / Self.zStep)
            position = Swift.min(Swift.max(position, 0), 2047.999_999)
            let k = Int(position)
            let w = position - Double(k)
            var v = levels[p] * multiplier * (table[k] + w * (table[k + 1] - table[k]))
            if spike < spikes.count && spikes[spike] == s {
              v *= spikeFactor
              spike += 1
            }
            body(s, Swift.min(v, limit))
            p += 1
            if p == period { p = 0 }
          }
        }
      }
    }
  }

  /// Writes `count` codes; returns the smallest and largest value.
  func fill(
    _ out: UnsafeMutablePointer<UInt16>, count: Int, stream: RandomStream, multiplier: Double, quantum: Double
  ) -> (min: Double, max: Double) {
    var low = Double.infinity
    var high = 0.0
    let inverse = 1 / quantum
    let top = Double(FixedPoint.saturated)
    run(count: count, stream: stream, multiplier: multiplier) { s, v in
      // v ≥ 0, so adding ½ and truncating rounds to nearest (half up) without a libm call.
      out[s] = UInt16(Swift.min(v * inverse + 0.5, top))
      low = Swift.min(low, v)
      high = Swift.max(high, v)
    }
    return (count > 0 ? low : 0, high)
  }

  /// `count` values (calibration).
  func simulate(count: Int, stream: RandomStream) -> [Double] {
    var out = [Double](repeating: 0, count: count)
    out.withUnsafeMutableBufferPointer { buffer in
      run(count: count, stream: stream, multiplier: 1) { s, v in buffer[s] = v }
    }
    return out
  }
}

/// The hour-of-week profile as a function of time.
enum FittedProfile {
  static let hour: Int64 = 3_600_000
  static let week: Int64 = 7 * 86_400_000

  /// The profile over the sample starting at `t` (its midpoint), interpolated linearly between
  /// hour midpoints; `weekOffsetMilliseconds` is the time of a Monday 00:00 on the same clock.
  static func value(
    _ hourOfWeek: [Double], atMilliseconds t: Int64, intervalMilliseconds: Int64,
    weekOffsetMilliseconds: Int64
  ) -> Double {
    let mid = t + intervalMilliseconds / 2 - weekOffsetMilliseconds
    let inWeek = ((mid % week) + week) % week
    let position = Double(inWeek) / Double(hour) - 0.5
    let lower = Int(position.rounded(.down))
    let w = position - Double(lower)
    let a = hourOfWeek[(lower + 168) % 168]
    let b = hourOfWeek[(lower + 1 + 168) % 168]
    return a + w * (b - a)
  }

  /// The hour-of-week bin (0 = Monday 00–01) of the sample starting at `t`.
  static func bin(atMilliseconds t: Int64, intervalMilliseconds: Int64, weekOffsetMilliseconds: Int64) -> Int
  {
    let mid = t + intervalMilliseconds / 2 - weekOffsetMilliseconds
    let inWeek = ((mid % week) + week) % week
    return Int(inWeek / hour)
  }
}
