import CapacityModel

/// Everything a consolidation run produces; Reports turns it into files.
public struct SimulationResult: Sendable {
  /// Scenario name.
  public var scenario: String
  /// Run seed.
  public var seed: UInt64
  /// Placement policy per pool, in pool order (`pool=policy`), or the single policy used.
  public var scheduler: String
  /// Simulated horizon in milliseconds.
  public var horizonMilliseconds: Int64
  /// Sample interval in milliseconds.
  public var sampleIntervalMilliseconds: Int64
  /// The state before consolidation.
  public var before: StateSummary
  /// The state after every wave has moved.
  public var after: StateSummary
  /// Host utilisation in the pools after consolidation.
  public var utilisation: UtilisationSummary
  /// Per-pool figures after consolidation.
  public var pools: [PoolSummary]
  /// Per-wave progress of the migration plan.
  public var waves: [WaveSummary]
  /// VM count decisions per system.
  public var sizing: [SystemSizing]
  /// Every VM placed, in placement order.
  public var placements: [PlacementRecord]
  /// Every VM that could not be placed, with the reason.
  public var rejections: [RejectionRecord]
  /// Sampled series of the migration timeline (waves at their start times).
  public var timeseries: [TimeseriesRow]
  /// Events the kernel dispatched, over all replays.
  public var eventsDispatched: Int
}

/// A deployment state: what runs where, what it costs, what it draws.
public struct StateSummary: Sendable, Hashable {
  /// Business systems running.
  public var systems: Int
  /// Dedicated servers still running.
  public var servers: Int
  /// VMs in pools.
  public var vms: Int
  /// Pool hosts (in use plus spare).
  public var hosts: Int
  /// Cabinets: bureaus' own rooms plus the pool's datacenter.
  public var cabinets: Int
  /// Cabinets in the bureaus' own rooms.
  public var dedicatedCabinets: Int
  /// Cabinets in the pool datacenter.
  public var poolCabinets: Int
  /// Facility energy (IT × PUE) over the horizon, kWh.
  public var energyKWh: Double
  /// Mean IT power, watts.
  public var meanITPowerWatts: Double
  /// Monthly cost.
  public var cost: MonthlyCost
}

/// Utilisation of pool hosts in use, over all host-samples of the after state.
public struct UtilisationSummary: Sendable, Hashable {
  /// Mean CPU utilisation (demand ÷ compute capacity), 0…1 (can exceed 1 when overloaded).
  public var cpuMean: Double
  /// 95th percentile of host CPU utilisation (resolution 0.001).
  public var cpuP95: Double
  /// Mean memory utilisation (resident ÷ installed).
  public var memoryMean: Double
  /// Host-samples in which CPU demand exceeded the host's compute capacity.
  public var overloadHostIntervals: Int
  /// Host-samples counted.
  public var hostIntervals: Int
}

/// One pool after consolidation.
public struct PoolSummary: Sendable, Hashable {
  /// Pool name.
  public var name: String
  /// Placement policy used.
  public var scheduler: String
  /// Hosts holding VMs.
  public var hostsUsed: Int
  /// Spare hosts kept empty.
  public var spareHosts: Int
  /// VMs placed.
  public var vms: Int
  /// Allocated share of allocatable vCPU (0…1) over hosts in use.
  public var vcpuAllocated: Double
  /// Allocated share of allocatable memory (0…1) over hosts in use.
  public var memoryAllocated: Double
  /// Utilisation of the pool's hosts.
  public var utilisation: UtilisationSummary
}

/// The plan after each wave.
public struct WaveSummary: Sendable, Hashable {
  /// Wave name.
  public var name: String
  /// Start offset, milliseconds.
  public var startMilliseconds: Int64
  /// Systems moved in the wave.
  public var systems: [String]
  /// VMs placed in the wave.
  public var vmsPlaced: Int
  /// VMs rejected in the wave.
  public var vmsRejected: Int
  /// Dedicated servers switched off by the wave.
  public var serversRetired: Int
  /// Pool hosts in use after the wave (all pools).
  public var hostsAfter: Int
  /// Cabinets (bureau rooms + pool) after the wave.
  public var cabinetsAfter: Int
}

/// How many VMs a system got and why.
public struct SystemSizing: Sendable, Hashable {
  /// System name.
  public var system: String
  /// Pool name (empty when the system stays dedicated).
  public var pool: String
  /// Flavour name.
  public var flavour: String
  /// VMs.
  public var vms: Int
  /// Explanation ("fixed", or the auto-sizing figures).
  public var rule: String
  /// p95 CPU demand of the system, reference cores.
  public var cpuP95Cores: Double
  /// Peak memory of the system, GiB.
  public var memoryPeakGiB: Double
}

/// One VM's place.
public struct PlacementRecord: Sendable, Hashable {
  /// VM name (`<system>-vm<k>`).
  public var vm: String
  /// System.
  public var system: String
  /// Bureau.
  public var bureau: String
  /// Wave that placed it.
  public var wave: String
  /// Pool.
  public var pool: String
  /// Host index in the pool.
  public var host: Int
  /// Flavour.
  public var flavour: String
  /// vCPUs allocated.
  public var vcpu: Double
  /// Memory allocated, GiB.
  public var memoryGiB: Double
}

/// A VM that found no place.
public struct RejectionRecord: Sendable, Hashable {
  /// VM name.
  public var vm: String
  /// System.
  public var system: String
  /// Wave.
  public var wave: String
  /// Pool.
  public var pool: String
  /// Why.
  public var reason: String
}

/// One sample of one pool (or of the dedicated servers, pool name `dedicated`).
public struct TimeseriesRow: Sendable, Hashable {
  /// Seconds since the start.
  public var timeSeconds: Int64
  /// Pool name, or `dedicated`.
  public var pool: String
  /// Hosts (or dedicated servers) switched on.
  public var hostsActive: Int
  /// CPU demand ÷ compute capacity over the active hosts.
  public var cpuUtilisation: Double
  /// Memory in use ÷ installed over the active hosts.
  public var memoryUtilisation: Double
  /// Facility power (IT × PUE), watts.
  public var powerWatts: Double
}
