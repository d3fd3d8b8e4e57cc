import CapacityModel
import Foundation
import Placement
import Scenario
import Testing

@testable import Simulation

/// A one-pool scenario: system `db` (4 VMs of 2C4G) moves in wave 1, system `web` (3 VMs of 2C4G)
/// in wave 2. Hosts offer 64 vCPU and 256 GiB, so every VM would fit on host 0.
func constraintScenario(
  scheduler: String = "filter-pack", pool: String = "", db: String = "", web: String = ""
) throws -> Scenario {
  let text = """
    name: constraints
    seed: 3
    horizon: 1d
    sample_interval: 1h
    scheduler: \(scheduler)
    datacenter: {pue: 1.5, tariff_cny_per_kwh: 1}
    cabinets:
      before: {rack_units: 42, power_budget_kw: 3, monthly_rent_cny: 1000}
      after: {rack_units: 42, reserved_rack_units: 2, power_budget_kw: 6, monthly_rent_cny: 2000}
    host_models:
      - {name: old, cores: 8, memory_gib: 32, rack_units: 2, power: {idle_w: 150, max_w: 300}, price_cny: 1, amortisation_months: 60}
      - {name: new, cores: 32, memory_gib: 256, rack_units: 2, power: {idle_w: 120, max_w: 400}, price_cny: 1, amortisation_months: 60}
    pools:
      - {name: pool, host_model: new, cpu_overcommit: 2\(pool.isEmpty ? "" : ", " + pool)}
    bureaus:
      - {name: b, class: small}
    systems:
      - name: db
        bureau: b
        kind: shared
        before: {servers: 2, model: old}
        after: {pool: pool, flavour: 2C4G, vms: 4\(db.isEmpty ? "" : ", " + db)}
        load: {peak_cores: 1, memory_gib: 2}
      - name: web
        bureau: b
        kind: internet
        before: {servers: 1, model: old}
        after: {pool: pool, flavour: 2C4G, vms: 3\(web.isEmpty ? "" : ", " + web)}
        load: {peak_cores: 1, memory_gib: 2}
    waves:
      - {name: w1, start: 1h, systems: [db]}
      - {name: w2, start: 2h, systems: [web], depends_on: [w1]}

    """
  return try ScenarioLoader(knownSchedulers: PlacementRegistry.standard.names).parse(text, file: "gen.yaml")
}

/// Hosts of a system's placed VMs, in VM order.
func hosts(of system: String, _ r: SimulationResult) -> [Int] {
  r.placements.filter { $0.system == system }.map(\.host)
}

@Suite struct ConstraintScenarioTests {
  @Test func antiAffinitySystemLandsOnDistinctHosts() throws {
    for scheduler in ["filter-pack", "filter-spread", "filter-power"] {
      let s = try constraintScenario(scheduler: scheduler, db: "anti_affinity: true")
      let r = try ConsolidationSimulation.run(s)
      ConsolidationInvariantTests.checkInvariants(s, r)
      #expect(hosts(of: "db", r) == [0, 1, 2, 3], "\(scheduler)")
      #expect(r.rejections.isEmpty)
      #expect(r.pools[0].hostsUsed == 4)
    }
    // The control: without anti-affinity, packing puts every VM on host 0.
    let r = try ConsolidationSimulation.run(try constraintScenario())
    #expect(hosts(of: "db", r) == [0, 0, 0, 0])
    #expect(r.pools[0].hostsUsed == 1)
  }

