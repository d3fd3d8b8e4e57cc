import Foundation
import Stochastics

/// A seeded, PlanetLab-like synthetic workload for scale runs: `vms` CPU-utilisation series of
/// `days` days at one sample per `intervalSeconds` (300 s), in integer percent like PlanetLab.
///
/// Each VM `i` draws everything from its own generator (xoshiro256** seeded by SplitMix64 from
/// `SeedDerivation.derive(runSeed: seed, name: "dynamic.synthetic")` and `i`), so a VM's series
/// depends only on the seed and its index: the first `n` VMs of a larger workload are the
/// workload of `n` VMs, and the rows are generated in parallel with the same result.
///
/// VM `i`, all in percent, sample `k` at time `t = 300 k`:
/// - level `m = clamp(7 · exp(1.1 z), 1, 90)`, `z ~ N(0, 1)` (median 7 %, mean ≈ 12.8 %, p90 ≈ 29 %,
///   close to the per-trace means of PlanetLab 20110303: median 6.8 %, mean 12.3 %, p90 34 %);
/// - daily profile `m · (1 + a · sin(2π t / 86 400 + φ))`, `a ~ U(0, 0.6)`, `φ ~ U(0, 2π)` (the
///   PlanetLab nodes are spread over time zones);
/// - AR(1) noise `e_k = 0.6 e_{k−1} + 0.8 σ ε_k`, `ε_k ~ N(0, 1)`, `σ = 0.5 m` (stationary SD σ;
///   PlanetLab's per-trace SD is ≈ 0.55 × its mean), `e_0 ~ N(0, σ)`;
/// - spikes: at each sample, with probability 0.004, a spike of `U(20, 60)` points starts and
///   lasts 1–6 samples (uniform);
/// - the sum is rounded to a whole percent and clamped to 1…100 (never 0, so compat mode's
///   removal of VMs after two zero samples never fires and the VM count stays constant — the
///   worst case for the engine), then divided by 100.
///
/// Normal draws use Marsaglia's polar method on 53-bit uniforms.
public struct SyntheticWorkload: Sendable, Hashable {
  /// Number of VMs.
  public var vms: Int
  /// Days of samples.
  public var days: Double
  /// Generator seed.
  public var seed: UInt64
  /// Sample period, s.
  public var intervalSeconds: Double

  /// Creates a synthetic workload description.
  public init(vms: Int, days: Double, seed: UInt64 = 1, intervalSeconds: Double = 300) {
    self.vms = vms
    self.days = days
    self.seed = seed
    self.intervalSeconds = intervalSeconds
  }

  /// Samples per VM (without CloudSim's padding copy of the last sample).
  public var samplesPerDay: Double { 86_400 / intervalSeconds }

  /// Samples per VM: `ceil(days · 86 400 / interval)`, at least 1.
  public var samples: Int { Swift.max(1, Int((days * samplesPerDay).rounded(.up))) }

  /// The workload: `samples + 1` values per VM (the last sample repeated, as for PlanetLab
  /// days), stored as whole-percent bytes, time-major. Blocks of 64 VMs are generated on all
  /// cores into a per-thread scratch (time-major within the block), and each sample row of the
  /// block is then copied to its place in the workload's rows: no buffer of doubles. VM names are
  /// `synthetic-<i>`.
  public func generate(vms count: Int? = nil) -> DynamicWorkload {
    let n = Swift.max(0, count.map { Swift.min($0, vms) } ?? vms)
    let length = samples
    let width = length + 1
    // sin and cos of the daily angle per sample, shared by every VM (sin(x + φ) expanded).
    var sines = [Double](repeating: 0, count: length)
    var cosines = [Double](repeating: 0, count: length)
    for k in 0..<length {
      let angle = 2 * Double.pi * Double(k) * intervalSeconds / 86_400
      sines[k] = sin(angle)
      cosines[k] = cos(angle)
    }
    let base = SeedDerivation.derive(runSeed: seed, name: "dynamic.synthetic")
    let block = 64
    let blocks = (n + block - 1) / block
    let percents = [UInt8](unsafeUninitializedCapacity: n * width) { buffer, initialised in
      let flat = UnsafeMutableSendablePointer(buffer.baseAddress!)
      let parts = Swift.max(1, Swift.min(ProcessInfo.processInfo.activeProcessorCount * 4, blocks))
      let chunk = (blocks + parts - 1) / parts
      sines.withUnsafeBufferPointer { s in
        cosines.withUnsafeBufferPointer { c in
          let sp = UnsafeSendableBuffer(s)
          let cp = UnsafeSendableBuffer(c)
          DispatchQueue.concurrentPerform(iterations: parts) { part in
            // Sample k of the block's VM j at scratch[k * block + j].
            let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: block * width)
            defer { scratch.deallocate() }
            for b in Swift.min(part * chunk, blocks)..<Swift.min((part + 1) * chunk, blocks) {
              let first = b * block
              let m = Swift.min(block, n - first)
              for j in 0..<m {
                Self.row(
                  vm: first + j, base: base, sines: sp.buffer, cosines: cp.buffer,
                  into: scratch + j, stride: block, length: length)
              }
              for k in 0..<width {
                (flat.pointer + k * n + first).update(from: scratch + k * block, count: m)
              }
            }
          }
        }
      }
      initialised = n * width
    }
    return DynamicWorkload(
      names: (0..<n).map { "synthetic-\($0)" }, samplesPerVM: width,
      storage: .percents(percents, vms: n), intervalSeconds: intervalSeconds)
  }

  /// Writes VM `vm`'s `length` samples and the padding copy, as whole percents (1…100), at
  /// `out[k * stride]`.
  static func row(
    vm: Int, base: UInt64, sines: UnsafeBufferPointer<Double>, cosines: UnsafeBufferPointer<Double>,
    into out: UnsafeMutablePointer<UInt8>, stride: Int, length: Int
  ) {
    var g = Xoshiro256(seed: base ^ (UInt64(vm) &* 0xd1b5_4a32_d192_ed03))
    let level = Swift.min(90, Swift.max(1, 7 * exp(1.1 * g.normal())))
    let amplitude = 0.6 * g.uniform()
    let phase = 2 * Double.pi * g.uniform()
    let sinPhase = sin(phase)
    let cosPhase = cos(phase)
    let sd = 0.5 * level
    let rho = 0.6
    let innovation = sd * (1 - rho * rho).squareRoot()
    var noise = sd * g.normal()
    var spikeLeft = 0
    var spikeHeight = 0.0
    for k in 0..<length {
      if k > 0 { noise = rho * noise + innovation * g.normal() }
      if spikeLeft == 0 && g.uniform() < 0.004 {
        spikeLeft = 1 + Int(g.uniform() * 6)
        spikeHeight = 20 + 40 * g.uniform()
      }
      var x = level * (1 + amplitude * (sines[k] * cosPhase + cosines[k] * sinPhase)) + noise
      if spikeLeft > 0 {
        x += spikeHeight
        spikeLeft -= 1
      }
      // Clamped to 1…100, then rounded half up (as `rounded()` for positive values); the value
      // is this percent / 100. The percent is 1…100, so the byte conversion cannot truncate.
      let clamped = Swift.min(100, Swift.max(1, x))
      out[k &* stride] = UInt8(truncatingIfNeeded: Int(clamped + 0.5))
    }
    out[length &* stride] = out[(length - 1) &* stride]
  }
}

