import Testing

@testable import Stochastics

/// A fixed, skewed sample with ties, for the empirical distribution.
private let observed: [Double] = [
  0.4, 1.2, 1.2, 1.9, 2.3, 2.8, 3.1, 3.1, 3.1, 3.6, 4.4, 5.0, 5.7, 6.9, 8.2, 9.9, 12.5, 17.0, 24.0, 40.0,
]

/// Every continuous case, with parameters chosen so that swapping two parameters changes the
/// distribution (e.g. weibull scale ≠ shape) and every variance is finite (pareto shape > 2).
private let continuous: [Distribution] = [
  .uniform(min: -2, max: 5),
  .normal(mean: 10, sd: 3),
  .lognormal(mu: 1, sigma: 0.5),
  .exponential(mean: 2.5),
  .gamma(shape: 2.5, scale: 1.5),
  .weibull(scale: 2, shape: 1.5),
  .pareto(shape: 3.5, scale: 2),
  .empirical(try! EmpiricalDistribution(observed)),
]

private let sampleSize = 20_000

/// `sampleSize` draws from `d` on a stream named after it, sorted ascending.
private func sortedSample(_ d: Distribution, name: String = "") -> [Double] {
  let stream = RandomStream(runSeed: 2024, name: "distribution-test \(d) \(name)")
  return (0..<sampleSize).map { _ in stream.sample(d) }.sorted()
}

/// The Kolmogorov–Smirnov statistic sup |F_n(x) − F(x)| of a sorted sample against `cdf`.
///
/// Compares at each distinct sample value `x`: F_n(x) against F(x), and F_n just below `x` against
/// F(x⁻) (taken at `x.nextDown`), so atoms such as tied empirical values are handled exactly.
private func ksStatistic(_ sorted: [Double], _ cdf: (Double) -> Double) -> Double {
  let n = Double(sorted.count)
  var d = 0.0
  var first = 0
  while first < sorted.count {
    let x = sorted[first]
    var end = first
    while end < sorted.count && sorted[end] == x { end += 1 }
    d = max(d, abs(Double(end) / n - cdf(x)), abs(Double(first) / n - cdf(x.nextDown)))
    first = end
  }
  return d
}

/// 1.5 × the 5 % critical value of the Kolmogorov–Smirnov test, 1.36/√n.
private let ksLimit = 1.36 / Double(sampleSize).squareRoot() * 1.5

@Suite struct DistributionSamplingTests {
  /// One 20 000-draw sample per distribution, checked three ways:
  /// - the sample mean is within 4 standard errors (sample sd / √n) of the analytic mean;
  /// - the sample p-quantile (p = 0.1, 0.5, 0.9) lies between GSL's quantiles at p ∓ 4·√(p(1−p)/n),
  ///   because the CDF value of a sample quantile is asymptotically normal with sd √(p(1−p)/n);
  ///   that is ±0.0085 at p = 0.1 and 0.9 and ±0.0141 at p = 0.5, whatever the density;
  /// - the Kolmogorov–Smirnov distance is below 1.5 × 1.36/√n ≈ 0.0144.
  @Test(arguments: continuous)
  func samplesMatchTheDistribution(_ d: Distribution) throws {
    let sample = sortedSample(d)
    let n = Double(sample.count)

    let mean = try #require(d.mean)
    let standardError = try Statistics.standardDeviation(sample) / n.squareRoot()
    let sampleMean = try Statistics.mean(sample)
    #expect(abs(sampleMean - mean) < 4 * standardError, "mean \(sampleMean) vs \(mean), SE \(standardError)")

    for p in [0.1, 0.5, 0.9] {
      let tolerance = 4 * (p * (1 - p) / n).squareRoot()
      let q = Statistics.quantile(sorted: sample, p)
      #expect(d.quantile(p - tolerance) <= q && q <= d.quantile(p + tolerance), "p \(p): \(q)")
    }

    let statistic = ksStatistic(sample, d.cdf)
    #expect(statistic < ksLimit, "D = \(statistic), limit \(ksLimit)")
  }

