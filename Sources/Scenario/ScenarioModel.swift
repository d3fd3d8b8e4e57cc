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
  /// Parameters of `scheduler` (empty when given as a plain name).
  public var schedulerParameters = SchedulerParameters()
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
  /// Parameters of `scheduler` (empty when given as a plain name).
  public var schedulerParameters = SchedulerParameters()
  /// Tags of the pool's hosts (a Nova host aggregate's metadata), e.g. `ssd`; sorted, unique.
  public var tags: [String] = []
  /// The pool's trace, replayed by its systems without their own `load`.
  public var trace: TraceMapping? = nil
}

/// Parameters of a scheduler, as in `scheduler: {name: filter-pack, weights: {pack: 1}}`.
///
/// The scenario checks the names against the vocabulary below; the placement registry decides
/// at run time whether the named scheduler takes parameters at all.
public struct SchedulerParameters: Sendable, Hashable {
  /// Weigher multipliers, in file order.
  public var weights: [SchedulerWeight] = []
  /// Enabled filters, in evaluation order; nil keeps the scheduler's own list.
  public var filters: [String]?
  /// Batch order (`arrival` or `decreasing`); nil keeps the scheduler's own.
  public var order: String?
  /// `file:line:column` of the `scheduler` field, for errors found at run time.
  public var location: String = ""
  /// Dotted path of the `scheduler` field, e.g. `pools[0].scheduler`.
  public var field: String = ""

  /// Creates empty parameters.
  public init() {}

  /// True when no parameter is given.
  public var isEmpty: Bool { weights.isEmpty && filters == nil && order == nil }

  /// Weigher names a scenario may weight (those of the placement library's `FilterScheduler`).
  public static let weigherNames = ["pack", "spread", "power", "fewest_cabinets"]
  /// Filter names a scenario may list (those of the placement library's `FilterScheduler`).
  public static let filterNames = [
    "zone", "mlps", "dedicated", "tags", "affinity", "anti_affinity", "capacity",
  ]
  /// Batch orders.
  public static let orders = ["arrival", "decreasing"]
}

/// One weigher multiplier of `SchedulerParameters`.
public struct SchedulerWeight: Sendable, Hashable {
  /// Weigher name, e.g. `fewest_cabinets`.
  public var name: String
  /// Multiplier of the weigher's normalised weights.
  public var value: Double
}

/// Placement constraints of a system's VMs (fields of `after`).
public struct PlacementConstraints: Sendable, Hashable {
  /// The server group the VMs belong to: `anti_affinity: true` is the group `system:<name>`
  /// with policy anti-affinity.
  public var serverGroup: ServerGroupSpec?
  /// Zone the VMs must stay in; validated against the pool's zone.
  public var zone: String?
  /// Tags the pool's hosts must carry; sorted, unique.
  public var tags: [String] = []

  /// No constraints.
  public init() {}
}

/// A server group as declared in a scenario.
public struct ServerGroupSpec: Sendable, Hashable {
  /// Policy of a server group.
  public enum Policy: String, CaseIterable, Sendable {
    /// All VMs of the group on one host.
    case affinity
    /// No two VMs of the group on one host.
    case antiAffinity = "anti-affinity"
  }

  /// Group name; systems naming the same group share it.
  public var name: String
  /// The group's policy.
  public var policy: Policy
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
  /// One entity of a trace in any supported format (`load: {trace: {format, path, entity}}`).
  case importedTrace(TraceReference, entity: String)
  /// The trace entity the system's pool maps to it (`pools[].trace`, the system has no `load`).
  case poolTrace(pool: String)
}

/// A trace in one of the importers' formats (or a `.yt` store), and how its utilisation becomes
/// demand.
public struct TraceReference: Sendable, Hashable {
  /// `TraceFormat` raw value (`bitbrains`, `planetlab`, …) or `yt`.
  public var format: String
  /// Path of the file or folder, resolved against the scenario's folder.
  public var path: String
  /// Size of utilisation 1.0 for every entity (vCPU, GiB); nil uses each entity's capacity from
  /// the trace.
  public var vmSize: ResourceVector?
  /// Multiplier on CPU demand (relative per-core speed of the trace's hosts to the pool's).
  public var cpuFactor: Double
  /// Where in the trace the simulation starts, milliseconds after the trace's first sample.
  public var startMilliseconds: Int64

  /// Creates a reference.
  public init(
    format: String, path: String, vmSize: ResourceVector?, cpuFactor: Double, startMilliseconds: Int64
  ) {
    self.format = format
    self.path = path
    self.vmSize = vmSize
    self.cpuFactor = cpuFactor
    self.startMilliseconds = startMilliseconds
  }
}

/// A pool's trace (`pools[].trace`): systems of the pool without their own `load` replay its
/// entities.
public struct TraceMapping: Sendable, Hashable {
  /// How systems get entities.
  public enum Map: Sendable, Hashable {
    /// System name → entity name.
    case explicit([String: String])
    /// Entities drawn without replacement, in the pool's systems' file order, from the stream
    /// `trace-map/<pool>` of `seed` (the run seed when nil).
    case sample(seed: UInt64?)
  }

  /// The trace.
  public var trace: TraceReference
  /// The mapping.
  public var map: Map
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
  /// Where its VMs may go: server group, zone, tags.
  public var constraints = PlacementConstraints()
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
