import CGSL

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Descriptive statistics and confidence intervals over samples of `Double`, computed with GSL.
///
/// Functions that need more values than they were given throw
/// ``StochasticsError/emptySample(_:)``; bad parameters throw
/// ``StochasticsError/invalidParameter(_:)``. Non-finite values propagate as IEEE arithmetic does,
/// except in ``quantile(_:_:)``, which rejects NaN because it has to sort.
public enum Statistics {
  /// The arithmetic mean (`gsl_stats_mean`); needs at least 1 value.
  public static func mean(_ x: [Double]) throws -> Double {
    try require(x, atLeast: 1, "mean")
    GSL.configure()
    return x.withUnsafeBufferPointer { gsl_stats_mean($0.baseAddress, 1, $0.count) }
  }

  /// The sample variance with divisor n − 1 (`gsl_stats_variance`); needs at least 2 values.
  public static func variance(_ x: [Double]) throws -> Double {
    try require(x, atLeast: 2, "variance")
    GSL.configure()
    return x.withUnsafeBufferPointer { gsl_stats_variance($0.baseAddress, 1, $0.count) }
  }

  /// The sample standard deviation, the square root of ``variance(_:)`` (`gsl_stats_sd`); needs at
  /// least 2 values.
  public static func standardDeviation(_ x: [Double]) throws -> Double {
    try require(x, atLeast: 2, "standardDeviation")
    GSL.configure()
    return x.withUnsafeBufferPointer { gsl_stats_sd($0.baseAddress, 1, $0.count) }
  }

  /// The `p`-quantile of `x` (type 7: linear interpolation between order statistics, as R's default).
  ///
  /// Sorts a copy, then calls ``quantile(sorted:_:)``. Needs at least 1 value; throws
  /// ``StochasticsError/invalidParameter(_:)`` when `p` is outside [0, 1] or `x` contains NaN.
  public static func quantile(_ x: [Double], _ p: Double) throws -> Double {
    try require(x, atLeast: 1, "quantile")
    guard p >= 0, p <= 1 else {
      throw StochasticsError.invalidParameter("quantile: p must be in [0, 1], got \(p)")
    }
    if let index = x.firstIndex(where: { $0.isNaN }) {
      throw StochasticsError.invalidParameter("quantile: value at index \(index) is NaN")
    }
    return quantile(sorted: x.sorted(), p)
  }

  /// The `p`-quantile of already ascending-sorted values (`gsl_stats_quantile_from_sorted_data`).
  ///
  /// Returns NaN when `sorted` is empty or `p` is outside [0, 1] (GSL itself would read out of
  /// bounds). Sortedness is the caller's responsibility and is not checked, to keep this O(1).
  public static func quantile(sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty, p >= 0, p <= 1 else { return .nan }
    GSL.configure()
    return sorted.withUnsafeBufferPointer {
      gsl_stats_quantile_from_sorted_data($0.baseAddress, 1, $0.count, p)
    }
  }

  /// The sample autocorrelation at `lag`:
  /// `Σ_{t<n-lag} (x[t] - m)(x[t+lag] - m) / Σ_t (x[t] - m)²`, with `m` the sample mean.
  ///
  /// This is the standard (biased, divisor-n) estimator; at lag 1 it equals
  /// `gsl_stats_lag1_autocorrelation`, which it uses. Lag 0 gives 1. Needs at least 2 values and
  /// `0 <= lag < x.count`; a constant sample (zero variance) throws
  /// ``StochasticsError/invalidParameter(_:)`` because the autocorrelation is undefined.
  public static func autocorrelation(_ x: [Double], lag: Int) throws -> Double {
    try require(x, atLeast: 2, "autocorrelation")
    guard lag >= 0, lag < x.count else {
      throw StochasticsError.invalidParameter(
        "autocorrelation: lag must be in 0..<\(x.count), got \(lag)")
    }
    GSL.configure()
    let m = x.withUnsafeBufferPointer { gsl_stats_mean($0.baseAddress, 1, $0.count) }
    var denominator = 0.0
    for value in x {
      denominator += (value - m) * (value - m)
    }
    guard denominator > 0 else {
      throw StochasticsError.invalidParameter("autocorrelation: sample is constant (zero variance)")
    }
    if lag == 1 {
      return x.withUnsafeBufferPointer { gsl_stats_lag1_autocorrelation($0.baseAddress, 1, $0.count) }
    }
    var numerator = 0.0
    for t in 0..<(x.count - lag) {
      numerator += (x[t] - m) * (x[t + lag] - m)
    }
    return numerator / denominator
  }

  /// A two-sided confidence interval for a mean.
  public struct ConfidenceInterval: Sendable, Equatable {
    /// The sample mean, the centre of the interval.
    public let mean: Double
    /// `mean - halfWidth`.
    public let lower: Double
    /// `mean + halfWidth`.
    public let upper: Double
    /// `t_{(1+level)/2, n-1} · s / √n`.
    public let halfWidth: Double
    /// The confidence level in (0, 1), e.g. 0.95.
    public let level: Double
    /// The number of observations.
    public let n: Int

    /// Creates an interval; `lower` and `upper` are derived from `mean` and `halfWidth`.
    init(mean: Double, halfWidth: Double, level: Double, n: Int) {
      self.mean = mean
      self.lower = mean - halfWidth
      self.upper = mean + halfWidth
      self.halfWidth = halfWidth
      self.level = level
      self.n = n
    }
  }

  /// The Student-t confidence interval for the mean of independent observations `x`, with the
  /// critical value from `gsl_cdf_tdist_Pinv((1 + level) / 2, n - 1)`.
  ///
  /// Needs at least 2 values; `level` must be in (0, 1). Throws ``StochasticsError/gsl(code:context:)``
  /// if GSL cannot produce a finite critical value.
  public static func tConfidenceInterval(_ x: [Double], level: Double = 0.95) throws -> ConfidenceInterval {
    try require(x, atLeast: 2, "tConfidenceInterval")
    guard level > 0, level < 1 else {
      throw StochasticsError.invalidParameter("tConfidenceInterval: level must be in (0, 1), got \(level)")
    }
    GSL.configure()
    let n = x.count
    let degrees = Double(n - 1)
    let (mean, sd) = x.withUnsafeBufferPointer { buffer in
      let m = gsl_stats_mean(buffer.baseAddress, 1, n)
      return (m, gsl_stats_sd_m(buffer.baseAddress, 1, n, m))
    }
    let t = try GSL.finite(
      gsl_cdf_tdist_Pinv(0.5 + level / 2, degrees),
      "gsl_cdf_tdist_Pinv(\(0.5 + level / 2), \(degrees))")
    return ConfidenceInterval(mean: mean, halfWidth: t * sd / Double(n).squareRoot(), level: level, n: n)
  }

  private static func require(_ x: [Double], atLeast count: Int, _ function: String) throws(StochasticsError)
  {
    guard x.count >= count else {
      let values = count == 1 ? "value" : "values"
      throw .emptySample("\(function): needs at least \(count) \(values), got \(x.count)")
    }
  }
}