  @Test func kolmogorovSmirnovDetectsAWrongDistribution() {
    // Negative control: the checks above would catch a shifted mean or swapped parameters.
    let normal = sortedSample(.normal(mean: 10, sd: 3))
    #expect(ksStatistic(normal, Distribution.normal(mean: 10.5, sd: 3).cdf) > ksLimit)
    let weibull = sortedSample(.weibull(scale: 2, shape: 1.5))
    #expect(ksStatistic(weibull, Distribution.weibull(scale: 1.5, shape: 2).cdf) > ksLimit)
  }

  @Test func constantNeedsNoRandomness() {
    let a = RandomStream(runSeed: 1, name: "constant")
    let b = RandomStream(runSeed: 1, name: "constant")
    #expect(a.sample(.constant(3.5)) == 3.5)
    #expect(a.uniform() == b.uniform())
  }

  @Test func empiricalSamplesStayWithinObservedRange() {
    let sample = sortedSample(.empirical(try! EmpiricalDistribution(observed)), name: "range")
    #expect(sample.first! >= 0.4)
    #expect(sample.last! <= 40)
  }
}

@Suite struct DistributionFunctionTests {
  @Test(arguments: continuous)
  func quantileInvertsCDF(_ d: Distribution) {
    for p in [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99] {
      let q = d.quantile(p)
      if case .empirical = d {
        // Tied values are atoms: F jumps over p there, so only the generalised-inverse laws hold.
        #expect(d.cdf(q) >= p - 1e-12, "p \(p)")
        #expect(d.quantile(d.cdf(q)) == q, "p \(p)")
      } else {
        #expect(abs(d.cdf(q) - p) < 1e-9, "p \(p)")
      }
    }
  }

  @Test func knownValues() throws {
    #expect(abs(Distribution.normal(mean: 10, sd: 2).quantile(0.975) - 13.919927969080108) < 1e-9)
    #expect(abs(Distribution.normal(mean: 10, sd: 2).cdf(10) - 0.5) < 1e-15)
    #expect(abs(Distribution.exponential(mean: 2).cdf(2) - (1 - 0.36787944117144233)) < 1e-12)
    #expect(abs(Distribution.uniform(min: 2, max: 6).quantile(0.25) - 3) < 1e-12)
    #expect(abs(Distribution.weibull(scale: 2, shape: 1.5).cdf(2) - (1 - 0.36787944117144233)) < 1e-12)
    #expect(abs(Distribution.pareto(shape: 3, scale: 2).cdf(4) - 0.875) < 1e-12)
    #expect(abs(Distribution.gamma(shape: 1, scale: 3).cdf(3) - (1 - 0.36787944117144233)) < 1e-12)
    #expect(abs(Distribution.lognormal(mu: 1, sigma: 0.5).quantile(0.5) - 2.718281828459045) < 1e-9)
    #expect(Distribution.constant(2).cdf(1.999) == 0)
    #expect(Distribution.constant(2).cdf(2) == 1)
    #expect(Distribution.constant(2).quantile(0.3) == 2)
  }

  @Test func analyticMeans() throws {
    #expect(Distribution.constant(-1).mean == -1)
    #expect(Distribution.uniform(min: 2, max: 6).mean == 4)
    #expect(Distribution.normal(mean: 10, sd: 3).mean == 10)
    #expect(abs(try #require(Distribution.lognormal(mu: 1, sigma: 0.5).mean) - 3.080216848918031) < 1e-12)
    #expect(Distribution.exponential(mean: 2.5).mean == 2.5)
    #expect(Distribution.gamma(shape: 2.5, scale: 1.5).mean == 3.75)
    // 2 · Γ(1 + 1/1.5) = 2 · 0.9027452929509336
    #expect(abs(try #require(Distribution.weibull(scale: 2, shape: 1.5).mean) - 1.8054905859018672) < 1e-12)
    #expect(Distribution.pareto(shape: 3, scale: 2).mean == 3)
    #expect(Distribution.pareto(shape: 1, scale: 2).mean == nil)
    #expect(Distribution.pareto(shape: 0.5, scale: 2).mean == nil)
    #expect(Distribution.normal(mean: 0, sd: -1).mean == nil)
  }

