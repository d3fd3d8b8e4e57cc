import CapacityModel

/// The rejection reasons produced by the standard policies and by `BatchPlacer`, in one place so
/// that reports and tests can recognise them.
public enum PlacementReason {
  /// Prefix of every reason for a request that does not fit an empty host.
  public static let oversizePrefix = "larger than an empty host"
  /// Prefix of every reason for a request refused because no host may be opened.
  public static let poolFullPrefix = "pool full"
  /// Prefix of every rejection by `FilterScheduler`: "no host: …" or "no host open; …".
  public static let noHostPrefix = "no host"
  /// A policy asked to place a VM on a host that cannot take it (a policy bug).
  public static let hostWithoutRoom = "policy chose a host without room"

  /// Why `size` cannot go on an empty host of `hostCapacity`, naming the binding dimension
  /// (the one exceeded by the largest factor; a dimension the host lacks entirely binds first),
  /// e.g. "larger than an empty host: needs 512 memory_gib, host offers 384 memory_gib";
  /// nil when it fits.
  public static func oversize(_ size: ResourceVector, hostCapacity: ResourceVector) -> String? {
    guard !size.fits(in: hostCapacity) else { return nil }
    var binding = 0
    var worst = -Double.infinity
    for d in 0..<ResourceVector.dimensions {
      let need = size[d]
      let offer = hostCapacity[d]
      guard !(need <= offer + ResourceVector.tolerance) else { continue }
      let factor = offer > 0 ? need / offer : .infinity
      if factor > worst || (factor.isNaN && worst == -.infinity) {
        worst = factor
        binding = d
      }
    }
    let unit = ResourceVector.dimensionNames[binding]
    return "\(oversizePrefix): needs \(amount(size[binding])) \(unit), host offers "
      + "\(amount(hostCapacity[binding])) \(unit)"
  }

  /// "pool full: N hosts".
  public static func poolFull(hosts: Int) -> String {
    "\(poolFullPrefix): \(hosts) hosts"
  }

  /// A policy named a host index that is not open.
  public static func unknownHost(_ index: Int) -> String {
    "policy chose host \(index), which is not open"
  }

  /// A request whose size has a negative or non-finite component.
  public static func invalidSize(_ size: ResourceVector) -> String {
    "invalid size: \(size)"
  }

  /// A number as written in a reason: integers without ".0".
  static func amount(_ x: Double) -> String {
    if x.isFinite, abs(x) < 1e15, Double(Int(x)) == x { return String(Int(x)) }
    return "\(x)"
  }
}
