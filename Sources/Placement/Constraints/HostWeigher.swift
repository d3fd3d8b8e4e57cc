import CapacityModel

/// A soft preference of `FilterScheduler` (a Nova weigher): a raw weight per candidate host,
/// larger meaning more preferred.
///
/// The scheduler normalises each weigher's raw weights over the candidate hosts of one request to
/// [0, 1] — (w − min) / (max − min), all 0 when every host weighs the same — multiplies them by
/// the weigher's multiplier and sums over weighers, as Nova does. Only the order of raw weights
/// within one request matters, so a weigher need not scale them.
public protocol HostWeigher: Sendable {
  /// Name in scenario files and reasons, e.g. "pack".
  var name: String { get }
  /// Raw weight of `host` for `request`; larger is preferred.
  func weight(_ host: HostState, _ request: PlacementRequest, in cluster: ClusterSnapshot) -> Double
  /// Writes the raw weight of each candidate (positions in `cluster.hosts`) into `weights`, which
  /// has the candidates' count. Must agree with `weight`.
  func weigh(
    _ candidates: [Int], _ request: PlacementRequest, in cluster: ClusterSnapshot,
    into weights: inout [Double])
}

extension HostWeigher {
  /// Applies `weight` to every candidate.
  public func weigh(
    _ candidates: [Int], _ request: PlacementRequest, in cluster: ClusterSnapshot,
    into weights: inout [Double]
  ) {
    cluster.hosts.withUnsafeBufferPointer { hosts in
      for (i, p) in candidates.enumerated() { weights[i] = weight(hosts[p], request, in: cluster) }
    }
  }
}

/// Pack (stacking): the host left fullest after placing — minus the capacity-normalised remaining
/// sum, the key of best-fit — so that VMs fill hosts before others are used.
public struct PackWeigher: HostWeigher {
  /// Creates the weigher.
  public init() {}
  /// "pack".
  public var name: String { "pack" }

  /// −`host.normalisedRemaining(after: request.size)`.
  public func weight(_ host: HostState, _ request: PlacementRequest, in cluster: ClusterSnapshot) -> Double {
    -host.normalisedRemaining(after: request.size)
  }

  /// `weight` for every candidate, reading the hosts' vectors in place.
  public func weigh(
    _ candidates: [Int], _ request: PlacementRequest, in cluster: ClusterSnapshot,
    into weights: inout [Double]
  ) {
    remaining(candidates, request.size, cluster, sign: -1, into: &weights)
  }
}

/// Spread: the host left emptiest after placing — the capacity-normalised remaining sum, the key
/// of worst-fit — so that load is spread over the hosts.
public struct SpreadWeigher: HostWeigher {
  /// Creates the weigher.
  public init() {}
  /// "spread".
  public var name: String { "spread" }

  /// `host.normalisedRemaining(after: request.size)`.
  public func weight(_ host: HostState, _ request: PlacementRequest, in cluster: ClusterSnapshot) -> Double {
    host.normalisedRemaining(after: request.size)
  }

  /// `weight` for every candidate, reading the hosts' vectors in place.
  public func weigh(
    _ candidates: [Int], _ request: PlacementRequest, in cluster: ClusterSnapshot,
    into weights: inout [Double]
  ) {
    remaining(candidates, request.size, cluster, sign: 1, into: &weights)
  }
}

/// `sign` × `normalisedRemaining(after: size)` of each candidate, without copying the hosts.
private func remaining(
  _ candidates: [Int], _ size: ResourceVector, _ cluster: ClusterSnapshot, sign: Double,
  into weights: inout [Double]
) {
  cluster.hosts.withUnsafeBufferPointer { hosts in
    weights.withUnsafeMutableBufferPointer { out in
      for (i, p) in candidates.enumerated() {
        let capacity = hosts[p].capacity
        out[i] = sign * (capacity - hosts[p].allocated - size).normalised(by: capacity).sum
      }
    }
  }
}

/// Power-aware: the host whose electrical power grows least by taking the request.
///
/// A host holding no VM counts as switched off, so taking the request costs its idle power too;
/// a host already on costs only the rise along its power curve. CPU utilisation is estimated as
/// the allocated share of the host's allocatable vCPU. With the aggregate's power curve unknown
/// the weight is 1 for a host already on and 0 for one that is off.
public struct PowerWeigher: HostWeigher {
  /// Creates the weigher.
  public init() {}
  /// "power".
  public var name: String { "power" }

