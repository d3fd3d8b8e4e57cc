import CGSL

/// A named, reproducible random stream backed by GSL's Mersenne Twister (`gsl_rng_mt19937`).
///
/// A stream owns a C generator, so it is deliberately **not** `Sendable`: give each task or actor its
/// own stream (see ``StreamFactory``) instead of sharing one. Two streams with the same run seed and
/// name produce the same sequence in any process.
///
/// Sampling methods check their parameters with `precondition`, using the same rules and messages
/// as ``Distribution/validate()``; validate configuration up front to report bad input as an error.
public final class RandomStream {
  /// The stream's name, e.g. "workload" or "arrivals/web".
  public let name: String
  /// The 64-bit seed derived from the run seed and ``name`` by ``SeedDerivation``.
  public let seed: UInt64
  private let rng: UnsafeMutablePointer<gsl_rng>

  /// Creates the stream `name` of the run seeded with `runSeed`.
  ///
  /// The derived 64-bit ``seed`` is folded to 32 bits (low 32 bits XOR high 32 bits) for
  /// `gsl_rng_set`, because GSL's mt19937 only uses the low 32 bits of its `unsigned long` seed.
  /// Only 32 bits reach the generator, so two names share a sequence with probability 2⁻³² per pair.
  /// A folded seed of 0 is valid: GSL replaces it with its default seed 4357, so folded seeds 0 and
  /// 4357 give the same sequence.
  public convenience init(runSeed: UInt64, name: String) {
    self.init(name: name, seed: SeedDerivation.derive(runSeed: runSeed, name: name))
  }

  /// Creates a stream from an already derived 64-bit seed (tests use it to reach edge-case seeds).
  init(name: String, seed: UInt64) {
    GSL.configure()
    self.name = name
    self.seed = seed
    guard let rng = gsl_rng_alloc(yunhe_rng_mt19937()) else {
      fatalError("RandomStream(\(name)): gsl_rng_alloc failed (out of memory)")
    }
    self.rng = rng
    gsl_rng_set(rng, UInt(Self.gslSeed(seed)))
  }

  deinit {
    gsl_rng_free(rng)
  }

  /// The 32-bit value passed to `gsl_rng_set`: the low 32 bits of `seed` XOR its high 32 bits.
  static func gslSeed(_ seed: UInt64) -> UInt32 {
    UInt32(truncatingIfNeeded: seed) ^ UInt32(truncatingIfNeeded: seed >> 32)
  }

  /// A uniform draw from [0, 1) (`gsl_rng_uniform`, 32 bits of resolution).
  public func uniform() -> Double {
    gsl_rng_uniform(rng)
  }

  /// A uniform draw from [a, b); requires finite `a < b`.
  public func uniform(_ a: Double, _ b: Double) -> Double {
    require(.uniform(min: a, max: b))
    return gsl_ran_flat(rng, a, b)
  }

  /// A uniform integer in `0..<n`; requires `n > 0`.
  ///
  /// For `n <= UInt32.max` this is exactly `gsl_rng_uniform_int` (division by `range / n`, rejecting
  /// the top remainder, so no modulo bias). Larger `n` use the same scheme on 64 bits built from two
  /// 32-bit outputs.
  public func int(below n: Int) -> Int {
    precondition(n > 0, "RandomStream.int(below:): n must be > 0, got \(n)")
    if UInt64(n) <= UInt64(UInt32.max) {
      return Int(gsl_rng_uniform_int(rng, UInt(n)))
    }
    let bound = UInt64(n)
    let scale = UInt64.max / bound
    while true {
      let high = UInt64(gsl_rng_get(rng) & 0xffff_ffff)
      let low = UInt64(gsl_rng_get(rng) & 0xffff_ffff)
      let k = ((high << 32) | low) / scale
      if k < bound { return Int(k) }
    }
  }

  /// A normal draw; requires finite `mean` and finite `sd > 0`.
  public func normal(mean: Double, sd: Double) -> Double {
    require(.normal(mean: mean, sd: sd))
    return mean + gsl_ran_gaussian(rng, sd)
  }

  /// A lognormal draw: `exp(N(mu, sigma))`; requires finite `mu` and finite `sigma > 0`.
  public func lognormal(mu: Double, sigma: Double) -> Double {
    require(.lognormal(mu: mu, sigma: sigma))
    return gsl_ran_lognormal(rng, mu, sigma)
  }

