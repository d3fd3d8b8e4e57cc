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

  /// Initial placement from the busy hosts and the first empty host of each type gives CloudSim's
  /// scan of every host: on many more hosts than VMs (where the shortcut matters), on fewer
  /// (where every host fills), for power-aware best fit and for first fit, in both modes.
  @Test(arguments: ["ThrMmt", "LrMmt", "Dvfs", "NonPowerAware"])
  func initialPlacementFromCandidatesMatchesTheFullScan(_ policy: String) {
    let workload = SyntheticWorkload(vms: 400, days: 0.05, seed: 5).generate()
    for hosts in [40, 3_000] {
      for compat in [true, false] {
        var placements: [[Int]] = []
        for every in [true, false] {
          var config = DynamicConfiguration.cloudSimPlanetLab(vms: workload.count, hosts: hosts)
          config.limitSeconds = 600
          config.compat = compat
          let engine = Engine(config: config, policy: DynamicPolicy.named(policy)!, workload: workload)
          engine.initialPlacementHook = true
          engine.initialPlacementScansEveryHost = every
          _ = engine.run()
          placements.append(engine.initialHosts)
        }
        #expect(placements[0] == placements[1], "\(policy), \(hosts) hosts, compat \(compat)")
        // Both fill the small datacenter and spread over the large one.
        #expect(Set(placements[0].filter { $0 >= 0 }).count >= Swift.min(hosts, 300) / 2)
      }
    }
  }
}
