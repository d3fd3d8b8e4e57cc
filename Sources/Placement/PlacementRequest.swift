import CapacityModel

/// A VM asking for a place.
public struct PlacementRequest: Hashable, Sendable {
  /// Unique identifier of the VM (also the last-resort tie-break of decreasing orderings).
  public var id: String
  /// Allocation the VM reserves on its host.
  public var size: ResourceVector
  /// Business system the VM belongs to.
  public var system: String
  /// Bureau that owns the system.
  public var bureau: String

  /// Creates a request.
  public init(id: String, size: ResourceVector, system: String = "", bureau: String = "") {
    self.id = id
    self.size = size
    self.system = system
    self.bureau = bureau
  }
}

/// What a policy decides for one request.
public enum PlacementDecision: Hashable, Sendable {
  /// Place the VM on the open host with this `HostState.index`.
  case place(hostIndex: Int)
  /// Open a new host (capacity `ClusterSnapshot.newHostCapacity`) and place the VM there.
  case openNewHost
  /// The VM cannot be placed; `reason` says why, in words.
  case reject(reason: String)
  /// Not now: `BatchPlacer` retries the request once after the rest of the batch.
  case `defer`(reason: String)
}