/// xoshiro256** (Blackman & Vigna), seeded by four SplitMix64 steps, with 53-bit uniforms and
/// polar-method normals (the second value of each pair is kept for the next call).
struct Xoshiro256 {
  var s0: UInt64
  var s1: UInt64
  var s2: UInt64
  var s3: UInt64
  var spare = 0.0
  var hasSpare = false

  init(seed: UInt64) {
    var x = seed
    func next() -> UInt64 {
      x = x &+ 0x9e37_79b9_7f4a_7c15
      var z = x
      z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
      z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
      return z ^ (z >> 31)
    }
    s0 = next()
    s1 = next()
    s2 = next()
    s3 = next()
  }

  @inline(__always) mutating func next() -> UInt64 {
    let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = s3 << 45 | s3 >> 19
    return result
  }

  /// Uniform in [0, 1) with 53 bits.
  @inline(__always) mutating func uniform() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// Standard normal (Marsaglia's polar form of Box–Muller: no sine or cosine).
  @inline(__always) mutating func normal() -> Double {
    if hasSpare {
      hasSpare = false
      return spare
    }
    var x = 0.0
    var y = 0.0
    var r2 = 0.0
    repeat {
      x = 2 * uniform() - 1
      y = 2 * uniform() - 1
      r2 = x * x + y * y
    } while r2 >= 1 || r2 == 0
    let f = (-2 * log(r2) / r2).squareRoot()
    spare = y * f
    hasSpare = true
    return x * f
  }
}

/// A read-only buffer handed to concurrent workers.
struct UnsafeSendableBuffer<T>: @unchecked Sendable {
  let buffer: UnsafeBufferPointer<T>
  init(_ buffer: UnsafeBufferPointer<T>) { self.buffer = buffer }
}

extension DynamicWorkload {
  /// A seeded PlanetLab-like synthetic workload (see ``SyntheticWorkload``).
  public static func synthetic(_ spec: SyntheticWorkload, vms count: Int? = nil) -> DynamicWorkload {
    spec.generate(vms: count)
  }

  /// Several PlanetLab date folders as one workload: the folders in the given order, each
  /// folder's files in its reader's order (`planetLab(folder:)`). Names are
  /// `<folder name>/<file name>` when more than one folder is given; rows of unequal width are
  /// padded with their last sample.
  public static func planetLab(folders: [URL]) throws -> DynamicWorkload {
    if folders.count == 1 { return try planetLab(folder: folders[0]) }
    var parts: [DynamicWorkload] = []
    for folder in folders { parts.append(try planetLab(folder: folder)) }
    let width = parts.map(\.samplesPerVM).max() ?? 0
    var names: [String] = []
    names.reserveCapacity(parts.reduce(0) { $0 + $1.count })
    for (folder, part) in zip(folders, parts) {
      let prefix = folder.standardizedFileURL.lastPathComponent
      names += part.names.map { "\(prefix)/\($0)" }
    }
    // Byte-stored days are joined row by row as bytes.
    let storage = WorkloadSamples.concatenating(
      parts.map(\.storage), widths: parts.map(\.samplesPerVM), width: width)
    return DynamicWorkload(
      names: names, samplesPerVM: width, storage: storage,
      intervalSeconds: parts.first?.intervalSeconds ?? 300)
  }
}
