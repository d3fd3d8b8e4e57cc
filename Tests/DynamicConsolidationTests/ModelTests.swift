import Foundation
import Testing

@testable import DynamicConsolidation

@Suite struct ModelTests {
  func engine(_ policy: String = "ThrMmt") -> Engine {
    let w = DynamicWorkload(names: ["a", "b"], rows: [[0.5, 0.2, 0], [0, 0, 0.9]])
    let c = DynamicConfiguration.cloudSimPlanetLab(vms: 2, hosts: 2)
    return Engine(config: c, policy: DynamicPolicy.named(policy)!, workload: w)
  }

  @Test func powerTablesInterpolate() {
    let e = engine()
    #expect(e.power(0, 0) == 86)
    #expect(e.power(0, 1) == 117)
    #expect(e.power(1, 0.5) == 116)
    #expect(abs(e.power(0, 0.05) - 87.7) < 1e-9)
    #expect(abs(e.power(1, 0.95) - 134) < 1e-9)
  }

  @Test func traceInterpolationAndPadding() {
    let e = engine()
    #expect(e.utilisation(0, 0) == 0.5)
    #expect(e.utilisation(0, 300) == 0.2)
    #expect(abs(e.utilisation(0, 150) - 0.35) < 1e-12)
    // data[3] repeats the last sample.
    #expect(e.utilisation(1, 900) == 0.9)
    #expect(e.utilisation(1, 150) == 0)
    #expect(e.utilisation(1, 300.1) > 0)
  }

  @Test func simpleRegressionIsOrdinaryLeastSquares() {
    var r = SimpleRegression()
    for i in 1...10 { r.add(Double(i), 0.1 + 0.02 * Double(i)) }
    #expect(abs(r.slope - 0.02) < 1e-12)
    #expect(abs(r.intercept(r.slope) - 0.1) < 1e-12)
  }

  @Test func medianAndMad() {
    #expect(Statistics.median([3, 1, 2]) == 2)
    #expect(Statistics.median([4, 1, 2, 3]) == 2.5)
    #expect(Statistics.mad([1, 1, 2, 2, 4, 6, 9]) == 1)
  }

  @Test func rSquaredOfExactFitIsOne() {
    let x = [1.0, 2, 3, 4, 5, 6]
    let y = x.map { 2 * $0 + 1 }
    let r2 = OLS.rSquared(columns: [[Double](repeating: 1, count: 6), x], y: y)
    #expect(r2 != nil && abs(r2! - 1) < 1e-12)
    // A zero column is singular: CloudSim's regression throws and MC falls back to MMT.
    #expect(OLS.rSquared(columns: [[Double](repeating: 1, count: 6), [0, 0, 0, 0, 0, 0]], y: y) == nil)
  }

  @Test func overSubscriptionScalesAndFloors() {
    let e = engine()
    e.req = [3000, 3000]
    e.list[0] = [0, 1]
    e.reallocate(0)
    // G4: 2 × 1860; each request is capped at 1860, 3720 / 3720 fits exactly.
    #expect(e.alloc[0] == [1860, 1860])
    e.req = [1860, 1000]
    e.inMigration[1] = true
    e.reallocate(0)
    #expect(e.alloc[0] == [1860, 900])
    e.req = [1860, 2000]
    e.reallocate(0)
    // 1860 + 1860 fits (capped); migrating out gets 90 %.
    #expect(e.alloc[0] == [1860, 1674])
  }
}
