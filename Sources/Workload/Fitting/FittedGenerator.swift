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
/// The latent Gaussian innovations come from a 65 536-entry table of the normal quantile function
/// (GSL's `gsl_cdf_gaussian_Pinv` at the cell midpoints, indexed by a uniform draw), so extreme
/// innovations are cut at ±4.3σ; the noise quantile function is tabulated on `z ∈ [−6, 6]` at 2 049
/// points and interpolated linearly. Both keep generation at a few nanoseconds per sample.
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

/// The normal quantile function tabulated at 65 536 cell midpoints (GSL via `Distribution`).
final class NormalTable: Sendable {
  static let shared = NormalTable()
  static let size = 65_536
  let values: [Double]

  private init() {
    let normal = Distribution.normal(mean: 0, sd: 1)
    values = (0..<Self.size).map { normal.quantile((Double($0) + 0.5) / Double(Self.size)) }
  }

  /// A standard normal draw from one uniform draw of `stream`.
  @inline(__always)
  func sample(_ stream: RandomStream) -> Double {
    values[Swift.min(Int(stream.uniform() * Double(Self.size)), Self.size - 1)]
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
  @inline(__always)
  func run(count: Int, stream: RandomStream, multiplier: Double, _ body: (Int, Double) -> Void) {
    let table = NormalTable.shared
    var z = table.sample(stream)
    var nextSpike = spikeGap(stream) - 1
    let period = profile.count
    var p = 0
    let limit = cap
    profile.withUnsafeBufferPointer { levels in
      for s in 0..<count {
        if s > 0 { z = phi * z + innovation * table.sample(stream) }
        var v = levels[p] * multiplier * noise(at: z)
        if s == nextSpike {
          v *= spikeFactor
          nextSpike += spikeGap(stream)
        }
        body(s, Swift.min(v, limit))
        p += 1
        if p == period { p = 0 }
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
      let scaled = Swift.min((v * inverse).rounded(), top)
      out[s] = UInt16(Swift.max(scaled, 0))
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
