import CapacityModel

/// Read-only view of a pool handed to a policy.
///
/// `hosts` must be in strictly increasing `index` order (indices need not be contiguous) and
/// every host's `aggregate`, like `newHostAggregate`, must be a position in `aggregates`;
/// `BatchPlacer` checks both. Policies scan `hosts` in array order, which is index order, so
/// "lowest index wins ties" is "first in the array wins ties".
public struct ClusterSnapshot: Hashable, Sendable {
  /// Open hosts, in increasing index order.
  public var hosts: [HostState]
  /// Allocatable capacity of a host that could be opened.
  public var newHostCapacity: ResourceVector
  /// Whether a new host may be opened (false once the pool is at its host limit).
  public var canOpenHost: Bool
  /// Host aggregates, referred to by `HostState.aggregate`; never empty.
  public var aggregates: [HostAggregate]
  /// Aggregate of a host that could be opened.
  public var newHostAggregate: Int
  /// Hosts per cabinet, used to derive the cabinet of a host that has no explicit
  /// `HostState.cabinet` (cabinet = index / hostsPerCabinet); nil when unknown.
  public var hostsPerCabinet: Int?

  /// Creates a snapshot; by default with no open hosts, room to open more and one unconstrained
  /// aggregate (`HostAggregate()`).
  public init(
    hosts: [HostState] = [], newHostCapacity: ResourceVector, canOpenHost: Bool = true,
    aggregates: [HostAggregate] = [HostAggregate()], newHostAggregate: Int = 0, hostsPerCabinet: Int? = nil
  ) {
    self.hosts = hosts
    self.newHostCapacity = newHostCapacity
    self.canOpenHost = canOpenHost
    self.aggregates = aggregates
    self.newHostAggregate = newHostAggregate
    self.hostsPerCabinet = hostsPerCabinet
  }

  /// The decision for a request that fits no open host: reject it when it is larger than an
  /// empty host (the reason names the binding dimension) or when no host may be opened
  /// ("pool full: N hosts"); otherwise open a new host. Shared by all standard policies; O(1).
  public func noFitDecision(for request: PlacementRequest) -> PlacementDecision {
    if let reason = PlacementReason.oversize(request.size, hostCapacity: newHostCapacity) {
      return .reject(reason: reason)
    }
    guard canOpenHost else { return .reject(reason: PlacementReason.poolFull(hosts: hosts.count)) }
    return .openNewHost
  }

  /// The host `BatchPlacer` would open next: empty, of `newHostCapacity` and `newHostAggregate`,
  /// with the index one above the highest open index. O(1).
  public var prospectiveHost: HostState {
    HostState(
      index: (hosts.last?.index ?? -1) + 1, capacity: newHostCapacity, aggregate: newHostAggregate)
  }

  /// The aggregate of `host`, or nil when its `aggregate` is not a position in `aggregates`.
  public func aggregate(of host: HostState) -> HostAggregate? {
    aggregates.indices.contains(host.aggregate) ? aggregates[host.aggregate] : nil
  }

  /// The cabinet of `host`: its explicit `cabinet`, else `index / hostsPerCabinet`, else nil.
  public func cabinet(of host: HostState) -> Int? {
    if let c = host.cabinet { return c }
    guard let per = hostsPerCabinet, per > 0 else { return nil }
    return host.index >= 0 ? host.index / per : (host.index - per + 1) / per
  }

  /// Array position of the host with `index`, or nil; O(1) when indices are contiguous from 0,
  /// O(log hosts) otherwise (binary search, relying on the increasing-index invariant).
  func position(ofHost index: Int) -> Int? {
    if hosts.indices.contains(index), hosts[index].index == index { return index }
    var low = 0
    var high = hosts.count
    while low < high {
      let mid = (low + high) / 2
      if hosts[mid].index < index { low = mid + 1 } else { high = mid }
    }
    return low < hosts.count && hosts[low].index == index ? low : nil
  }

  /// True when host indices strictly increase along `hosts`; O(hosts).
  var hasIncreasingIndices: Bool {
    zip(hosts, hosts.dropFirst()).allSatisfy { $0.index < $1.index }
  }

  /// True when every host's aggregate and `newHostAggregate` are positions in `aggregates`;
  /// O(hosts).
  var hasValidAggregates: Bool {
    aggregates.indices.contains(newHostAggregate)
      && hosts.allSatisfy { aggregates.indices.contains($0.aggregate) }
  }

  /// Index of the fitting host whose `normalisedRemaining(after:)` score is best by `isBetter`
  /// (strictly), scanning in index order so that the lowest index wins ties; nil when no host
  /// fits. O(hosts).
  func bestScoringHost(
    for size: ResourceVector, isBetter: (_ candidate: Double, _ incumbent: Double) -> Bool
  ) -> Int? {
    var best: (index: Int, score: Double)?
    for host in hosts where host.canHost(size) {
      let score = host.normalisedRemaining(after: size)
      if let incumbent = best, !isBetter(score, incumbent.score) { continue }
      best = (host.index, score)
    }
    return best?.index
  }
}
