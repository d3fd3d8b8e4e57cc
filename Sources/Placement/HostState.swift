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

  /// Creates a host state; an empty host by default.
  public init(index: Int, capacity: ResourceVector, allocated: ResourceVector = .zero, vmCount: Int = 0) {
    self.index = index
    self.capacity = capacity
    self.allocated = allocated
    self.vmCount = vmCount
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
}