  /// An exponential draw with the given mean (1 / rate); requires finite `mean > 0`.
  public func exponential(mean: Double) -> Double {
    require(.exponential(mean: mean))
    return gsl_ran_exponential(rng, mean)
  }

  /// A gamma draw (mean `shape * scale`); requires finite `shape > 0` and `scale > 0`.
  public func gamma(shape: Double, scale: Double) -> Double {
    require(.gamma(shape: shape, scale: scale))
    return gsl_ran_gamma(rng, shape, scale)
  }

  /// A Weibull draw with CDF `1 - exp(-(x/scale)^shape)`; requires finite `scale > 0`, `shape > 0`.
  public func weibull(scale: Double, shape: Double) -> Double {
    require(.weibull(scale: scale, shape: shape))
    return gsl_ran_weibull(rng, scale, shape)
  }

  /// A Pareto (type I) draw, `x >= scale`, CDF `1 - (scale/x)^shape`; requires finite positive params.
  public func pareto(shape: Double, scale: Double) -> Double {
    require(.pareto(shape: shape, scale: scale))
    return gsl_ran_pareto(rng, shape, scale)
  }

  /// `true` with probability `p`; requires `0 <= p <= 1`.
  public func bernoulli(_ p: Double) -> Bool {
    precondition(p >= 0 && p <= 1, "RandomStream.bernoulli: p must be in [0, 1], got \(p)")
    return gsl_ran_bernoulli(rng, p) == 1
  }

  /// The largest Poisson mean accepted, so that draws fit GSL's 32-bit result with a wide margin.
  static let maximumPoissonMean: Double = 1e9

  /// A Poisson draw; requires `0 <= mean <= 1e9` (so the result fits GSL's 32-bit return value).
  public func poisson(mean: Double) -> Int {
    precondition(
      mean >= 0 && mean <= Self.maximumPoissonMean,
      "RandomStream.poisson: mean must be in [0, \(Self.maximumPoissonMean)], got \(mean)")
    return Int(gsl_ran_poisson(rng, mean))
  }

  /// A draw from `d`; requires `d` to be valid (see ``Distribution/validate()``).
  ///
  /// `.constant` consumes no random numbers; `.empirical` uses one ``uniform()`` draw and
  /// ``EmpiricalDistribution/quantile(_:)``; the others call the matching method above.
  public func sample(_ d: Distribution) -> Double {
    switch d {
    case .constant(let value):
      require(d)
      return value
    case .uniform(let min, let max):
      return uniform(min, max)
    case .normal(let mean, let sd):
      return normal(mean: mean, sd: sd)
    case .lognormal(let mu, let sigma):
      return lognormal(mu: mu, sigma: sigma)
    case .exponential(let mean):
      return exponential(mean: mean)
    case .gamma(let shape, let scale):
      return gamma(shape: shape, scale: scale)
    case .weibull(let scale, let shape):
      return weibull(scale: scale, shape: shape)
    case .pareto(let shape, let scale):
      return pareto(shape: shape, scale: scale)
    case .empirical(let empirical):
      return empirical.quantile(uniform())
    }
  }

  /// Shuffles `a` in place (Fisher–Yates, drawing indices with ``int(below:)``).
  public func shuffle<T>(_ a: inout [T]) {
    guard a.count > 1 else { return }
    for i in stride(from: a.count - 1, to: 0, by: -1) {
      let j = int(below: i + 1)
      if i != j { a.swapAt(i, j) }
    }
  }

  private func require(_ d: Distribution) {
    do {
      try d.checkParameters()
    } catch {
      preconditionFailure("RandomStream(\(name)): \(error)")
    }
  }
}

/// A stream owns a mutable C generator: it must never cross concurrency domains.
@available(*, unavailable)
extension RandomStream: Sendable {}

/// Creates independent named streams from one run seed; same (seed, name) → same sequence, in any
/// process.
public struct StreamFactory: Sendable {
  /// The run seed every stream's seed is derived from.
  public let runSeed: UInt64

  /// Creates a factory for the run seeded with `runSeed`.
  public init(runSeed: UInt64) {
    self.runSeed = runSeed
  }

  /// A new stream called `name`, positioned at its first draw. Each call returns a fresh stream.
  public func stream(_ name: String) -> RandomStream {
    RandomStream(runSeed: runSeed, name: name)
  }
}
