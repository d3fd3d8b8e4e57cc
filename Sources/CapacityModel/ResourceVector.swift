/// An amount of compute resources: virtual CPUs (or reference cores), memory and storage.
///
/// The same type measures allocations (what a VM flavour reserves), capacities (what a host
/// offers after overcommit) and demand (what a workload uses at an instant).
public struct ResourceVector: Hashable, Sendable, CustomStringConvertible {
  /// Virtual CPUs, or reference cores when the vector measures demand.
  public var vcpu: Double
  /// Memory in GiB.
  public var memoryGiB: Double
  /// Storage in GiB.
  public var storageGiB: Double

  /// Creates a vector; storage defaults to zero.
  public init(vcpu: Double, memoryGiB: Double, storageGiB: Double = 0) {
    self.vcpu = vcpu
    self.memoryGiB = memoryGiB
    self.storageGiB = storageGiB
  }

  /// The empty vector.
  public static let zero = ResourceVector(vcpu: 0, memoryGiB: 0, storageGiB: 0)

  /// Number of dimensions.
  public static let dimensions = 3

  /// Dimension names, in `subscript` order.
  public static let dimensionNames = ["vcpu", "memory_gib", "storage_gib"]

  /// Component by index (0 vcpu, 1 memory, 2 storage).
  public subscript(dimension: Int) -> Double {
    get {
      switch dimension {
      case 0: return vcpu
      case 1: return memoryGiB
      default: return storageGiB
      }
    }
    set {
      switch dimension {
      case 0: vcpu = newValue
      case 1: memoryGiB = newValue
      default: storageGiB = newValue
      }
    }
  }

  /// Componentwise sum.
  public static func + (l: ResourceVector, r: ResourceVector) -> ResourceVector {
    ResourceVector(
      vcpu: l.vcpu + r.vcpu, memoryGiB: l.memoryGiB + r.memoryGiB,
      storageGiB: l.storageGiB + r.storageGiB)
  }

  /// Componentwise difference.
  public static func - (l: ResourceVector, r: ResourceVector) -> ResourceVector {
    ResourceVector(
      vcpu: l.vcpu - r.vcpu, memoryGiB: l.memoryGiB - r.memoryGiB,
      storageGiB: l.storageGiB - r.storageGiB)
  }

  /// Scales every component.
  public static func * (l: ResourceVector, k: Double) -> ResourceVector {
    ResourceVector(vcpu: l.vcpu * k, memoryGiB: l.memoryGiB * k, storageGiB: l.storageGiB * k)
  }

  /// Adds in place.
  public static func += (l: inout ResourceVector, r: ResourceVector) { l = l + r }

  /// Subtracts in place.
  public static func -= (l: inout ResourceVector, r: ResourceVector) { l = l - r }

  /// Tolerance used by `fits(in:)` so that sums of decimal sizes that land exactly on a
  /// capacity are not rejected by rounding error.
  public static let tolerance = 1e-9

  /// True when every component is at most the matching component of `capacity`.
  public func fits(in capacity: ResourceVector) -> Bool {
    vcpu <= capacity.vcpu + Self.tolerance
      && memoryGiB <= capacity.memoryGiB + Self.tolerance
      && storageGiB <= capacity.storageGiB + Self.tolerance
  }

  /// True when every component is finite and not negative.
  public var isValidAmount: Bool {
    vcpu.isFinite && memoryGiB.isFinite && storageGiB.isFinite && vcpu >= 0 && memoryGiB >= 0
      && storageGiB >= 0
  }

  /// Componentwise maximum.
  public func componentwiseMax(_ o: ResourceVector) -> ResourceVector {
    ResourceVector(
      vcpu: Swift.max(vcpu, o.vcpu), memoryGiB: Swift.max(memoryGiB, o.memoryGiB),
      storageGiB: Swift.max(storageGiB, o.storageGiB))
  }

  /// Each component divided by the matching capacity component (0 where capacity is 0).
  public func normalised(by capacity: ResourceVector) -> ResourceVector {
    func ratio(_ a: Double, _ b: Double) -> Double { b > 0 ? a / b : 0 }
    return ResourceVector(
      vcpu: ratio(vcpu, capacity.vcpu), memoryGiB: ratio(memoryGiB, capacity.memoryGiB),
      storageGiB: ratio(storageGiB, capacity.storageGiB))
  }

  /// Largest component.
  public var maxComponent: Double { Swift.max(vcpu, memoryGiB, storageGiB) }

  /// Sum of components.
  public var sum: Double { vcpu + memoryGiB + storageGiB }

  public var description: String {
    "\(vcpu) vCPU, \(memoryGiB) GiB, \(storageGiB) GiB disk"
  }
}
