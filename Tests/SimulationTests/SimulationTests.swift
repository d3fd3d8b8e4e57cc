import CapacityModel
import Foundation
import Placement
import PropertyBased
import Scenario
import Testing

@testable import Simulation

@Suite struct ConsolidationInvariantTests {
  /// Checks that no host holds more than its allocatable capacity and that every VM the sizing
  /// asked for is placed exactly once or rejected with a reason.
  static func checkInvariants(_ scenario: Scenario, _ r: SimulationResult) {
    for spec in scenario.pools {
      let cap = spec.pool.hostAllocatable
      var perHost: [Int: ResourceVector] = [:]
      for p in r.placements where p.pool == spec.pool.name {
        perHost[p.host, default: .zero] += ResourceVector(vcpu: p.vcpu, memoryGiB: p.memoryGiB)
      }
      for (host, used) in perHost {
        #expect(used.fits(in: cap), "pool \(spec.pool.name) host \(host): \(used) exceeds \(cap)")
      }
    }
    var expected: [String] = []
    for s in r.sizing where s.vms > 0 {
      expected += (1...s.vms).map { "\(s.system)-vm\($0)" }
    }
    let placed = r.placements.map(\.vm)
    let rejected = r.rejections.map(\.vm)
    #expect(Set(placed).count == placed.count, "a VM was placed twice")
    #expect(Set(placed).isDisjoint(with: rejected), "a VM was both placed and rejected")
    #expect((placed + rejected).sorted() == expected.sorted())
    #expect(r.rejections.allSatisfy { !$0.reason.isEmpty })
  }

  @Test func jiujiangHoldsTheInvariants() throws {
    let s = try TestScenarios.load("scenarios/jiujiang.yaml")
    let r = try ConsolidationSimulation.run(s)
    Self.checkInvariants(s, r)
    #expect(r.before.systems == 10)
    #expect(r.after.systems == 14)
    #expect(r.before.cabinets == 9)
    #expect(r.rejections.isEmpty)
  }

  @Test func randomScenariosHoldTheInvariants() async {
    let system = zip(Gen.int(in: 10...4000), Gen.int(in: 5...2000), Gen.int(in: 1...16), Gen.int(in: 1...64))
      .map { v in
        TestScenarios.SystemParameters(
          peakCores: Double(v.0) / 100, memoryGiB: Double(v.1) / 10, vcpu: v.2, flavourMemory: v.3,
          vms: v.0 % 7 == 0 ? nil : v.0 % 7, servers: 1 + v.1 % 5)
      }
    await propertyCheck(
      count: 25, input: system.array(of: 1...6), Gen.int(in: 0...3), Gen.int(in: 1...4),
      Gen.int(in: 0...3)
    ) { systems, schedulerIndex, overcommit, maxHosts in
      let scheduler = TestScenarios.knownSchedulers[schedulerIndex]
      let text = TestScenarios.yaml(
        systems: systems, overcommit: Double(overcommit), scheduler: scheduler,
        maxHosts: maxHosts == 0 ? nil : maxHosts * 2)
      do {
        let s = try TestScenarios.parse(text)
        let r = try ConsolidationSimulation.run(s)
        Self.checkInvariants(s, r)
      } catch let e as ScenarioError {
        // Only a flavour larger than a host may be refused by validation.
        #expect(e.message.contains("larger than what one host"), "\(e)")
      } catch {
        Issue.record("unexpected error \(error)")
      }
    }
  }

  @Test func poolFullRejectsWithReason() throws {
    let systems = (0..<3).map { _ in
      TestScenarios.SystemParameters(
        peakCores: 4, memoryGiB: 8, vcpu: 8, flavourMemory: 16, vms: 4, servers: 1)
    }
    let s = try TestScenarios.parse(TestScenarios.yaml(systems: systems, overcommit: 1, maxHosts: 2))
    let r = try ConsolidationSimulation.run(s)
    Self.checkInvariants(s, r)
    #expect(!r.rejections.isEmpty)
    #expect(r.rejections.allSatisfy { $0.reason.contains("pool full") })
    #expect(r.after.hosts == 2)
  }
}

