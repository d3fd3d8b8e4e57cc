import CapacityModel

/// A request and the host it was placed on.
public struct Assignment: Hashable, Sendable {
  /// The placed request.
  public var request: PlacementRequest
  /// `HostState.index` of the host it went to.
  public var hostIndex: Int

  /// Creates an assignment.
  public init(request: PlacementRequest, hostIndex: Int) {
    self.request = request
    self.hostIndex = hostIndex
  }
}

/// A request that could not be placed, and why.
public struct Rejection: Hashable, Sendable {
  /// The rejected request.
  public var request: PlacementRequest
  /// Why, in words; never empty.
  public var reason: String

  /// Creates a rejection.
  public init(request: PlacementRequest, reason: String) {
    self.request = request
    self.reason = reason
  }
}

/// Result of placing a batch.
public struct PlacementOutcome: Hashable, Sendable {
  /// Hosts after the batch: the snapshot's hosts, updated, followed by the hosts opened.
  public var hosts: [HostState]
  /// Placed requests, in decision order.
  public var assignments: [Assignment]
  /// Rejected requests, in decision order.
  public var rejections: [Rejection]
  /// Number of hosts opened by the batch (the last `hostsOpened` entries of `hosts`).
  public var hostsOpened: Int

  /// Creates an outcome.
  public init(hosts: [HostState], assignments: [Assignment], rejections: [Rejection], hostsOpened: Int) {
    self.hosts = hosts
    self.assignments = assignments
    self.rejections = rejections
    self.hostsOpened = hostsOpened
  }
}

/// Drives a policy over a batch of requests (one migration wave).
public enum BatchPlacer {
  /// Places `batch` into `cluster` with `policy`.
  ///
  /// The batch is first ordered by `policy.order(_:in:)`. Each request is then decided against
  /// the current snapshot, which is updated in place between decisions (no per-request copy of
  /// the hosts), and the decision applied:
  /// - `place(hostIndex:)` allocates on that host; a host that cannot take the request rejects
  ///   it with `PlacementReason.hostWithoutRoom` (a policy bug), an index that is not open with
  ///   `PlacementReason.unknownHost(_:)`;
  /// - `openNewHost` opens a host of `newHostCapacity` and `newHostAggregate` with index one
  ///   above the highest open index (`ClusterSnapshot.prospectiveHost`), unless the request
  ///   is larger than an empty host (`PlacementReason.oversize`) or no host may be opened —
  ///   `cluster.canOpenHost` is false or `maxHosts` hosts are open
  ///   (`PlacementReason.poolFull(hosts:)`);
  /// - `reject(reason:)` rejects;
  /// - `defer(reason:)` puts the request aside; deferred requests are decided once more, in
  ///   the order they were deferred, after the rest of the batch, and rejected with their
  ///   latest reason if deferred again.
  ///
  /// A placement updates the host in place with `HostState.add(_:)`: allocation, VM count and
  /// the request's server group.
  ///
  /// Requests whose size has a negative or non-finite component are rejected without asking the
  /// policy. Time: the policy's ordering plus n decisions, each O(1) (O(log hosts) when indices
  /// are not contiguous; plus O(groups on the host) for a request in a server group) on top of
  /// the policy's own cost.
  ///
  /// - Precondition: `cluster.hosts` are in strictly increasing index order, and every host's
  ///   `aggregate` and `cluster.newHostAggregate` are positions in `cluster.aggregates`.
  public static func place(
    _ batch: [PlacementRequest], into cluster: ClusterSnapshot, maxHosts: Int?,
    policy: any PlacementPolicy
  ) -> PlacementOutcome {
    precondition(cluster.hasIncreasingIndices, "ClusterSnapshot.hosts must be in increasing index order")
    precondition(
      cluster.hasValidAggregates, "ClusterSnapshot: every aggregate must be a position in aggregates")
    var run = Run(cluster: cluster, maxHosts: maxHosts, policy: policy)
    let ordered = policy.order(batch, in: cluster)
    assert(isPermutation(ordered, of: batch), "\(policy.name).order must return a permutation of the batch")
    var deferred: [PlacementRequest] = []
    for request in ordered {
      if run.decideAndApply(request, finalAttempt: false) { deferred.append(request) }
    }
    for request in deferred {
      _ = run.decideAndApply(request, finalAttempt: true)
    }
    return PlacementOutcome(
      hosts: run.cluster.hosts, assignments: run.assignments, rejections: run.rejections,
      hostsOpened: run.cluster.hosts.count - cluster.hosts.count)
  }

