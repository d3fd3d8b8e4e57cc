import Foundation
import Stochastics

/// Parameters of synthetic workloads fitted on a real trace (`yunhe trace fit`), the input of
/// `yunhe trace synth`. Written as JSON (which is also YAML).
///
/// Each model describes utilisation (a fraction of a VM's capacity) at time `t` as
///
///     u(t) = min(cap, level × profile(t) × noise(t) × spike(t))
///
/// - `profile(t)`: the hour-of-week profile (168 multipliers with mean 1 over the trace, Monday
///   00:00 first), interpolated linearly between hour midpoints;
/// - `noise(t) = Q(Φ(z(t)))`: a Gaussian copula. `z` is an AR(1) process with unit variance,
///   `z(t+1) = φ·z(t) + √(1−φ²)·ε`, and `Q` the quantile function of the fitted noise distribution,
///   zero-inflated: `Q(u) = 0` for `u < zeroFraction`, else the distribution's quantile at
///   `(u − zeroFraction)/(1 − zeroFraction)`;
/// - `spike(t)`: `spikes.factor` with probability `spikes.probability` per sample (isolated
///   one-sample spikes), else 1;
/// - `level`: the model's `level`, times a per-VM lognormal multiplier with mean 1 and log-sd
///   `levelSpread` for a group model; a VM of a group is idle (0 throughout) with probability
///   `idleFraction`.
public struct FittedTrace: Sendable, Equatable, Codable {
  /// Format version of the file (1).
  public var version: Int
  /// Format of the trace fitted.
  public var format: String
  /// Path of the trace fitted.
  public var source: String
  /// Sample interval of the fit (and of generated VMs), seconds.
  public var intervalSeconds: Double
  /// How the trace's clock was mapped to the week: "unix" (Unix time, UTC plus
  /// `utcOffsetHours`) or "relative" (time 0 is Monday 00:00).
  public var clock: String
  /// Hours added to UTC for a "unix" clock (the trace's local time).
  public var utcOffsetHours: Double
  /// "vm" (one model per entity) or "all" (one model for the whole trace).
  public var grouping: String
  /// The models.
  public var models: [FittedLoad]

  /// Creates a fit file.
  public init(
    format: String, source: String, intervalSeconds: Double, clock: String, utcOffsetHours: Double,
    grouping: String, models: [FittedLoad]
  ) {
    self.version = 1
    self.format = format
    self.source = source
    self.intervalSeconds = intervalSeconds
    self.clock = clock
    self.utcOffsetHours = utcOffsetHours
    self.grouping = grouping
    self.models = models
  }

  /// The JSON text (sorted keys, indented).
  public func json() throws(WorkloadError) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    do {
      return try encoder.encode(self)
    } catch {
      throw WorkloadError(message: "cannot encode the fitted parameters: \(error)")
    }
  }

  /// Reads and checks a fit file.
  ///
  /// - Throws: `WorkloadError` naming the file and the problem (not JSON, a missing field, a
  ///   version other than 1, or an invalid parameter).
  public static func read(_ url: URL) throws(WorkloadError) -> FittedTrace {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw WorkloadError(file: url.path, message: "cannot read the file: \(error.localizedDescription)")
    }
    struct Version: Decodable { var version: Int }
    if let v = try? JSONDecoder().decode(Version.self, from: data), v.version != 1 {
      throw WorkloadError(
        file: url.path, field: "version",
        message: "unsupported fitted-parameters version \(v.version) (this Yunhe reads 1)")
    }
    let fit: FittedTrace
    do {
      fit = try JSONDecoder().decode(FittedTrace.self, from: data)
    } catch let DecodingError.keyNotFound(key, context) {
      let path = (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
      throw WorkloadError(file: url.path, field: path, message: "missing field")
    } catch let DecodingError.typeMismatch(_, context) {
      throw WorkloadError(
        file: url.path, field: context.codingPath.map(\.stringValue).joined(separator: "."),
        message: context.debugDescription)
    } catch {
      throw WorkloadError(file: url.path, message: "not a fitted-parameters JSON file: \(error)")
    }
    if let problem = fit.validate().first { throw WorkloadError(file: url.path, message: problem) }
    return fit
  }

  /// Problems with the parameters, in words; empty when valid.
  public func validate() -> [String] {
    var problems: [String] = []
    if version != 1 {
      problems.append("unsupported fitted-parameters version \(version) (this Yunhe reads 1)")
    }
    if !(intervalSeconds.isFinite && intervalSeconds >= 0.001 && intervalSeconds <= 86_400) {
      problems.append("intervalSeconds must be in [0.001, 86400], got \(intervalSeconds)")
    }
    if models.isEmpty { problems.append("no models") }
    for (i, m) in models.enumerated() {
      for p in m.validate() { problems.append("models[\(i)] (\(m.name)): \(p)") }
    }
    return problems
  }
}

