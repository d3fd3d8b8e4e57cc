/// An empirical distribution built from observed values.
///
/// It keeps a sorted copy of the values `s[0] <= … <= s[n-1]` and samples by inverse CDF with linear
/// interpolation between order statistics: `quantile(p)` is the type-7 sample quantile
/// (`h = (n-1)p`, `s[⌊h⌋] + (h-⌊h⌋)(s[⌊h⌋+1] - s[⌊h⌋])`), so samples lie in `[s[0], s[n-1]]`.
public struct EmpiricalDistribution: Sendable, Equatable {
  /// The observed values, sorted ascending; never empty, all finite.
  public let sortedValues: [Double]

  /// Creates the distribution of `values`.
  ///
  /// Throws ``StochasticsError/emptySample(_:)`` for no values and
  /// ``StochasticsError/invalidParameter(_:)`` for a NaN or infinite value.
  public init(_ values: [Double]) throws {
    guard !values.isEmpty else {
      throw StochasticsError.emptySample("empirical: no values")
    }
    if let index = values.firstIndex(where: { !$0.isFinite }) {
      throw StochasticsError.invalidParameter(
        "empirical: values must be finite, got \(values[index]) at index \(index)")
    }
    sortedValues = values.sorted()
  }

  /// The interpolated `p`-quantile (type 7, `gsl_stats_quantile_from_sorted_data`); NaN when `p` is
  /// outside [0, 1].
  public func quantile(_ p: Double) -> Double {
    Statistics.quantile(sorted: sortedValues, p)
  }

  /// P(X ≤ x) of the interpolated distribution: the exact inverse of ``quantile(_:)``.
  ///
  /// 0 below the smallest value, 1 from the largest on, and in between
  /// `(i + (x - s[i]) / (s[i+1] - s[i])) / (n - 1)` for the largest `i` with `s[i] <= x`. Tied
  /// values make it jump, just as the quantile function is flat there.
  func cdf(_ x: Double) -> Double {
    let s = sortedValues
    let n = s.count
    if x < s[0] { return 0 }
    if x >= s[n - 1] { return 1 }
    // Largest i with s[i] <= x; here 0 <= i < n - 1 and s[i + 1] > x.
    var low = 0
    var high = n - 1
    while high - low > 1 {
      let mid = (low + high) / 2
      if s[mid] <= x { low = mid } else { high = mid }
    }
    let fraction = (x - s[low]) / (s[low + 1] - s[low])
    return (Double(low) + fraction) / Double(n - 1)
  }

  /// The mean of the interpolated distribution: `∫₀¹ quantile(p) dp`, the trapezoid average.
  var interpolatedMean: Double {
    let s = sortedValues
    guard s.count > 1 else { return s[0] }
    var sum = 0.0
    for i in 0..<(s.count - 1) {
      sum += (s[i] + s[i + 1]) / 2
    }
    return sum / Double(s.count - 1)
  }
}