  /// The mutable state of one `place` call.
  private struct Run {
    var cluster: ClusterSnapshot
    let maxHosts: Int?
    let policy: any PlacementPolicy
    let mayOpen: Bool
    var nextIndex: Int
    var assignments: [Assignment] = []
    var rejections: [Rejection] = []

    init(cluster: ClusterSnapshot, maxHosts: Int?, policy: any PlacementPolicy) {
      self.cluster = cluster
      self.maxHosts = maxHosts
      self.policy = policy
      self.mayOpen = cluster.canOpenHost
      self.nextIndex = (cluster.hosts.last?.index ?? -1) + 1
      refreshCanOpen()
    }

    mutating func refreshCanOpen() {
      cluster.canOpenHost = mayOpen && cluster.hosts.count < (maxHosts ?? .max)
    }

    /// Decides and applies one request; returns true when it was deferred (first attempt only).
    mutating func decideAndApply(_ request: PlacementRequest, finalAttempt: Bool) -> Bool {
      guard request.size.isValidAmount else {
        reject(request, PlacementReason.invalidSize(request.size))
        return false
      }
      switch policy.decide(request, in: cluster) {
      case .place(let hostIndex):
        guard let position = cluster.position(ofHost: hostIndex) else {
          reject(request, PlacementReason.unknownHost(hostIndex))
          return false
        }
        guard cluster.hosts[position].canHost(request.size) else {
          reject(request, PlacementReason.hostWithoutRoom)
          return false
        }
        cluster.hosts[position].add(request)
        assignments.append(Assignment(request: request, hostIndex: hostIndex))
      case .openNewHost:
        let capacity = cluster.newHostCapacity
        if let reason = PlacementReason.oversize(request.size, hostCapacity: capacity) {
          reject(request, reason)
        } else if !cluster.canOpenHost {
          reject(request, PlacementReason.poolFull(hosts: cluster.hosts.count))
        } else {
          var host = HostState(index: nextIndex, capacity: capacity, aggregate: cluster.newHostAggregate)
          host.add(request)
          cluster.hosts.append(host)
          assignments.append(Assignment(request: request, hostIndex: nextIndex))
          nextIndex += 1
          refreshCanOpen()
        }
      case .reject(let reason):
        reject(request, reason.isEmpty ? "rejected by \(policy.name)" : reason)
      case .defer(let reason):
        if !finalAttempt { return true }
        reject(request, reason.isEmpty ? "deferred twice by \(policy.name)" : reason)
      }
      return false
    }

    mutating func reject(_ request: PlacementRequest, _ reason: String) {
      rejections.append(Rejection(request: request, reason: reason))
    }
  }

  /// True when `a` and `b` hold the same requests with the same multiplicities, comparing sizes
  /// bit for bit (so that a NaN size equals itself); O(n).
  private static func isPermutation(_ a: [PlacementRequest], of b: [PlacementRequest]) -> Bool {
    struct Key: Hashable {
      var id: String
      var system: String
      var bureau: String
      var bits: [UInt64]
      init(_ r: PlacementRequest) {
        (id, system, bureau) = (r.id, r.system, r.bureau)
        bits = (0..<ResourceVector.dimensions).map { r.size[$0].bitPattern }
      }
    }
    guard a.count == b.count else { return false }
    var counts: [Key: Int] = [:]
    for r in b { counts[Key(r), default: 0] += 1 }
    for r in a {
      let key = Key(r)
      guard let c = counts[key], c > 0 else { return false }
      counts[key] = c - 1
    }
    return true
  }
}