/// One fitted model: a VM or a group of VMs.
public struct FittedLoad: Sendable, Equatable, Codable {
  /// Name of the VM, or of the group.
  public var name: String
  /// Entities fitted.
  public var members: Int
  /// Capacities of the members (cores, GiB), with how many members had each.
  public var capacities: [CapacityChoice]
  /// Fraction of members without any load (generated VMs are idle with this probability).
  public var idleFraction: Double
  /// CPU utilisation model.
  public var cpu: FittedMetric
  /// Memory utilisation model, when the trace has memory.
  public var memory: FittedMetric?

  /// Creates a model.
  public init(
    name: String, members: Int, capacities: [CapacityChoice], idleFraction: Double, cpu: FittedMetric,
    memory: FittedMetric?
  ) {
    self.name = name
    self.members = members
    self.capacities = capacities
    self.idleFraction = idleFraction
    self.cpu = cpu
    self.memory = memory
  }

  /// Problems, in words.
  public func validate() -> [String] {
    var problems: [String] = []
    if name.isEmpty { problems.append("empty name") }
    if !(idleFraction >= 0 && idleFraction <= 1) { problems.append("idleFraction must be in [0, 1]") }
    for c in capacities
    where !(c.cpuCores.map { $0.isFinite && $0 > 0 } ?? true)
      || !(c.memoryGiB.map { $0.isFinite && $0 > 0 } ?? true) || c.count < 1
    {
      problems.append("capacities must be positive, with a count ≥ 1")
    }
    problems += cpu.validate().map { "cpu: \($0)" }
    if let memory { problems += memory.validate().map { "memory: \($0)" } }
    return problems
  }
}

/// A capacity seen in the trace and how many members had it.
public struct CapacityChoice: Sendable, Equatable, Codable {
  /// CPU capacity, cores (nil when the trace does not state it).
  public var cpuCores: Double?
  /// Memory capacity, GiB.
  public var memoryGiB: Double?
  /// Members with it.
  public var count: Int

  /// Creates a choice.
  public init(cpuCores: Double?, memoryGiB: Double?, count: Int) {
    self.cpuCores = cpuCores
    self.memoryGiB = memoryGiB
    self.count = count
  }
}

/// Fitted model of one utilisation metric.
public struct FittedMetric: Sendable, Equatable, Codable {
  /// Level multiplying the profile (mean utilisation, corrected for the cap).
  public var level: Double
  /// Mean utilisation of the trace (what the model reproduces).
  public var mean: Double
  /// Log-sd of the per-VM level multiplier (group models; 0 for one VM).
  public var levelSpread: Double
  /// Hour-of-week profile: 168 multipliers, Monday 00–01 first; mean 1 over the trace's samples.
  /// Bin means are shrunk towards 1 by the James–Stein factor `profileShrinkage` so that sampling
  /// noise does not pass for a profile.
  public var hourOfWeek: [Double]
  /// Shrinkage factor applied to the hour-of-week bin means, in [0, 1] (1 = none).
  public var profileShrinkage: Double
  /// Daily profile (24 multipliers, the mean of `hourOfWeek` by hour of day), for reading.
  public var daily: [Double]
  /// Weekly profile (7 multipliers, Monday first, the mean of `hourOfWeek` by day), for reading.
  public var weekly: [Double]
  /// Multiplicative noise around the profile.
  public var noise: FittedNoise
  /// Isolated one-sample spikes.
  public var spikes: FittedSpikes
  /// Largest utilisation generated (the trace's largest), a fraction.
  public var cap: Double
  /// The trace's 95th percentile, for reference.
  public var p95: Double
  /// The trace's autocorrelation at lag 1 hour (the AR(1) coefficient is calibrated to it).
  public var autocorrelation1h: Double

  /// Problems, in words.
  public func validate() -> [String] {
    var problems: [String] = []
    func finite(_ name: String, _ x: Double, _ range: ClosedRange<Double>) {
      if !(x.isFinite && range.contains(x)) { problems.append("\(name) must be in \(range), got \(x)") }
    }
    finite("level", level, 0...1e6)
    finite("mean", mean, 0...1e6)
    finite("levelSpread", levelSpread, 0...10)
    finite("profileShrinkage", profileShrinkage, 0...1)
    finite("cap", cap, 0...1e6)
    if hourOfWeek.count != 168 || hourOfWeek.contains(where: { !($0.isFinite && $0 >= 0) }) {
      problems.append("hourOfWeek must hold 168 finite non-negative multipliers")
    }
    problems += noise.validate().map { "noise: \($0)" }
    finite("spikes.probability", spikes.probability, 0...0.5)
    finite("spikes.factor", spikes.factor, 1...1e6)
    finite("spikes.ratePerDay", spikes.ratePerDay, 0...1e9)
    return problems
  }
}