@Suite struct DeterminismTests {
  @Test func sameSeedSameSeries() throws {
    let s = try TestScenarios.load("scenarios/jiujiang.yaml", overrides: ["horizon=3d"])
    let a = try ConsolidationSimulation.run(s, options: SimulationOptions(seed: 11))
    let b = try ConsolidationSimulation.run(s, options: SimulationOptions(seed: 11))
    #expect(a.timeseries == b.timeseries)
    #expect(a.placements == b.placements)
    #expect(a.after == b.after)
    let c = try ConsolidationSimulation.run(s, options: SimulationOptions(seed: 12))
    #expect(a.timeseries != c.timeseries)
  }
}

@Suite struct DemandScalingTests {
  func cabinets(_ scale: Double) throws -> Int {
    let s = try TestScenarios.load(
      "scenarios/jiujiang.yaml", overrides: ["workload.demand_scale=\(scale)", "horizon=7d"])
    return try ConsolidationSimulation.run(s, options: SimulationOptions(recordTimeseries: false)).after
      .cabinets
  }

  @Test func doublingDemandNeedsMoreCabinets() throws {
    #expect(try cabinets(2) > cabinets(1))
  }

  @Test func lessDemandNeverNeedsMoreCabinets() throws {
    var previous = Int.max
    for scale in [3.0, 2.0, 1.5, 1.0, 0.75, 0.5, 0.25] {
      let n = try cabinets(scale)
      #expect(n <= previous, "scale \(scale) gave \(n) cabinets, more than at the larger scale (\(previous))")
      previous = n
    }
  }
}

@Suite struct ModelTests {
  @Test func energyIsPowerTimesTime() throws {
    // One system, flat-ish load: energy over the horizon equals mean power × hours × PUE.
    let systems = [
      TestScenarios.SystemParameters(
        peakCores: 2, memoryGiB: 4, vcpu: 2, flavourMemory: 4, vms: 1, servers: 2)
    ]
    let s = try TestScenarios.parse(TestScenarios.yaml(systems: systems))
    let r = try ConsolidationSimulation.run(s)
    let hours = Double(s.horizonMilliseconds) / 3_600_000
    #expect(abs(r.before.energyKWh - r.before.meanITPowerWatts * hours * 1.5 / 1000) < 1e-6)
    // Two idle-ish old servers draw at least their idle power.
    #expect(r.before.meanITPowerWatts >= 2 * 150)
    #expect(r.before.meanITPowerWatts <= 2 * 300)
    #expect(r.before.servers == 2)
    #expect(r.after.servers == 0)
    #expect(r.after.vms == 1)
    #expect(r.after.hosts == 1)
  }

  @Test func timeseriesFollowsTheWave() throws {
    let systems = [
      TestScenarios.SystemParameters(
        peakCores: 2, memoryGiB: 4, vcpu: 2, flavourMemory: 4, vms: 1, servers: 3)
    ]
    let s = try TestScenarios.parse(TestScenarios.yaml(systems: systems))
    let r = try ConsolidationSimulation.run(s)
    let dedicated = r.timeseries.filter { $0.pool == "dedicated" }
    let pool = r.timeseries.filter { $0.pool == "pool" }
    #expect(dedicated.count == 96)
    #expect(pool.count == 96)
    // The wave starts at 2 h: servers run before, the pool after.
    #expect(dedicated.filter { $0.timeSeconds < 7200 }.allSatisfy { $0.hostsActive == 3 })
    #expect(dedicated.filter { $0.timeSeconds >= 7200 }.allSatisfy { $0.hostsActive == 0 })
    #expect(pool.filter { $0.timeSeconds >= 7200 }.allSatisfy { $0.hostsActive == 1 })
    #expect(pool.filter { $0.timeSeconds < 7200 }.allSatisfy { $0.hostsActive == 0 && $0.powerWatts == 0 })
  }

  @Test func unknownSchedulerIsAnInputError() throws {
    let s = try TestScenarios.load("scenarios/minimal.yaml")
    #expect(throws: SimulationError.self) {
      try ConsolidationSimulation.run(s, options: SimulationOptions(scheduler: "nope"))
    }
  }
}
