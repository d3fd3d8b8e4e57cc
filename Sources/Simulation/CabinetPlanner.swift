import CapacityModel
import Scenario

/// Lays servers and pool equipment out in cabinets and prices a deployment state.
///
/// Bureaus keep their own rooms before consolidation, so dedicated servers are laid out per
/// bureau, never sharing a cabinet with another bureau's. Pools of one cabinet group share
/// cabinets (by default all shared pools); a dedicated cloud (专享云) gets cabinets of its own. Power budgets
/// count each server at its nameplate power (`nameplate_w`, else the curve's maximum) and each equipment unit at its watts.
struct CabinetPlanner {
  let scenario: Scenario
  let plan: PlacementPlan

  init(scenario: Scenario, plan: PlacementPlan) throws(SimulationError) {
    self.scenario = scenario
    self.plan = plan
    // Surface layout problems (a server taller or hungrier than a cabinet) as input errors now.
    _ = try dedicatedCabinets(movedWaves: 0)
    _ = try poolCabinets(movedWaves: scenario.waves.count)
  }

  /// Whether a system is in the pool once `movedWaves` waves have moved.
  func moved(_ system: String, movedWaves: Int) -> Bool {
    scenario.waves.prefix(movedWaves).contains { $0.systems.contains(system) }
  }

  func dedicatedCabinets(movedWaves: Int) throws(SimulationError) -> Int {
    var cabinets = 0
    for bureau in scenario.bureaus {
      var servers: [(model: HostModel, watts: Double)] = []
      for s in scenario.systems
      where s.system.bureau == bureau.name && !moved(s.system.name, movedWaves: movedWaves) {
        guard let fleet = s.system.dedicated else { continue }
        servers += Array(repeating: (fleet.model, fleet.model.budgetWatts), count: fleet.count)
      }
      if servers.isEmpty { continue }
      for e in scenario.roomEquipment {
        servers += Array(repeating: (e.asRackItem, e.watts), count: e.count)
      }
      do {
        cabinets += try CabinetLayout.pack(servers: servers, cabinet: scenario.cabinetBefore).count
      } catch {
        throw SimulationError(input: "\(scenario.file): cabinets.before: \(error)")
      }
    }
    return cabinets
  }

  func poolCabinets(movedWaves: Int) throws(SimulationError) -> Int {
    var groupNames: [String] = []
    var groups: [[(model: HostModel, watts: Double)]] = []
    for (p, spec) in scenario.pools.enumerated() {
      let used = plan.hostsUsed(pool: p, movedWaves: movedWaves)
      guard used > 0 else { continue }
      var items: [(model: HostModel, watts: Double)] = []
      let host = spec.pool.hostModel
      items += Array(repeating: (host, host.budgetWatts), count: used + spec.pool.spareHosts)
      for e in spec.equipment {
        items += Array(repeating: (e.asRackItem, e.watts), count: e.count)
      }
      if let g = groupNames.firstIndex(of: spec.pool.cabinetGroup) {
        groups[g] += items
      } else {
        groupNames.append(spec.pool.cabinetGroup)
        groups.append(items)
      }
    }
    var cabinets = 0
    for g in groups where !g.isEmpty {
      do {
        cabinets += try CabinetLayout.pack(servers: g, cabinet: scenario.cabinetAfter).count
      } catch {
        throw SimulationError(input: "\(scenario.file): cabinets.after: \(error)")
      }
    }
    return cabinets
  }

  /// The state once `movedWaves` waves have moved, priced with a replay's mean power when given.
  func state(movedWaves: Int, run: ReplayOutput?, datacenter: Datacenter, horizon: Int64) -> StateSummary {
    // Both layouts were checked in init, so they cannot fail here.
    let dedicated = (try? dedicatedCabinets(movedWaves: movedWaves)) ?? 0
    let pooled = (try? poolCabinets(movedWaves: movedWaves)) ?? 0
    var systems = 0
    var servers = 0
    var amortisation = 0.0
    for s in scenario.systems {
      let isMoved = moved(s.system.name, movedWaves: movedWaves)
      if isMoved || s.system.dedicated != nil { systems += 1 }
      if !isMoved, let fleet = s.system.dedicated {
        servers += fleet.count
        amortisation += Double(fleet.count) * fleet.model.monthlyAmortisationCNY
      }
    }
    let roomAmortisation = scenario.roomEquipment.reduce(0) { $0 + $1.monthlyAmortisationCNY }
    for bureau in scenario.bureaus
    where scenario.systems.contains(where: {
      $0.system.bureau == bureau.name && $0.system.dedicated != nil
        && !moved($0.system.name, movedWaves: movedWaves)
    }) {
      amortisation += roomAmortisation
    }
    var hosts = 0
    for (p, spec) in scenario.pools.enumerated() {
      let used = plan.hostsUsed(pool: p, movedWaves: movedWaves)
      guard used > 0 else { continue }
      hosts += used + spec.pool.spareHosts
      amortisation += Double(used + spec.pool.spareHosts) * spec.pool.hostModel.monthlyAmortisationCNY
      amortisation += spec.equipment.reduce(0) { $0 + $1.monthlyAmortisationCNY }
    }
    let movedSystems = Set(scenario.waves.prefix(movedWaves).flatMap(\.systems))
    let vms = plan.placements.filter { movedSystems.contains($0.system) }.count
    let hours = Double(horizon) / 3_600_000
    let meanIT = run.map { hours > 0 ? $0.itEnergyWh / hours : 0 } ?? 0
    let rent =
      Double(dedicated) * scenario.cabinetBefore.monthlyRentCNY + Double(pooled)
      * scenario.cabinetAfter.monthlyRentCNY
    let electricity = datacenter.monthlyElectricityCNY(meanITWatts: meanIT)
    return StateSummary(
      systems: systems, servers: servers, vms: vms, hosts: hosts, cabinets: dedicated + pooled,
      dedicatedCabinets: dedicated, poolCabinets: pooled,
      energyKWh: (run?.itEnergyWh ?? 0) / 1000 * datacenter.pue, meanITPowerWatts: meanIT,
      cost: MonthlyCost(cabinetRent: rent, electricity: electricity, amortisation: amortisation))
  }
}
