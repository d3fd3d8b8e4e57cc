import CapacityModel

/// Properties shared by a set of hosts (a Nova host aggregate): the zone they stand in, the MLPS
/// level they are certified to, the bureau that owns them when they form a dedicated cloud
/// (专享云), their tags and their power curve.
///
/// A `ClusterSnapshot` lists its aggregates once and each `HostState` names its aggregate by
/// position, so that host-independent filters (zone, MLPS, owner, tags) are decided once per
/// aggregate rather than once per host.
public struct HostAggregate: Hashable, Sendable {
  /// Name, for messages (e.g. the pool's name).
  public var name: String
  /// Availability or security zone; nil when the hosts are in no named zone (then only requests
  /// without a zone requirement pass `ZoneFilter`).
  public var zone: String?
  /// Highest MLPS level the hosts are certified to; nil when uncertified (then only requests
  /// without an MLPS requirement pass `MLPSFilter`).
  public var mlps: MLPSLevel?
  /// The only bureau allowed on the hosts (a dedicated cloud), or nil for shared hosts.
  public var dedicatedTo: String?
  /// Tags of the hosts (Nova aggregate metadata), e.g. "ssd", "gpu".
  public var tags: Set<String>
  /// Power curve of the hosts, used by `PowerWeigher`; nil when unknown.
  public var power: PowerCurve?

  /// Creates an aggregate; by default unnamed-zone, uncertified, shared, untagged, curve unknown.
  public init(
    name: String = "default", zone: String? = nil, mlps: MLPSLevel? = nil, dedicatedTo: String? = nil,
    tags: Set<String> = [], power: PowerCurve? = nil
  ) {
    self.name = name
    self.zone = zone
    self.mlps = mlps
    self.dedicatedTo = dedicatedTo
    self.tags = tags
    self.power = power
  }
}