  /// Minus the marginal watts (see the type's documentation).
  public func weight(_ host: HostState, _ request: PlacementRequest, in cluster: ClusterSnapshot) -> Double {
    Self.weight(
      vmCount: host.vmCount, allocated: host.allocated.vcpu, capacity: host.capacity.vcpu,
      size: request.size.vcpu, curve: cluster.aggregate(of: host)?.power)
  }

  /// `weight` for every candidate, reading the hosts in place.
  public func weigh(
    _ candidates: [Int], _ request: PlacementRequest, in cluster: ClusterSnapshot,
    into weights: inout [Double]
  ) {
    let curves = cluster.aggregates.map(\.power)
    let size = request.size.vcpu
    cluster.hosts.withUnsafeBufferPointer { hosts in
      for (i, p) in candidates.enumerated() {
        let a = hosts[p].aggregate
        weights[i] = Self.weight(
          vmCount: hosts[p].vmCount, allocated: hosts[p].allocated.vcpu, capacity: hosts[p].capacity.vcpu,
          size: size, curve: curves.indices.contains(a) ? curves[a] : nil)
      }
    }
  }

  private static func weight(
    vmCount: Int, allocated: Double, capacity: Double, size: Double, curve: PowerCurve?
  )
    -> Double
  {
    let isOn = vmCount > 0
    guard let curve else { return isOn ? 1 : 0 }
    guard capacity > 0 else { return isOn ? 0 : -curve.idleWatts }
    let before = curve.watts(atUtilisation: allocated / capacity)
    let after = curve.watts(atUtilisation: (allocated + size) / capacity)
    return -((after - before) + (isOn ? 0 : curve.idleWatts))
  }
}

/// Fewest cabinets touched: 1 for a host whose cabinet already holds a host with VMs, 0
/// otherwise, so that new load stays in cabinets already in use. Cabinets come from
/// `ClusterSnapshot.cabinet(of:)`; a host of unknown cabinet counts as a cabinet of its own.
public struct FewestCabinetsWeigher: HostWeigher {
  /// Creates the weigher.
  public init() {}
  /// "fewest_cabinets".
  public var name: String { "fewest_cabinets" }

  /// 1 when the host's cabinet is in use; O(hosts).
  public func weight(_ host: HostState, _ request: PlacementRequest, in cluster: ClusterSnapshot) -> Double {
    guard let cabinet = cluster.cabinet(of: host) else { return host.vmCount > 0 ? 1 : 0 }
    return cluster.hosts.contains { $0.vmCount > 0 && cluster.cabinet(of: $0) == cabinet } ? 1 : 0
  }

  /// Finds the cabinets in use in one scan of the hosts, then weighs the candidates;
  /// O(hosts + candidates).
  public func weigh(
    _ candidates: [Int], _ request: PlacementRequest, in cluster: ClusterSnapshot,
    into weights: inout [Double]
  ) {
    let hosts = cluster.hosts
    var cabinets = [Int](repeating: -1, count: hosts.count)
    var dense = true
    var highest = -1
    let per = cluster.hostsPerCabinet ?? 0
    for p in hosts.indices {
      let c = hosts[p].cabinet ?? (per > 0 && hosts[p].index >= 0 ? hosts[p].index / per : -1)
      guard c >= 0 else {
        dense = false
        break
      }
      cabinets[p] = c
      highest = Swift.max(highest, c)
    }
    if dense && highest < 4 * hosts.count + 1024 {
      // Small non-negative cabinet numbers: a flag per cabinet.
      var used = [Bool](repeating: false, count: highest + 1)
      for p in hosts.indices where hosts[p].vmCount > 0 { used[cabinets[p]] = true }
      for (i, p) in candidates.enumerated() { weights[i] = used[cabinets[p]] ? 1 : 0 }
      return
    }
    var used = Set<Int>()
    for host in hosts where host.vmCount > 0 {
      if let c = cluster.cabinet(of: host) { used.insert(c) }
    }
    for (i, p) in candidates.enumerated() {
      let host = hosts[p]
      if let c = cluster.cabinet(of: host) {
        weights[i] = used.contains(c) ? 1 : 0
      } else {
        weights[i] = host.vmCount > 0 ? 1 : 0
      }
    }
  }
}
