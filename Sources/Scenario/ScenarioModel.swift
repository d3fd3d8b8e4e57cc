import CapacityModel
import Workload

/// A validated consolidation scenario: the before state, the pools, the systems and the waves.
public struct Scenario: Sendable {
  /// Short name; the report folder is `reports/<name>/`.
  public var name: String
  /// Free text shown in reports.
  public var description: String
  /// Path of the scenario file, as given.
  public var file: String
  /// Default run seed (the command line may override it).
  public var seed: UInt64
  /// Simulated span, in milliseconds.
  public var horizonMilliseconds: Int64
  /// Sampling interval of demand and metrics, in milliseconds.
  public var sampleIntervalMilliseconds: Int64
  /// Placement policy used by pools that name none.
  public var scheduler: String
  /// Facility: PUE and tariff.
  public var datacenter: Datacenter
  /// Cabinet model of the bureaus' own rooms, before consolidation.
  public var cabinetBefore: CabinetModel
  /// Cabinet model of the pool's datacenter.
  public var cabinetAfter: CabinetModel
  /// Equipment every bureau room has while it still runs dedicated servers (its own switches,
  /// firewall, storage); it is retired with the room's last server.
  public var roomEquipment: [Equipment]
  /// Host models by name, in file order.
  public var hostModels: [HostModel]
  /// Virtual pools, in file order.
  public var pools: [PoolSpec]
  /// Bureaus, in file order.
  public var bureaus: [Bureau]
  /// Business systems, in file order.
  public var systems: [SystemSpec]
  /// Migration waves (phases), in execution order.
  public var waves: [Wave]
  /// Multiplier applied to every system's demand (for what-if runs).
  public var demandScale: Double
  /// Non-fatal observations made during validation (e.g. a system that never moves).
  public var warnings: [ScenarioError]

  /// The pool with this name.
  public func pool(named name: String) -> PoolSpec? { pools.first { $0.pool.name == name } }

  /// The bureau with this name.
  public func bureau(named name: String) -> Bureau? { bureaus.first { $0.name == name } }

  /// The wave that moves a system, if any.
  public func wave(moving system: String) -> Wave? { waves.first { $0.systems.contains(system) } }
}

/// A pool and the placement policy that fills it.
public struct PoolSpec: Sendable, Hashable {
  /// The pool.
  public var pool: Pool
  /// Name of the placement policy in the registry.
  public var scheduler: String
  /// Storage, network and security equipment installed with the pool.
  public var equipment: [Equipment]
}

/// How many VMs a system gets in the pool.
public enum VMCount: Sendable, Hashable {
  /// A fixed number of VMs.
  case fixed(Int)
  /// Sized from demand: enough VMs that the system's p95 CPU demand is at most
  /// `targetUtilisation` of the VMs' vCPUs and its peak memory fits, with at least `minimum` VMs.
  case auto(targetUtilisation: Double, minimum: Int)
}

/// Where a system's demand comes from.
public enum LoadSource: Sendable, Hashable {
  /// Generated from a business-kind profile.
  case synthetic(SyntheticLoad)
  /// Read from a native long-form CSV trace (`entity,time_s,cpu_cores,mem_gib`).
  case trace(path: String, entity: String)
}

/// A business system with its load and its target in the pool.
public struct SystemSpec: Sendable, Hashable {
  /// The system.
  public var system: BusinessSystem
  /// VM flavour in the pool.
  public var flavour: Flavour
  /// Number of VMs in the pool.
  public var vmCount: VMCount
  /// Demand source.
  public var load: LoadSource
  /// Whether the system has a pool target (`after`) at all.
  public var movable: Bool
}

/// A migration wave (phase): which systems move, when.
public struct Wave: Sendable, Hashable {
  /// Name, e.g. "phase-1".
  public var name: String
  /// Offset from the simulation start, in milliseconds.
  public var startMilliseconds: Int64
  /// Systems that move in this wave, in order.
  public var systems: [String]
  /// Waves that must come first.
  public var dependsOn: [String]
}
