/// A business system (业务系统) of a bureau, before and after consolidation.
public struct BusinessSystem: Hashable, Sendable {
  /// Unique name.
  public var name: String
  /// Owning bureau's name.
  public var bureau: String
  /// Business kind.
  public var kind: BusinessKind
  /// Required MLPS level.
  public var mlps: MLPSLevel
  /// Dedicated servers before consolidation; nil for a system that is new (born in the pool).
  public var dedicated: DedicatedFleet?
  /// Pool the system's VMs go to, by name.
  public var pool: String

  /// Creates a business system.
  public init(
    name: String, bureau: String, kind: BusinessKind, mlps: MLPSLevel, dedicated: DedicatedFleet?,
    pool: String
  ) {
    self.name = name
    self.bureau = bureau
    self.kind = kind
    self.mlps = mlps
    self.dedicated = dedicated
    self.pool = pool
  }
}

/// The dedicated servers a system ran on before consolidation.
public struct DedicatedFleet: Hashable, Sendable {
  /// Host model of the servers.
  public var model: HostModel
  /// Number of servers.
  public var count: Int

  /// Creates a fleet.
  public init(model: HostModel, count: Int) {
    self.model = model
    self.count = count
  }
}

/// A virtual resource pool (资源池) of identical hosts.
public struct Pool: Hashable, Sendable {
  /// Unique name.
  public var name: String
  /// Security or availability zone the pool belongs to.
  public var zone: String
  /// Model of every host in the pool.
  public var hostModel: HostModel
  /// vCPU overcommit ratio (allocatable vCPU per physical core), ≥ 1 typical.
  public var cpuOvercommit: Double
  /// Memory overcommit ratio, usually 1.
  public var memoryOvercommit: Double
  /// Fraction of each host's allocatable capacity kept free, in [0, 1).
  public var headroom: Double
  /// Highest MLPS level the pool is certified for.
  public var mlps: MLPSLevel
  /// For a dedicated cloud (专享云): the only bureau allowed in the pool; nil for a shared pool.
  public var dedicatedTo: String?
  /// Upper limit on hosts, or nil for as many as needed.
  public var maxHosts: Int?
  /// Hosts kept empty as failover reserve (N+k), counted in cabinets and cost.
  public var spareHosts: Int
  /// Pools with the same cabinet group share cabinets; physically isolated networks (e-gov
  /// extranet vs Internet zone, a dedicated cloud) use different groups.
  public var cabinetGroup: String

  /// Creates a pool.
  public init(
    name: String, zone: String, hostModel: HostModel, cpuOvercommit: Double,
    memoryOvercommit: Double, headroom: Double, mlps: MLPSLevel, dedicatedTo: String?,
    maxHosts: Int?, spareHosts: Int, cabinetGroup: String = "shared"
  ) {
    self.name = name
    self.zone = zone
    self.hostModel = hostModel
    self.cpuOvercommit = cpuOvercommit
    self.memoryOvercommit = memoryOvercommit
    self.headroom = headroom
    self.mlps = mlps
    self.dedicatedTo = dedicatedTo
    self.maxHosts = maxHosts
    self.spareHosts = spareHosts
    self.cabinetGroup = cabinetGroup
  }

  /// Allocatable capacity of one host of the pool.
  public var hostAllocatable: ResourceVector {
    hostModel.allocatable(
      cpuOvercommit: cpuOvercommit, memoryOvercommit: memoryOvercommit, headroom: headroom)
  }
}
