import CapacityModel

/// First fit decreasing: sorts the batch largest first, then places each request first-fit.
///
/// Size is measured normalised by `ClusterSnapshot.newHostCapacity`: largest normalised
/// component first, ties by the larger sum of normalised components, then by `id`, `system` and
/// `bureau` (ascending) and finally the raw components (descending). The order is total, so the
/// result does not depend on the input order of the batch.
///
/// Time: O(n log n) to order a batch of n requests plus O(hosts) per decision, O(n log n +
/// n · hosts) for the batch.
public struct FirstFitDecreasing: PlacementPolicy {
  /// Creates the policy.
  public init() {}

  /// "first-fit-decreasing".
  public var name: String { "first-fit-decreasing" }

  /// One line for `yunhe schedulers`.
  public var summary: String {
    "sorts each batch largest first (normalised by host capacity), then first fit"
  }

  /// The batch sorted largest first; see the type's documentation for the exact key.
  public func order(_ batch: [PlacementRequest], in cluster: ClusterSnapshot) -> [PlacementRequest] {
    let keyed = batch.map { request in
      let n = request.size.normalised(by: cluster.newHostCapacity)
      return (request: request, max: sortable(n.maxComponent), sum: sortable(n.sum))
    }
    return keyed.sorted { a, b in
      if a.max != b.max { return a.max > b.max }
      if a.sum != b.sum { return a.sum > b.sum }
      let (x, y) = (a.request, b.request)
      if x.id != y.id { return x.id < y.id }
      if x.system != y.system { return x.system < y.system }
      if x.bureau != y.bureau { return x.bureau < y.bureau }
      for d in 0..<ResourceVector.dimensions {
        let (u, v) = (sortable(x.size[d]), sortable(y.size[d]))
        if u != v { return u > v }
      }
      return false
    }.map(\.request)
  }

  /// First fit (`FirstFit.decide(_:in:)`).
  public func decide(_ request: PlacementRequest, in cluster: ClusterSnapshot) -> PlacementDecision {
    FirstFit().decide(request, in: cluster)
  }
}

/// A sort key with NaN mapped to +∞, so that orderings stay strict weak orders on bad input.
private func sortable(_ x: Double) -> Double { x.isNaN ? .infinity : x }
