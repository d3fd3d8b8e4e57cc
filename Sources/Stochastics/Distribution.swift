import CGSL

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A univariate probability distribution, as written in scenarios and sampled by ``RandomStream``.
///
/// Parameterisations follow GSL's: `gamma` and `exponential` use scale (mean), not rate; `weibull`
/// has CDF `1 - exp(-(x/scale)^shape)`; `pareto` is type I on `[scale, ∞)`.
public enum Distribution: Sendable, Equatable {
  /// Always `value`.
  case constant(Double)
  /// Uniform on `[min, max)`; requires `min < max`.
  case uniform(min: Double, max: Double)
  /// Normal (Gaussian); requires `sd > 0`.
  case normal(mean: Double, sd: Double)
  /// `exp(N(mu, sigma))`; requires `sigma > 0`.
  case lognormal(mu: Double, sigma: Double)
  /// Exponential with the given mean (1 / rate); requires `mean > 0`.
  case exponential(mean: Double)
  /// Gamma with mean `shape * scale`; requires `shape > 0`, `scale > 0`.
  case gamma(shape: Double, scale: Double)
  /// Weibull with CDF `1 - exp(-(x/scale)^shape)`; requires `scale > 0`, `shape > 0`.
  case weibull(scale: Double, shape: Double)
  /// Pareto type I with CDF `1 - (scale/x)^shape` for `x >= scale`; requires `shape > 0`, `scale > 0`.
  case pareto(shape: Double, scale: Double)
  /// Observed values, sampled by inverse CDF with linear interpolation (see ``EmpiricalDistribution``).
  case empirical(EmpiricalDistribution)

  /// Throws ``StochasticsError/invalidParameter(_:)`` when a parameter is non-finite or out of its
  /// domain, with a message such as "normal: sd must be > 0, got -1.0".
  public func validate() throws {
    try checkParameters()
  }

  /// The typed-throws implementation of ``validate()``.
  func checkParameters() throws(StochasticsError) {
    switch self {
    case .constant(let value):
      try Parameter.finite("constant", "value", value)
    case .uniform(let min, let max):
      try Parameter.finite("uniform", "min", min)
      try Parameter.finite("uniform", "max", max)
      guard min < max else {
        throw .invalidParameter("uniform: min must be < max, got min \(min), max \(max)")
      }
    case .normal(let mean, let sd):
      try Parameter.finite("normal", "mean", mean)
      try Parameter.positive("normal", "sd", sd)
    case .lognormal(let mu, let sigma):
      try Parameter.finite("lognormal", "mu", mu)
      try Parameter.positive("lognormal", "sigma", sigma)
    case .exponential(let mean):
      try Parameter.positive("exponential", "mean", mean)
    case .gamma(let shape, let scale):
      try Parameter.positive("gamma", "shape", shape)
      try Parameter.positive("gamma", "scale", scale)
    case .weibull(let scale, let shape):
      try Parameter.positive("weibull", "scale", scale)
      try Parameter.positive("weibull", "shape", shape)
    case .pareto(let shape, let scale):
      try Parameter.positive("pareto", "shape", shape)
      try Parameter.positive("pareto", "scale", scale)
    case .empirical:
      break  // EmpiricalDistribution.init already rejected empty and non-finite samples.
    }
  }

  private var isValid: Bool {
    (try? checkParameters()) != nil
  }

