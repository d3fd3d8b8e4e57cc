import CapacityModel

/// Capacity with overcommit: the request fits next to what the host already holds
/// (`HostState.canHost(_:)`; the host's capacity is already after overcommit and headroom).
public struct CapacityFilter: HostFilter {
  /// Creates the filter.
  public init() {}
  /// "Capacity".
  public var name: String { "Capacity" }
  /// "capacity".
  public var key: String { "capacity" }

  /// `host.canHost(request.size)`.
  public func passes(_ host: HostState, _ request: PlacementRequest, in cluster: ClusterSnapshot) -> Bool {
    host.canHost(request.size)
  }

  /// The binding dimension: for an empty host `PlacementReason.oversize`, otherwise e.g.
  /// "needs 8 vcpu, 2 free".
  public func reason(_ host: HostState, _ request: PlacementRequest, in cluster: ClusterSnapshot) -> String {
    if let oversize = PlacementReason.oversize(request.size, hostCapacity: host.capacity) { return oversize }
    let free = host.free
    var binding = 0
    var worst = -Double.infinity
    for d in 0..<ResourceVector.dimensions {
      let excess = request.size[d] - free[d]
      let scaled = host.capacity[d] > 0 ? excess / host.capacity[d] : excess
      if scaled > worst {
        worst = scaled
        binding = d
      }
    }
    let unit = ResourceVector.dimensionNames[binding]
    return "needs \(PlacementReason.amount(request.size[binding])) \(unit), "
      + "\(PlacementReason.amount(Swift.max(free[binding], 0))) free"
  }

  /// Keeps the hosts with room; O(candidates).
  public func filter(_ candidates: inout [Int], _ request: PlacementRequest, in cluster: ClusterSnapshot) {
    let size = request.size
    cluster.hosts.withUnsafeBufferPointer { hosts in
      candidates.keep { (hosts[$0].allocated + size).fits(in: hosts[$0].capacity) }
    }
  }
}

/// Availability or security zone: a request that names a zone goes only to hosts of that zone
/// (DOMAIN.md: moving to virtualisation must not change a system's security zone).
public struct ZoneFilter: AggregateFilter {
  /// Creates the filter.
  public init() {}
  /// "Zone".
  public var name: String { "Zone" }
  /// "zone".
  public var key: String { "zone" }

  /// True when the request names no zone or the aggregate's zone is that zone.
  public func admits(_ aggregate: HostAggregate, _ request: PlacementRequest) -> Bool {
    request.zone == nil || aggregate.zone == request.zone
  }

  /// E.g. "needs zone `dmz`, host is in zone `extranet`".
  public func refusal(_ aggregate: HostAggregate, _ request: PlacementRequest) -> String {
    "needs zone `\(request.zone ?? "")`, host is "
      + (aggregate.zone.map { "in zone `\($0)`" } ?? "in no zone")
  }
}

/// MLPS level (等级保护): the host's aggregate is certified to at least the request's level.
public struct MLPSFilter: AggregateFilter {
  /// Creates the filter.
  public init() {}
  /// "MLPS".
  public var name: String { "MLPS" }
  /// "mlps".
  public var key: String { "mlps" }

  /// True when the request needs no level, or the aggregate is certified to at least its level.
  public func admits(_ aggregate: HostAggregate, _ request: PlacementRequest) -> Bool {
    guard let needed = request.mlps else { return true }
    guard let certified = aggregate.mlps else { return false }
    return certified >= needed
  }

  /// E.g. "needs MLPS 3, host certified to MLPS 2".
  public func refusal(_ aggregate: HostAggregate, _ request: PlacementRequest) -> String {
    "needs MLPS \(request.mlps?.value ?? 0), host "
      + (aggregate.mlps.map { "certified to MLPS \($0.value)" } ?? "not MLPS certified")
  }
}

/// Dedicated cloud (专享云): hosts owned by one bureau take only that bureau's VMs; shared hosts
/// take anyone's.
public struct DedicatedFilter: AggregateFilter {
  /// Creates the filter.
  public init() {}
  /// "Dedicated".
  public var name: String { "Dedicated" }
  /// "dedicated".
  public var key: String { "dedicated" }

  /// True when the aggregate has no owner or the request's bureau owns it.
  public func admits(_ aggregate: HostAggregate, _ request: PlacementRequest) -> Bool {
    aggregate.dedicatedTo == nil || aggregate.dedicatedTo == request.bureau
  }

  /// E.g. "host is in the dedicated cloud (专享云) of bureau `tax`".
  public func refusal(_ aggregate: HostAggregate, _ request: PlacementRequest) -> String {
    "host is in the dedicated cloud (专享云) of bureau `\(aggregate.dedicatedTo ?? "")`"
  }
}