  @Test func invalidParametersThrow() {
    #expect(throws: StochasticsError.invalidParameter("normal: sd must be > 0, got -1.0")) {
      try Distribution.normal(mean: 0, sd: -1).validate()
    }
    #expect(throws: StochasticsError.invalidParameter("normal: mean must be finite, got nan")) {
      try Distribution.normal(mean: .nan, sd: 1).validate()
    }
    let invalid: [Distribution] = [
      .constant(.infinity),
      .uniform(min: 1, max: 1),
      .uniform(min: 2, max: 1),
      .uniform(min: 0, max: .infinity),
      .normal(mean: 0, sd: 0),
      .lognormal(mu: 0, sigma: .nan),
      .exponential(mean: 0),
      .exponential(mean: -.infinity),
      .gamma(shape: -1, scale: 1),
      .gamma(shape: 1, scale: 0),
      .weibull(scale: 0, shape: 1),
      .weibull(scale: 1, shape: .nan),
      .pareto(shape: 0, scale: 1),
      .pareto(shape: 1, scale: -2),
    ]
    for d in invalid {
      #expect(throws: StochasticsError.self, "\(d)") { try d.validate() }
      #expect(d.cdf(1).isNaN)
      #expect(d.quantile(0.5).isNaN)
      #expect(d.mean == nil)
    }
    for d in continuous + [.constant(0)] {
      #expect(throws: Never.self) { try d.validate() }
    }
  }

  @Test func outOfRangeProbabilitiesGiveNaN() {
    for d in continuous {
      #expect(d.quantile(-0.1).isNaN)
      #expect(d.quantile(1.1).isNaN)
      #expect(d.quantile(.nan).isNaN)
      #expect(d.cdf(.nan).isNaN)
    }
  }
}

@Suite struct EmpiricalDistributionTests {
  @Test func sortsAndInterpolates() throws {
    let e = try EmpiricalDistribution([3, 1, 4, 2])
    #expect(e.sortedValues == [1, 2, 3, 4])
    #expect(e.quantile(0) == 1)
    #expect(e.quantile(1) == 4)
    #expect(abs(e.quantile(0.5) - 2.5) < 1e-12)
    #expect(abs(e.quantile(0.1) - 1.3) < 1e-12)
    #expect(e.quantile(1.5).isNaN)
    let d = Distribution.empirical(e)
    #expect(d.cdf(0.5) == 0)
    #expect(d.cdf(4) == 1)
    #expect(abs(d.cdf(2.5) - 0.5) < 1e-12)
    #expect(abs(d.cdf(1.3) - 0.1) < 1e-12)
    #expect(d.mean == 2.5)
  }

  @Test func tiesAndSingleValues() throws {
    let tied = Distribution.empirical(try EmpiricalDistribution([1, 2, 2, 3]))
    #expect(tied.quantile(0.5) == 2)
    #expect(abs(tied.cdf(2) - 2.0 / 3) < 1e-12)
    #expect(abs(tied.cdf(1.5) - 1.0 / 6) < 1e-12)
    // Trapezoid mean: (1.5 + 2 + 2.5) / 3.
    #expect(tied.mean == 2)

    let single = Distribution.empirical(try EmpiricalDistribution([7]))
    #expect(single.quantile(0.3) == 7)
    #expect(single.cdf(6.9) == 0)
    #expect(single.cdf(7) == 1)
    #expect(single.mean == 7)
  }

  @Test func rejectsEmptyAndNonFiniteValues() {
    #expect(throws: StochasticsError.emptySample("empirical: no values")) {
      try EmpiricalDistribution([])
    }
    #expect(throws: StochasticsError.invalidParameter("empirical: values must be finite, got nan at index 1"))
    {
      try EmpiricalDistribution([1, .nan])
    }
    #expect(throws: StochasticsError.self) { try EmpiricalDistribution([.infinity]) }
  }

  @Test func equalityUsesSortedValues() throws {
    #expect(try EmpiricalDistribution([2, 1]) == EmpiricalDistribution([1, 2]))
    #expect(try Distribution.empirical(EmpiricalDistribution([1])) != .empirical(EmpiricalDistribution([2])))
  }
}
