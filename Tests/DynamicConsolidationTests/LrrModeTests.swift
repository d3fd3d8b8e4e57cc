import Foundation
import Testing

@testable import DynamicConsolidation

/// LRR against LR on the reduced day (first 100 VMs of 20110303 on 100 hosts, 6 h).
@Suite struct LrrModeTests {
  static let hasData = SharedData.day20110303 != nil

  static func run(_ name: String, compat: Bool) throws -> DynamicResult? {
    guard let w = try SharedData.workload() else { return nil }
    var config = DynamicConfiguration.cloudSimPlanetLab(vms: 100, hosts: 100)
    config.limitSeconds = 6 * 3600
    config.compat = compat
    return DynamicSimulation.run(
      policy: DynamicPolicy.named(name)!, workload: w.prefix(100), configuration: config)
  }

  /// CloudSim 3.0.3 never applies LRR's weights: in compat mode LrrMmt is LrMmt, figure for figure.
  @Test(.enabled(if: hasData)) func compatLrrEqualsLr() throws {
    let lr = try #require(try Self.run("LrMmt", compat: true))
    let lrr = try #require(try Self.run("LrrMmt", compat: true))
    #expect(lrr.json == lr.json.replacingOccurrences(of: "\"LrMmt\"", with: "\"LrrMmt\""))
  }

  /// Default mode: LRR fits the robust loess, so its decisions and figures differ from LR's.
  @Test(.enabled(if: hasData)) func defaultLrrIsRobust() throws {
    let lr = try #require(try Self.run("LrMmt", compat: false))
    let lrr = try #require(try Self.run("LrrMmt", compat: false))
    #expect(lrr.migrations != lr.migrations)
    #expect(lrr.energyKWh != lr.energyKWh)
  }
}