/// Host aggregates by tag (Nova's AggregateInstanceExtraSpecsFilter): the request's tags are a
/// subset of the aggregate's tags.
public struct TagsFilter: AggregateFilter {
  /// Creates the filter.
  public init() {}
  /// "Tags".
  public var name: String { "Tags" }
  /// "tags".
  public var key: String { "tags" }

  /// True when every tag of the request is a tag of the aggregate.
  public func admits(_ aggregate: HostAggregate, _ request: PlacementRequest) -> Bool {
    request.tags.isSubset(of: aggregate.tags)
  }

  /// E.g. "host lacks tags gpu, ssd" (sorted).
  public func refusal(_ aggregate: HostAggregate, _ request: PlacementRequest) -> String {
    let missing = request.tags.subtracting(aggregate.tags).sorted()
    return "host lacks tag\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))"
  }
}

/// Server-group affinity: all VMs of an affinity group on one host. The first VM of the group may
/// go anywhere; later ones only to a host that already holds the group.
public struct AffinityFilter: HostFilter {
  /// Creates the filter.
  public init() {}
  /// "Affinity".
  public var name: String { "Affinity" }
  /// "affinity".
  public var key: String { "affinity" }

  /// True for requests outside an affinity group, for a host holding the group, and for any
  /// host while no host holds it. O(hosts) when the host does not hold the group.
  public func passes(_ host: HostState, _ request: PlacementRequest, in cluster: ClusterSnapshot) -> Bool {
    guard let group = request.serverGroup, group.policy == .affinity else { return true }
    return host.holdsGroup(group.name) || !cluster.hosts.contains { $0.holdsGroup(group.name) }
  }

  /// E.g. "server group `db` (affinity) is on host 3".
  public func reason(_ host: HostState, _ request: PlacementRequest, in cluster: ClusterSnapshot) -> String {
    let name = request.serverGroup?.name ?? ""
    let holders = cluster.hosts.filter { $0.holdsGroup(name) }.map { String($0.index) }
    return "server group `\(name)` (affinity) is on host\(holders.count == 1 ? "" : "s") "
      + holders.joined(separator: ", ")
  }

  /// One scan for the hosts holding the group: if there are any, only they pass. O(candidates
  /// + hosts × groups per host).
  public func filter(_ candidates: inout [Int], _ request: PlacementRequest, in cluster: ClusterSnapshot) {
    guard let group = request.serverGroup, group.policy == .affinity else { return }
    let name = group.name
    let bit = ServerGroup.bit(for: name)
    cluster.hosts.withUnsafeBufferPointer { hosts in
      // The group bits first, read in place, so that most hosts cost no string comparison.
      guard
        hosts.indices.contains(where: { hosts[$0].groupBits & bit != 0 && hosts[$0].groups.contains(name) })
      else { return }
      candidates.keep { hosts[$0].groupBits & bit != 0 && hosts[$0].groups.contains(name) }
    }
  }
}

/// Server-group anti-affinity: no two VMs of an anti-affinity group on one host (e.g. the VMs of
/// one system, for high availability).
public struct AntiAffinityFilter: HostFilter {
  /// Creates the filter.
  public init() {}
  /// "AntiAffinity".
  public var name: String { "AntiAffinity" }
  /// "anti_affinity".
  public var key: String { "anti_affinity" }

  /// True for requests outside an anti-affinity group and for hosts not holding the group.
  public func passes(_ host: HostState, _ request: PlacementRequest, in cluster: ClusterSnapshot) -> Bool {
    guard let group = request.serverGroup, group.policy == .antiAffinity else { return true }
    return !host.holdsGroup(group.name)
  }

  /// E.g. "host 2 already holds a VM of server group `db` (anti-affinity)".
  public func reason(_ host: HostState, _ request: PlacementRequest, in cluster: ClusterSnapshot) -> String {
    "host \(host.index) already holds a VM of server group `\(request.serverGroup?.name ?? "")` (anti-affinity)"
  }

  /// Keeps the hosts without the group; O(candidates), plus O(groups on the host) for the few
  /// hosts whose `HostState.groupBits` has the group's bit.
  public func filter(_ candidates: inout [Int], _ request: PlacementRequest, in cluster: ClusterSnapshot) {
    guard let group = request.serverGroup, group.policy == .antiAffinity else { return }
    let name = group.name
    let bit = ServerGroup.bit(for: name)
    cluster.hosts.withUnsafeBufferPointer { hosts in
      // The group bits first, read in place, so that most hosts cost no string comparison.
      candidates.keep { hosts[$0].groupBits & bit == 0 || !hosts[$0].groups.contains(name) }
    }
  }
}
