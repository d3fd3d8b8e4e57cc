import CapacityModel

/// One host as a policy sees it.
public struct HostState: Hashable, Sendable {
  /// Identifier of the host within its pool; snapshots list hosts in increasing index order.
  public var index: Int
  /// Allocatable capacity, after overcommit and headroom.
  public var capacity: ResourceVector
  /// Sum of the sizes of the VMs placed on the host.
  public var allocated: ResourceVector
  /// Number of VMs placed on the host.
  public var vmCount: Int
  /// Position in `ClusterSnapshot.aggregates` of the host aggregate the host belongs to (its
  /// zone, MLPS level, owner, tags and power curve); 0 by default.
  public var aggregate: Int
  /// Cabinet (rack) the host stands in, or nil to derive it from
  /// `ClusterSnapshot.hostsPerCabinet` (see `ClusterSnapshot.cabinet(of:)`).
  public var cabinet: Int?
  /// Names of the server groups with at least one VM on the host, each once, in the order they
  /// arrived.
  public var groups: [String] {
    didSet { groupBits = Self.bits(of: groups) }
  }
  /// A 64-bit Bloom filter of `groups` (`ServerGroup.bit(for:)` of each name), kept in step with
  /// `groups`, so that the server-group filters skip most string comparisons.
  public private(set) var groupBits: UInt64

  /// Creates a host state; an empty host of aggregate 0 by default.
  public init(
    index: Int, capacity: ResourceVector, allocated: ResourceVector = .zero, vmCount: Int = 0,
    aggregate: Int = 0, cabinet: Int? = nil, groups: [String] = []
  ) {
    self.index = index
    self.capacity = capacity
    self.allocated = allocated
    self.vmCount = vmCount
    self.aggregate = aggregate
    self.cabinet = cabinet
    self.groups = groups
    self.groupBits = Self.bits(of: groups)
  }

  /// The union of `ServerGroup.bit(for:)` over `names`.
  static func bits(of names: [String]) -> UInt64 {
    names.reduce(0) { $0 | ServerGroup.bit(for: $1) }
  }

  /// Capacity not yet allocated (negative components when the host is overfull).
  public var free: ResourceVector { capacity - allocated }

  /// True when a VM of `size` fits next to what is already allocated (within
  /// `ResourceVector.tolerance`). This is the one fit test used by every policy and by
  /// `BatchPlacer`, so a host that passed it never ends up over capacity.
  public func canHost(_ size: ResourceVector) -> Bool {
    (allocated + size).fits(in: capacity)
  }

  /// Sum over dimensions of the capacity left after placing `size`, each dimension divided by
  /// the host's capacity in that dimension (dimensions of zero capacity count 0). The score of
  /// best-fit (smallest wins) and worst-fit (largest wins); O(1).
  public func normalisedRemaining(after size: ResourceVector) -> Double {
    (free - size).normalised(by: capacity).sum
  }

  /// Whether a VM of server group `name` is on the host; O(groups on the host).
  public func holdsGroup(_ name: String) -> Bool {
    holdsGroup(name, bit: ServerGroup.bit(for: name))
  }

  /// `holdsGroup(_:)` with the name's `ServerGroup.bit(for:)` computed by the caller.
  @inline(__always)
  func holdsGroup(_ name: String, bit: UInt64) -> Bool {
    groupBits & bit != 0 && groups.contains(name)
  }

  /// Records that a VM of `request` was placed: allocation, VM count and server group. O(1)
  /// plus O(groups on the host) for a request in a server group.
  public mutating func add(_ request: PlacementRequest) {
    allocated += request.size
    vmCount += 1
    if let group = request.serverGroup?.name, !groups.contains(group) { groups.append(group) }
  }
}
