import CapacityModel

/// Worst fit: the host left emptiest after placing, i.e. with the largest capacity-normalised
/// remaining sum (`HostState.normalisedRemaining(after:)`); lowest index wins ties. Spreads load.
///
/// Time: O(hosts) per decision, O(n · hosts) for a batch of n requests. Online: keeps the
/// batch order.
public struct WorstFit: PlacementPolicy {
  /// Creates the policy.
  public init() {}

  /// "worst-fit".
  public var name: String { "worst-fit" }

  /// One line for `yunhe schedulers`.
  public var summary: String {
    "host with the most normalised capacity left after placing (spreads load); opens a host when none has room"
  }

  /// The fitting host with the largest remaining score, else
  /// `ClusterSnapshot.noFitDecision(for:)`.
  public func decide(_ request: PlacementRequest, in cluster: ClusterSnapshot) -> PlacementDecision {
    if let index = cluster.bestScoringHost(for: request.size, isBetter: { $0 > $1 }) {
      return .place(hostIndex: index)
    }
    return cluster.noFitDecision(for: request)
  }
}
