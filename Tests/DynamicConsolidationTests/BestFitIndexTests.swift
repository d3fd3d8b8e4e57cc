import Foundation
import Testing

@testable import DynamicConsolidation

/// Best fit from the host index (used from 1 000 hosts) and by a scan of the busy hosts (below)
/// must choose the same hosts: same migrations, in the same order, and the same figures.
@Suite struct BestFitIndexTests {
  func run(
    _ policy: String, compat: Bool, indexed: Bool, splits: Bool = false, workload: DynamicWorkload,
    hosts: Int,
    hours: Double
  )
    -> (DynamicResult, [String])
  {
    var config = DynamicConfiguration.cloudSimPlanetLab(vms: workload.count, hosts: hosts)
    config.limitSeconds = hours * 3600
    config.compat = compat
    let engine = Engine(config: config, policy: DynamicPolicy.named(policy)!, workload: workload)
    engine.fit.indexed = indexed
    engine.fit.splits = splits
    engine.logMigrations = true
    let result = engine.run()
    return (result, engine.migrationLog.map { "\($0.time) \($0.vm) \($0.from) \($0.to)" })
  }

  @Test(arguments: ["LrMmt", "ThrMmt", "MadMmt", "LrRs"])
  func indexAndScanAgreeOnSyntheticVMs(_ policy: String) {
    let workload = SyntheticWorkload(vms: 600, days: 0.25, seed: 3).generate()
    for compat in [true, false] {
      let scan = run(policy, compat: compat, indexed: false, workload: workload, hosts: 60, hours: 6)
      let index = run(policy, compat: compat, indexed: true, workload: workload, hosts: 60, hours: 6)
      let split = run(
        policy, compat: compat, indexed: true, splits: true, workload: workload, hosts: 60, hours: 6)
      #expect(scan.1.count > 100)
      #expect(index.1 == scan.1)
      #expect("\(index.0)" == "\(scan.0)")
      #expect(split.1 == scan.1)
      #expect("\(split.0)" == "\(scan.0)")
    }
  }

  @Test(arguments: ["LrMmt", "IqrMmt"])
  func indexAndScanAgreeOnPlanetLab(_ policy: String) throws {
    guard let day = try SharedData.workload() else { return }
    let workload = day.prefix(300)
    let scan = run(policy, compat: true, indexed: false, workload: workload, hosts: 200, hours: 8)
    let index = run(policy, compat: true, indexed: true, workload: workload, hosts: 200, hours: 8)
    let split = run(
      policy, compat: true, indexed: true, splits: true, workload: workload, hosts: 200, hours: 8)
    #expect(scan.1.count > 100)
    #expect(index.1 == scan.1)
    #expect("\(index.0)" == "\(scan.0)")
    #expect(split.1 == scan.1)
    #expect("\(split.0)" == "\(scan.0)")
  }
}
