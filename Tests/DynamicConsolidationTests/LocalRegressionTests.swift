import Foundation
import Testing

@testable import DynamicConsolidation

/// The robust loess of LRR's default mode against values computed independently.
///
/// The reference values come from this numpy script (weighted least squares by numpy's SVD-based
/// `lstsq` on the √w-scaled design [1, x], not by the centred sums of `weightedFit`):
///
/// ```python
/// import numpy as np
/// def tricube(n):
///     u = (n - 1 - np.maximum(np.arange(n, dtype=float), 2)) / (n - 1)
///     return (1 - u**3)**3
/// def wls(y, w):
///     x = np.arange(1, len(y) + 1, dtype=float)
///     A = np.column_stack([np.ones_like(x), x]) * np.sqrt(w)[:, None]
///     (a, s), *_ = np.linalg.lstsq(A, y * np.sqrt(w), rcond=None)
///     return a, s
/// def robust(y, iterations=1):
///     y = np.asarray(y, dtype=float); n = len(y)
///     t = tricube(n); a, s = wls(y, t)
///     for _ in range(iterations):
///         r = y - (a + s * np.arange(1, n + 1))
///         scale = 6 * np.median(np.abs(r))
///         if not scale > 1e-7 * np.mean(np.abs(y)): break
///         u = r / scale
///         a, s = wls(y, t * np.where(np.abs(u) < 1, (1 - u**2)**2, 0.0))
///     return a, s
/// ```
///
/// Tolerance: 1e-12 absolute (both are double-precision least squares on values below 1).
@Suite struct LocalRegressionTests {
  static let tolerance = 1e-12

  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var y: [Double]
    /// numpy: tricube-only fit, one robustness step, two robustness steps.
    var tricube: (Double, Double)
    var robust1: (Double, Double)
    var robust2: (Double, Double)
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "rising", y: [0.42, 0.45, 0.47, 0.44, 0.50, 0.52, 0.49, 0.55, 0.58, 0.60],
      tricube: (0.3828600413460912, 0.020871788056676412),
      robust1: (0.3852985512360203, 0.020833641061233688),
      robust2: (0.38778529051498384, 0.02068258395236932)),
    Case(
      name: "outlier", y: [0.30, 0.32, 0.34, 0.36, 0.38, 0.40, 0.95, 0.44, 0.46, 0.48],
      tricube: (0.37336174478704487, 0.01801001268824937), robust1: (0.28505898042892935, 0.0198825718985252),
      robust2: (0.28, 0.020000000000000014)),
    Case(
      name: "falling", y: [0.90, 0.85, 0.88, 0.70, 0.72, 0.65, 0.66, 0.50, 0.52, 0.41],
      tricube: (0.9814451852589726, -0.0546211333153453), robust1: (0.9813524701575033, -0.05472634655870234),
      robust2: (0.9812412531205642, -0.05473010810450733)),
    Case(
      name: "spike_last", y: [0.20, 0.22, 0.21, 0.23, 0.22, 0.24, 0.23, 0.25, 0.24, 0.80],
      tricube: (-0.061181333076951595, 0.054718229488126956),
      robust1: (-0.015163303112397627, 0.045785603260272055),
      robust2: (0.056840745031034076, 0.03226267379679582)),
  ]

  static func close(_ a: LocalRegression.Estimates, _ b: (Double, Double)) -> Bool {
    abs(a.intercept - b.0) <= tolerance && abs(a.slope - b.1) <= tolerance
  }

  @Test func tricubeWeightsOfTenPoints() {
    // numpy's tricube(10); the newest point weighs 1, the two oldest take the third's weight.
    let expected = [
      0.1484497016367144, 0.1484497016367144, 0.1484497016367144, 0.34847330183407005, 0.5687589331394396,
      0.7590709148064702, 0.8929533099629123, 0.9674381496121647, 0.9958904161106462, 1.0,
    ]
    for i in 0..<10 {
      #expect(abs(LocalRegression.tricubeWeight(i, of: 10) - expected[i]) <= 1e-15, "weight \(i)")
    }
    // By hand: point 2 of 10 is 7/9 of the bandwidth from the newest, (1 − (7/9)³)³ = (386/729)³.
    #expect(abs(LocalRegression.tricubeWeight(2, of: 10) - pow(386.0 / 729.0, 3)) <= 1e-15)
    #expect(LocalRegression.tricubeWeight(0, of: 2) == 1)
  }

  @Test func bisquareWeights() {
    #expect(LocalRegression.bisquare(0) == 1)
    #expect(LocalRegression.bisquare(0.5) == 0.5625)  // (1 − 1/4)²
    #expect(LocalRegression.bisquare(-0.5) == 0.5625)
    #expect(LocalRegression.bisquare(1) == 0)
    #expect(LocalRegression.bisquare(-3) == 0)
  }

  @Test(arguments: cases) func matchesTheNumpyReference(_ c: Case) {
    let tricube = c.y.withUnsafeBufferPointer { y in
      (0..<10).map { LocalRegression.tricubeWeight($0, of: 10) }.withUnsafeBufferPointer { w in
        LocalRegression.weightedFit(y, weights: w)!
      }
    }
    #expect(Self.close(tricube, c.tricube), "tricube \(tricube) vs \(c.tricube)")
    let zero = LocalRegression.robustEstimates(c.y, iterations: 0)
    #expect(Self.close(zero, c.tricube), "no robustness step \(zero) vs \(c.tricube)")
    let one = LocalRegression.robustEstimates(c.y)
    #expect(Self.close(one, c.robust1), "one step \(one) vs \(c.robust1)")
    let two = LocalRegression.robustEstimates(c.y, iterations: 2)
    #expect(Self.close(two, c.robust2), "two steps \(two) vs \(c.robust2)")
  }

  /// The history arrives newest first in the engine; a reversed view gives the same fit.
  @Test func acceptsAReversedView() {
    let c = Self.cases[0]
    let newestFirst = Array(c.y.reversed())
    let fit = newestFirst.withUnsafeBufferPointer { LocalRegression.robustEstimates($0.reversed()) }
    #expect(Self.close(fit, c.robust1))
  }

  @Test func exactLineIsRecoveredAndStopsEarly() {
    // Hand-derived: y = 0.1 + 0.05·x lies on a line, so every weighting gives (0.1, 0.05); the
    // residuals are round-off, below the 1e-7 relative stop, so no bisquare step reweights them.
    let y = (1...10).map { 0.1 + 0.05 * Double($0) }
    for iterations in [0, 1, 2, 5] {
      let fit = LocalRegression.robustEstimates(y, iterations: iterations)
      #expect(abs(fit.intercept - 0.1) <= 1e-14 && abs(fit.slope - 0.05) <= 1e-14)
    }
    let constant = LocalRegression.robustEstimates([Double](repeating: 0.37, count: 10))
    #expect(abs(constant.intercept - 0.37) <= 1e-15 && abs(constant.slope) <= 1e-15)
    let zeros = LocalRegression.robustEstimates([Double](repeating: 0, count: 10), iterations: 3)
    #expect(zeros.intercept == 0 && zeros.slope == 0)
  }

  /// An outlier far from the rest gets bisquare weight 0 after the first step, so the second
  /// step fits the other nine points, which lie on y = 0.28 + 0.02·x (hand-derived).
  @Test func outlierIsRejected() {
    let fit = LocalRegression.robustEstimates(Self.cases[1].y, iterations: 2)
    #expect(abs(fit.intercept - 0.28) <= 1e-12 && abs(fit.slope - 0.02) <= 1e-12)
  }

  @Test func degenerateInputs() {
    #expect(LocalRegression.robustEstimates([Double]()) == (0, 0))
    let one = LocalRegression.robustEstimates([0.4])
    #expect(one.intercept == 0.4 && one.slope == 0)
    let two = LocalRegression.robustEstimates([0.2, 0.4])
    #expect(abs(two.intercept - 0.0) <= 1e-15 && abs(two.slope - 0.2) <= 1e-15)
    // No weight at all: no fit.
    let none = [0.1, 0.2, 0.3].withUnsafeBufferPointer { y in
      [0.0, 0, 0].withUnsafeBufferPointer { LocalRegression.weightedFit(y, weights: $0) }
    }
    #expect(none == nil)
  }

  /// The LR prediction of CloudSim 3.0.3 (plain least squares) differs from the robust one on
  /// the same window: for "outlier", OLS predicts 1.2·(0.28 + 11·0.029636…) = 0.7272 at x = 11,
  /// the robust loess 0.6045 (numpy), so the weighting changes overload decisions.
  @Test func robustPredictionDiffersFromLeastSquares() {
    let fit = LocalRegression.robustEstimates(Self.cases[1].y)
    let robust = (fit.intercept + fit.slope * 11) * 1.2
    #expect(abs(robust - 0.6045207255752479) <= 1e-12)
    let ols = Self.cases[1].y.withUnsafeBufferPointer { LocalRegression.ordinaryFit($0) }
    #expect(abs((ols.intercept + ols.slope * 11) * 1.2 - 0.7272) <= 1e-12)
  }
}