  /// The analytic mean, or `nil` when it does not exist (pareto with `shape <= 1`), is not finite
  /// in `Double`, or the parameters are invalid.
  ///
  /// For `.empirical` this is the mean of the interpolated distribution that is actually sampled
  /// (the trapezoid average of the order statistics), which can differ slightly from the plain mean
  /// of the observed values.
  public var mean: Double? {
    guard isValid else { return nil }
    let value: Double
    switch self {
    case .constant(let c):
      value = c
    case .uniform(let min, let max):
      value = min / 2 + max / 2
    case .normal(let mean, _):
      value = mean
    case .lognormal(let mu, let sigma):
      value = exp(mu + sigma * sigma / 2)
    case .exponential(let mean):
      value = mean
    case .gamma(let shape, let scale):
      value = shape * scale
    case .weibull(let scale, let shape):
      value = scale * tgamma(1 + 1 / shape)
    case .pareto(let shape, let scale):
      guard shape > 1 else { return nil }
      value = shape * scale / (shape - 1)
    case .empirical(let empirical):
      value = empirical.interpolatedMean
    }
    return value.isFinite ? value : nil
  }

  /// P(X ≤ x), using GSL's `gsl_cdf_*_P`; NaN when `x` is NaN or the parameters are invalid.
  ///
  /// `.constant(c)` is the step function `x >= c ? 1 : 0`; `.empirical` is the exact inverse of its
  /// interpolated quantile function (see ``EmpiricalDistribution/cdf(_:)``).
  public func cdf(_ x: Double) -> Double {
    guard !x.isNaN, isValid else { return .nan }
    GSL.configure()
    switch self {
    case .constant(let c):
      return x >= c ? 1 : 0
    case .uniform(let min, let max):
      return gsl_cdf_flat_P(x, min, max)
    case .normal(let mean, let sd):
      return gsl_cdf_gaussian_P(x - mean, sd)
    case .lognormal(let mu, let sigma):
      return gsl_cdf_lognormal_P(x, mu, sigma)
    case .exponential(let mean):
      return gsl_cdf_exponential_P(x, mean)
    case .gamma(let shape, let scale):
      return gsl_cdf_gamma_P(x, shape, scale)
    case .weibull(let scale, let shape):
      return gsl_cdf_weibull_P(x, scale, shape)
    case .pareto(let shape, let scale):
      return gsl_cdf_pareto_P(x, shape, scale)
    case .empirical(let empirical):
      return empirical.cdf(x)
    }
  }

  /// The `p`-quantile (inverse CDF), using GSL's `gsl_cdf_*_Pinv`; NaN when `p` is outside [0, 1]
  /// or the parameters are invalid. `quantile(0)` and `quantile(1)` may be infinite.
  public func quantile(_ p: Double) -> Double {
    guard p >= 0, p <= 1, isValid else { return .nan }
    GSL.configure()
    switch self {
    case .constant(let c):
      return c
    case .uniform(let min, let max):
      return gsl_cdf_flat_Pinv(p, min, max)
    case .normal(let mean, let sd):
      return mean + gsl_cdf_gaussian_Pinv(p, sd)
    case .lognormal(let mu, let sigma):
      return gsl_cdf_lognormal_Pinv(p, mu, sigma)
    case .exponential(let mean):
      return gsl_cdf_exponential_Pinv(p, mean)
    case .gamma(let shape, let scale):
      return gsl_cdf_gamma_Pinv(p, shape, scale)
    case .weibull(let scale, let shape):
      return gsl_cdf_weibull_Pinv(p, scale, shape)
    case .pareto(let shape, let scale):
      return gsl_cdf_pareto_Pinv(p, shape, scale)
    case .empirical(let empirical):
      return empirical.quantile(p)
    }
  }
}

/// Shared parameter checks, so validation messages read the same everywhere.
enum Parameter {
  /// Throws unless `value` is finite.
  static func finite(_ distribution: String, _ name: String, _ value: Double) throws(StochasticsError) {
    guard value.isFinite else {
      throw .invalidParameter("\(distribution): \(name) must be finite, got \(value)")
    }
  }

  /// Throws unless `value` is finite and > 0.
  static func positive(_ distribution: String, _ name: String, _ value: Double) throws(StochasticsError) {
    try finite(distribution, name, value)
    guard value > 0 else {
      throw .invalidParameter("\(distribution): \(name) must be > 0, got \(value)")
    }
  }
}
