import CapacityModel

/// A hard constraint of `FilterScheduler` (a Nova filter): a pure function of a host, a request
/// and the cluster that says whether the host may take the request.
///
/// A filter has a display `name` used in rejection reasons ("AntiAffinity rejected 3 of 5
/// hosts") and a `key` used in scenario files (`anti_affinity`). `filter(_:_:in:)` is the batch
/// form the scheduler calls once per request; its default applies `passes` host by host, and
/// filters whose verdict does not depend on the host alone (aggregates, server groups) override
/// it to do the shared work once.
public protocol HostFilter: Sendable {
  /// Name in rejection reasons, e.g. "AntiAffinity".
  var name: String { get }
  /// Name in scenario files, e.g. "anti_affinity".
  var key: String { get }
  /// Whether `host` may take `request`.
  func passes(_ host: HostState, _ request: PlacementRequest, in cluster: ClusterSnapshot) -> Bool
  /// Why `host` does not pass, in a few words (meaningful only for a host that fails).
  func reason(_ host: HostState, _ request: PlacementRequest, in cluster: ClusterSnapshot) -> String
  /// Removes from `candidates` — positions in `cluster.hosts`, increasing — the hosts that do not
  /// pass, keeping the order of the rest. Must agree with `passes`.
  func filter(_ candidates: inout [Int], _ request: PlacementRequest, in cluster: ClusterSnapshot)
}

extension HostFilter {
  /// Applies `passes` to every candidate; O(candidates) calls.
  public func filter(_ candidates: inout [Int], _ request: PlacementRequest, in cluster: ClusterSnapshot) {
    cluster.hosts.withUnsafeBufferPointer { hosts in
      candidates.keep { passes(hosts[$0], request, in: cluster) }
    }
  }
}

/// A filter whose verdict depends only on the host's aggregate (zone, MLPS level, owner, tags),
/// so that it is decided once per aggregate and request. A host whose `aggregate` is not a
/// position in `ClusterSnapshot.aggregates` never passes.
public protocol AggregateFilter: HostFilter {
  /// Whether hosts of `aggregate` may take `request`.
  func admits(_ aggregate: HostAggregate, _ request: PlacementRequest) -> Bool
  /// Why hosts of `aggregate` may not take `request`, in a few words.
  func refusal(_ aggregate: HostAggregate, _ request: PlacementRequest) -> String
}

extension AggregateFilter {
  /// `admits` on the host's aggregate; false when the aggregate is unknown.
  public func passes(_ host: HostState, _ request: PlacementRequest, in cluster: ClusterSnapshot) -> Bool {
    guard let aggregate = cluster.aggregate(of: host) else { return false }
    return admits(aggregate, request)
  }

  /// `refusal` on the host's aggregate.
  public func reason(_ host: HostState, _ request: PlacementRequest, in cluster: ClusterSnapshot) -> String {
    guard let aggregate = cluster.aggregate(of: host) else {
      return "host \(host.index) names aggregate \(host.aggregate), which does not exist"
    }
    return refusal(aggregate, request)
  }

  /// Decides each aggregate once, then keeps the candidates of admitted aggregates;
  /// O(aggregates + candidates).
  public func filter(_ candidates: inout [Int], _ request: PlacementRequest, in cluster: ClusterSnapshot) {
    let admitted = cluster.aggregates.map { admits($0, request) }
    if !admitted.contains(true) {
      candidates.removeAll()
      return
    }
    cluster.hosts.withUnsafeBufferPointer { hosts in
      admitted.withUnsafeBufferPointer { ok in
        candidates.keep { p in
          let a = hosts[p].aggregate
          return a >= 0 && a < ok.count && ok[a]
        }
      }
    }
  }
}

extension Array where Element == Int {
  /// Keeps the elements satisfying `predicate`, in order, in place; O(count).
  mutating func keep(_ predicate: (Int) -> Bool) {
    var kept = 0
    withUnsafeMutableBufferPointer { buffer in
      for i in buffer.indices {
        let p = buffer[i]
        if predicate(p) {
          buffer[kept] = p
          kept += 1
        }
      }
    }
    removeLast(count - kept)
  }
}
