import CapacityModel

/// Best fit: the host left tightest after placing, i.e. with the smallest capacity-normalised
/// remaining sum (`HostState.normalisedRemaining(after:)`); lowest index wins ties.
///
/// Time: O(hosts) per decision, O(n · hosts) for a batch of n requests. Online: keeps the
/// batch order.
public struct BestFit: PlacementPolicy {
  /// Creates the policy.
  public init() {}

  /// "best-fit".
  public var name: String { "best-fit" }

  /// One line for `yunhe schedulers`.
  public var summary: String {
    "host with the least normalised capacity left after placing; opens a host when none has room"
  }

  /// The fitting host with the smallest remaining score, else
  /// `ClusterSnapshot.noFitDecision(for:)`.
  public func decide(_ request: PlacementRequest, in cluster: ClusterSnapshot) -> PlacementDecision {
    if let index = cluster.bestScoringHost(for: request.size, isBetter: { $0 < $1 }) {
      return .place(hostIndex: index)
    }
    return cluster.noFitDecision(for: request)
  }
}