/// The noise distribution of a metric.
public struct FittedNoise: Sendable, Equatable, Codable {
  /// Family: "lognormal" (`mu`, `sigma`), "gamma" (`shape`, `scale`), "weibull" (`scale`,
  /// `shape`) or "empirical" (`quantiles`).
  public var family: String
  /// Lognormal location.
  public var mu: Double?
  /// Lognormal log-sd.
  public var sigma: Double?
  /// Gamma or Weibull shape.
  public var shape: Double?
  /// Gamma or Weibull scale.
  public var scale: Double?
  /// Empirical quantiles at `FittedNoise.quantileGrid`.
  public var quantiles: [Double]?
  /// Probability of an exact zero.
  public var zeroFraction: Double
  /// Kolmogorov–Smirnov distance of each parametric family to the positive residuals.
  public var ksDistance: [String: Double]
  /// AR(1) coefficient per sample of the latent Gaussian `z`.
  public var stepCorrelation: Double

  /// Probabilities of the empirical quantiles: 0, 0.01, …, 0.90 then 0.901, …, 1 (191 points,
  /// finer in the upper tail).
  public static let quantileGrid: [Double] = {
    var grid = (0...90).map { Double($0) / 100 }
    grid += (901...1000).map { Double($0) / 1000 }
    return grid
  }()

  /// The parametric distribution, or nil for "empirical".
  public var distribution: Distribution? {
    switch family {
    case "lognormal": return mu.flatMap { m in sigma.map { .lognormal(mu: m, sigma: $0) } }
    case "gamma": return shape.flatMap { k in scale.map { .gamma(shape: k, scale: $0) } }
    case "weibull": return shape.flatMap { k in scale.map { .weibull(scale: $0, shape: k) } }
    default: return nil
    }
  }

  /// The quantile of the zero-inflated noise at `u` ∈ [0, 1].
  public func quantile(_ u: Double) -> Double {
    guard u >= zeroFraction, zeroFraction < 1 else { return 0 }
    let v = Swift.min(Swift.max((u - zeroFraction) / (1 - zeroFraction), 0), 1)
    if let d = distribution {
      // Keep the extreme tails finite: the tables never ask beyond 1 − 10⁻¹².
      return d.quantile(Swift.min(Swift.max(v, 1e-12), 1 - 1e-12))
    }
    return Self.interpolate(quantiles ?? [0], at: v)
  }

  /// Linear interpolation of values on `quantileGrid`.
  static func interpolate(_ q: [Double], at v: Double) -> Double {
    let grid = quantileGrid
    guard q.count == grid.count else { return q.first ?? 0 }
    var low = 0
    var high = grid.count - 1
    while high - low > 1 {
      let mid = (low + high) / 2
      if grid[mid] <= v { low = mid } else { high = mid }
    }
    let w = (v - grid[low]) / (grid[high] - grid[low])
    return q[low] + Swift.min(Swift.max(w, 0), 1) * (q[high] - q[low])
  }

  /// Problems, in words.
  public func validate() -> [String] {
    var problems: [String] = []
    if !(zeroFraction >= 0 && zeroFraction <= 1) { problems.append("zeroFraction must be in [0, 1]") }
    if !(stepCorrelation >= 0 && stepCorrelation < 1) { problems.append("stepCorrelation must be in [0, 1)") }
    switch family {
    case "lognormal", "gamma", "weibull":
      guard let d = distribution else {
        problems.append("\(family) needs \(family == "lognormal" ? "mu and sigma" : "shape and scale")")
        break
      }
      do { try d.validate() } catch { problems.append("\(error)") }
    case "empirical":
      guard let q = quantiles, q.count == Self.quantileGrid.count,
        q.allSatisfy({ $0.isFinite && $0 >= 0 }), zip(q, q.dropFirst()).allSatisfy({ $0 <= $1 })
      else {
        problems.append("empirical needs \(Self.quantileGrid.count) ascending non-negative quantiles")
        break
      }
    default:
      problems.append("unknown family `\(family)` (lognormal, gamma, weibull or empirical)")
    }
    return problems
  }
}

/// Isolated one-sample spikes.
public struct FittedSpikes: Sendable, Equatable, Codable {
  /// Probability that a sample is a spike.
  public var probability: Double
  /// The same as a rate per day.
  public var ratePerDay: Double
  /// Multiplier of a spike sample.
  public var factor: Double
}
