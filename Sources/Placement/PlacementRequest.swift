import CapacityModel

/// A VM asking for a place.
///
/// Besides its size, a request carries the constraints the filters of `FilterScheduler` check:
/// the MLPS level and zone it needs, the aggregate tags it requires and the server group it
/// belongs to. Every constraint defaults to "none", so the any-fit policies (which ignore them)
/// and existing callers are unaffected.
public struct PlacementRequest: Hashable, Sendable {
  /// Unique identifier of the VM (also the last-resort tie-break of decreasing orderings).
  public var id: String
  /// Allocation the VM reserves on its host.
  public var size: ResourceVector
  /// Business system the VM belongs to.
  public var system: String
  /// Bureau that owns the system; a dedicated pool (专享云) admits only its owner's VMs.
  public var bureau: String
  /// MLPS level (等级保护) the host's aggregate must be certified to, or nil for no requirement.
  public var mlps: MLPSLevel?
  /// Availability or security zone the VM must run in, or nil for any zone.
  public var zone: String?
  /// Tags the host's aggregate must carry (e.g. "ssd", "gpu"); empty for none.
  public var tags: Set<String>
  /// The server group (affinity or anti-affinity) the VM belongs to, if any.
  public var serverGroup: ServerGroup?

  /// Creates a request; constraints default to none.
  public init(
    id: String, size: ResourceVector, system: String = "", bureau: String = "", mlps: MLPSLevel? = nil,
    zone: String? = nil, tags: Set<String> = [], serverGroup: ServerGroup? = nil
  ) {
    self.id = id
    self.size = size
    self.system = system
    self.bureau = bureau
    self.mlps = mlps
    self.zone = zone
    self.tags = tags
    self.serverGroup = serverGroup
  }
}

/// A Nova-style server group: VMs that must share one host (affinity) or must each have a host
/// of their own (anti-affinity, e.g. the VMs of one system for high availability).
public struct ServerGroup: Hashable, Sendable {
  /// Group name; groups are told apart by name within a cluster.
  public var name: String
  /// The group's policy.
  public var policy: ServerGroupPolicy

  /// Creates a group membership.
  public init(name: String, policy: ServerGroupPolicy) {
    self.name = name
    self.policy = policy
  }

  /// The bit of a group name in `HostState.groupBits`: one of 64, chosen by a stable hash
  /// (64-bit FNV-1a of the UTF-8 bytes, then MurmurHash3's finaliser so that the top bits
  /// depend on every byte), the same in every run.
  public static func bit(for name: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in name.utf8 {
      hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
    }
    hash = (hash ^ (hash >> 33)) &* 0xff51_afd7_ed55_8ccd
    hash = (hash ^ (hash >> 33)) &* 0xc4ce_b9fe_1a85_ec53
    hash ^= hash >> 33
    return 1 << (hash >> 58)
  }
}

/// Policy of a server group.
public enum ServerGroupPolicy: String, CaseIterable, Hashable, Sendable {
  /// All VMs of the group on one host.
  case affinity
  /// No two VMs of the group on one host.
  case antiAffinity = "anti-affinity"
}

/// What a policy decides for one request.
public enum PlacementDecision: Hashable, Sendable {
  /// Place the VM on the open host with this `HostState.index`.
  case place(hostIndex: Int)
  /// Open a new host (capacity `ClusterSnapshot.newHostCapacity`) and place the VM there.
  case openNewHost
  /// The VM cannot be placed; `reason` says why, in words.
  case reject(reason: String)
  /// Not now: `BatchPlacer` retries the request once after the rest of the batch.
  case `defer`(reason: String)
}
