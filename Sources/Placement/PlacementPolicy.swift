import CapacityModel

/// A placement policy (scheduler): a pure function of a read-only cluster snapshot and a request.
///
/// Implementations must be deterministic: no randomness, no clock, and no Dictionary/Set
/// iteration order reaching a decision. Ties between hosts go to the lowest `HostState.index`.
public protocol PlacementPolicy: Sendable {
  /// Registry name, e.g. "first-fit".
  var name: String { get }
  /// One line for `yunhe schedulers`.
  var summary: String { get }
  /// The order in which a batch is decided, given the cluster before the batch. Must return a
  /// permutation of `batch`. The default keeps the input order (online policies); decreasing
  /// variants sort.
  func order(_ batch: [PlacementRequest], in cluster: ClusterSnapshot) -> [PlacementRequest]
  /// The decision for one request against the current state of the cluster.
  func decide(_ request: PlacementRequest, in cluster: ClusterSnapshot) -> PlacementDecision
}

extension PlacementPolicy {
  /// Keeps the input order (online policies decide requests as they arrive).
  public func order(_ batch: [PlacementRequest], in cluster: ClusterSnapshot) -> [PlacementRequest] {
    batch
  }
}
