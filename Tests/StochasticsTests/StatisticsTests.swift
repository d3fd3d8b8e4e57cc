import Testing

@testable import Stochastics

@Suite struct StatisticsTests {
  private let hand: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]

  @Test func meanVarianceAndStandardDeviation() throws {
    #expect(try Statistics.mean(hand) == 5)
    // Σ(x − 5)² = 32, divided by n − 1 = 7.
    #expect(abs(try Statistics.variance(hand) - 32.0 / 7) < 1e-12)
    #expect(abs(try Statistics.standardDeviation(hand) - (32.0 / 7).squareRoot()) < 1e-12)
    #expect(try Statistics.mean([3]) == 3)
  }

  @Test func type7Quantiles() throws {
    // h = (n − 1)p = 7p; interpolate between order statistics.
    let shuffled: [Double] = [9, 4, 5, 2, 7, 4, 5, 4]
    #expect(try Statistics.quantile(shuffled, 0) == 2)
    #expect(try Statistics.quantile(shuffled, 0.25) == 4)
    #expect(try Statistics.quantile(shuffled, 0.5) == 4.5)
    #expect(abs(try Statistics.quantile(shuffled, 0.9) - 7.6) < 1e-12)
    #expect(try Statistics.quantile(shuffled, 1) == 9)
    #expect(Statistics.quantile(sorted: hand, 0.5) == 4.5)
    #expect(Statistics.quantile(sorted: [], 0.5).isNaN)
    #expect(Statistics.quantile(sorted: hand, -0.5).isNaN)
  }

  @Test func autocorrelation() throws {
    let trend: [Double] = [1, 2, 3, 4, 5]
    // Deviations −2…2, Σ dev² = 10; lag-1 products sum to 4, lag-2 products to −1.
    #expect(try Statistics.autocorrelation(trend, lag: 0) == 1)
    #expect(abs(try Statistics.autocorrelation(trend, lag: 1) - 0.4) < 1e-12)
    #expect(abs(try Statistics.autocorrelation(trend, lag: 2) + 0.1) < 1e-12)
    #expect(abs(try Statistics.autocorrelation(trend, lag: 4) + 0.4) < 1e-12)
    let alternating: [Double] = [1, -1, 1, -1, 1, -1]
    #expect(try Statistics.autocorrelation(alternating, lag: 1) < -0.8)
    #expect(try Statistics.autocorrelation(alternating, lag: 2) > 0.6)
  }

  @Test func autocorrelationOfIndependentDrawsIsNearZero() throws {
    let stream = RandomStream(runSeed: 5, name: "acf")
    let x = (0..<10_000).map { _ in stream.normal(mean: 0, sd: 1) }
    // Under independence the lag-k estimate has standard error ≈ 1/√n = 0.01.
    for lag in 1...3 {
      #expect(abs(try Statistics.autocorrelation(x, lag: lag)) < 0.04)
    }
  }

  @Test func tConfidenceIntervalMatchesTextbook() throws {
    let x: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    let ci = try Statistics.tConfidenceInterval(x)
    // s² = 82.5 / 9; t_{0.975, 9} = 2.262157 from tables.
    let expectedHalfWidth = 2.262157 * (82.5 / 9).squareRoot() / 10.0.squareRoot()
    #expect(ci.mean == 5.5)
    #expect(ci.n == 10)
    #expect(ci.level == 0.95)
    #expect(abs(ci.halfWidth - expectedHalfWidth) < 1e-5)
    #expect(abs(ci.lower - (5.5 - expectedHalfWidth)) < 1e-5)
    #expect(abs(ci.upper - (5.5 + expectedHalfWidth)) < 1e-5)

    // t_{0.995, 9} = 3.249836.
    let wide = try Statistics.tConfidenceInterval(x, level: 0.99)
    #expect(abs(wide.halfWidth - 3.249836 * (82.5 / 9).squareRoot() / 10.0.squareRoot()) < 1e-5)
  }

  @Test func emptyAndShortSamplesThrow() {
    #expect(throws: StochasticsError.emptySample("mean: needs at least 1 value, got 0")) {
      try Statistics.mean([])
    }
    #expect(throws: StochasticsError.emptySample("variance: needs at least 2 values, got 1")) {
      try Statistics.variance([1])
    }
    #expect(throws: StochasticsError.self) { try Statistics.variance([]) }
    #expect(throws: StochasticsError.self) { try Statistics.standardDeviation([]) }
    #expect(throws: StochasticsError.self) { try Statistics.quantile([], 0.5) }
    #expect(throws: StochasticsError.self) { try Statistics.autocorrelation([1], lag: 0) }
    #expect(throws: StochasticsError.self) { try Statistics.tConfidenceInterval([1]) }
  }

  @Test func invalidParametersThrow() {
    #expect(throws: StochasticsError.invalidParameter("quantile: p must be in [0, 1], got 1.5")) {
      try Statistics.quantile([1, 2], 1.5)
    }
    #expect(throws: StochasticsError.self) { try Statistics.quantile([1, 2], .nan) }
    #expect(throws: StochasticsError.invalidParameter("quantile: value at index 1 is NaN")) {
      try Statistics.quantile([1, .nan], 0.5)
    }
    #expect(throws: StochasticsError.self) { try Statistics.autocorrelation([1, 2, 3], lag: 3) }
    #expect(throws: StochasticsError.self) { try Statistics.autocorrelation([1, 2, 3], lag: -1) }
    #expect(throws: StochasticsError.self) { try Statistics.autocorrelation([2, 2, 2], lag: 1) }
    #expect(throws: StochasticsError.self) { try Statistics.tConfidenceInterval([1, 2], level: 1) }
    #expect(throws: StochasticsError.self) { try Statistics.tConfidenceInterval([1, 2], level: .nan) }
  }
}

@Suite struct GSLErrorTests {
  @Test func configureIsIdempotent() {
    GSL.configure()
    GSL.configure()
    #expect(Distribution.gamma(shape: 2, scale: 1).quantile(1) == .infinity)
  }

  @Test func statusCodesBecomeErrors() throws {
    try GSL.check(0, "ok")
    #expect(throws: StochasticsError.gsl(code: 1, context: "probe")) { try GSL.check(1, "probe") }
    #expect(try GSL.finite(2.5, "probe") == 2.5)
    #expect(throws: StochasticsError.self) { try GSL.finite(.nan, "probe") }
  }

  @Test func descriptionsAreReadable() {
    let gsl = StochasticsError.gsl(code: 1, context: "gsl_cdf_tdist_Pinv")
    #expect(gsl.description == "GSL error 1 (input domain error): gsl_cdf_tdist_Pinv")
    #expect(StochasticsError.invalidParameter("x").description == "invalid parameter: x")
    #expect(StochasticsError.emptySample("y").description == "empty sample: y")
  }
}