  @Test func aFullPoolRejectsNamingAntiAffinity() throws {
    let s = try constraintScenario(pool: "max_hosts: 2", db: "anti_affinity: true")
    let r = try ConsolidationSimulation.run(s)
    ConsolidationInvariantTests.checkInvariants(s, r)
    #expect(hosts(of: "db", r) == [0, 1])
    #expect(r.rejections.map(\.vm) == ["db-vm3", "db-vm4"])
    #expect(
      r.rejections.allSatisfy {
        $0.reason == "no host: AntiAffinity rejected 2 of 2 hosts; pool full: 2 hosts"
      })
    // web has no constraint: it packs onto host 0.
    #expect(hosts(of: "web", r) == [0, 0, 0])
  }

  @Test func aSharedAffinityGroupStaysOnOneHost() throws {
    let group = "server_group: {name: shop, policy: affinity}"
    let s = try constraintScenario(scheduler: "filter-spread", db: group, web: group)
    let r = try ConsolidationSimulation.run(s)
    #expect(Set(hosts(of: "db", r) + hosts(of: "web", r)) == [0])
    // An anti-affinity group shared by two systems spreads all seven VMs.
    let anti = "server_group: {name: ha, policy: anti-affinity}"
    let spread = try ConsolidationSimulation.run(try constraintScenario(db: anti, web: anti))
    #expect(Set(hosts(of: "db", spread) + hosts(of: "web", spread)).count == 7)
  }

  @Test func weightsReachThePolicy() throws {
    // After wave 1 (anti-affinity) four hosts hold one VM each. Packing puts web on host 0;
    // spreading (pack switched off, spread on) gives each web VM the emptiest host.
    let packed = try ConsolidationSimulation.run(try constraintScenario(db: "anti_affinity: true"))
    #expect(hosts(of: "web", packed) == [0, 0, 0])
    let s = try constraintScenario(
      pool: "scheduler: {name: filter-pack, weights: {pack: 0, spread: 1}}", db: "anti_affinity: true")
    let spread = try ConsolidationSimulation.run(s)
    #expect(hosts(of: "web", spread) == [0, 1, 2])
    #expect(spread.pools[0].scheduler == "filter-pack")
    // The top-level scheduler with parameters applies to pools that name none.
    let top = try ConsolidationSimulation.run(
      try constraintScenario(
        scheduler: "{name: filter-pack, weights: {pack: 0, spread: 1}}", db: "anti_affinity: true"))
    #expect(hosts(of: "web", top) == [0, 1, 2])
  }

  @Test func parametersForAPolicyWithoutThemAreAnInputError() throws {
    let s = try constraintScenario(pool: "scheduler: {name: best-fit, weights: {pack: 1}}")
    do {
      _ = try ConsolidationSimulation.run(s)
      Issue.record("best-fit accepted weights")
    } catch {
      #expect(error.isInputError)
      #expect(error.message.hasPrefix("gen.yaml:14:65: "), "\(error.message)")
      #expect(
        error.message.contains(
          "`pools[0].scheduler`: scheduler `best-fit` takes no weights, filters or order"))
    }
    // --scheduler replaces the pool's choice, parameters included.
    let r = try ConsolidationSimulation.run(s, options: SimulationOptions(scheduler: "first-fit"))
    #expect(r.pools[0].scheduler == "first-fit")
  }

  @Test func poolSnapshotsCarryThePoolsProperties() throws {
    let s = try TestScenarios.load("scenarios/minimal.yaml")
    let cluster = ConsolidationSimulation.emptyCluster(s.pools[0], cabinet: s.cabinetAfter)
    let pool = s.pools[0].pool
    #expect(cluster.aggregates.count == 1)
    #expect(cluster.aggregates[0].zone == pool.zone)
    #expect(cluster.aggregates[0].mlps == pool.mlps)
    #expect(cluster.aggregates[0].dedicatedTo == nil)
    #expect(cluster.aggregates[0].power == pool.hostModel.power)
    // 38 usable U hold 19 hosts of 2 U, but 6 kW holds only 13 hosts of 450 W.
    #expect(cluster.hostsPerCabinet == 13)
    #expect(cluster.newHostCapacity == pool.hostAllocatable)
    let request = ConsolidationSimulation.request(s.systems[0], vm: 0)
    #expect(request.id == "oa-vm1" && request.mlps == s.systems[0].system.mlps && request.serverGroup == nil)
  }

  @Test func filterSchedulersHoldTheInvariantsOnJiujiang() throws {
    let s = try TestScenarios.load("scenarios/jiujiang.yaml")
    let reference = try ConsolidationSimulation.run(s, options: SimulationOptions(scheduler: "best-fit"))
    for scheduler in ["filter-pack", "filter-spread", "filter-power"] {
      let r = try ConsolidationSimulation.run(s, options: SimulationOptions(scheduler: scheduler))
      ConsolidationInvariantTests.checkInvariants(s, r)
      #expect(r.rejections.isEmpty, "\(scheduler)")
      if scheduler == "filter-pack" {
        // Without constraints in the scenario, filter-pack is best-fit.
        #expect(r.placements == reference.placements)
      }
    }
  }

  @Test func scenarioVocabularyMatchesThePlacementLibrary() {
    #expect(SchedulerParameters.weigherNames == FilterScheduler.weigherNames)
    #expect(SchedulerParameters.filterNames == FilterScheduler.filterKeys)
    #expect(SchedulerParameters.orders == BatchOrder.allCases.map(\.rawValue))
    #expect(ServerGroupSpec.Policy.allCases.map(\.rawValue) == ServerGroupPolicy.allCases.map(\.rawValue))
  }
}
