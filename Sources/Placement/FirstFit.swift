import CapacityModel

/// First fit: the first open host, in index order, with room; otherwise a new host.
///
/// Time: O(hosts) per decision, O(n · hosts) for a batch of n requests. Online: keeps the
/// batch order.
public struct FirstFit: PlacementPolicy {
  /// Creates the policy.
  public init() {}

  /// "first-fit".
  public var name: String { "first-fit" }

  /// One line for `yunhe schedulers`.
  public var summary: String {
    "first open host (lowest index) with room; opens a host when none has room"
  }

  /// The lowest-index host that can take the request, else `ClusterSnapshot.noFitDecision(for:)`.
  public func decide(_ request: PlacementRequest, in cluster: ClusterSnapshot) -> PlacementDecision {
    for host in cluster.hosts where host.canHost(request.size) {
      return .place(hostIndex: host.index)
    }
    return cluster.noFitDecision(for: request)
  }
}
