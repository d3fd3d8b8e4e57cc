/// A vector bin-packing instance: identical bins of a capacity vector and items of size vectors.
///
/// Sizes are stored flat, item-major: the size of item `i` in dimension `k` is
/// `items[i * dimensions + k]`. A valid instance has 1…10 dimensions, a finite positive capacity
/// in every dimension, at least one item, finite non-negative sizes that fit an empty bin, and no
/// item that is zero in every dimension. The validating initialiser enforces this; every packing
/// routine of this folder relies on it.
public struct PackingInstance: Hashable, Sendable {
  /// Largest number of dimensions supported.
  public static let maxDimensions = 10

  /// Instance name (usually the file stem).
  public var name: String
  /// Number of dimensions d (1…10).
  public let dimensions: Int
  /// Bin capacity, d entries.
  public let capacity: [Double]
  /// Item sizes, n × d entries, item-major.
  public let items: [Double]
  /// Known facts from a benchmark's index, when the instance came with one.
  public var known: KnownBounds

  /// Number of items n.
  public var count: Int { items.count / dimensions }

  /// The size of item `item` in dimension `dimension`.
  @inlinable public func size(_ item: Int, _ dimension: Int) -> Double {
    items[item * dimensions + dimension]
  }

  /// Creates a validated instance; `source` names the file (or the instance) in errors.
  ///
  /// - Throws: `PackingError` for a dimension count outside 1…10, a capacity of the wrong length
  ///   or not positive and finite, no items, a size count that is not a multiple of d, a
  ///   non-finite or negative size, an item that is zero in every dimension, or an item larger
  ///   than the bin.
  public init(
    name: String, capacity: [Double], items: [Double], known: KnownBounds = KnownBounds(),
    source: String? = nil
  ) throws(PackingError) {
    let file = source ?? name
    let d = capacity.count
    guard (1...Self.maxDimensions).contains(d) else {
      throw PackingError(
        .dimensionMismatch, file: file, line: nil, field: "capacity",
        "\(d) dimensions; 1 to \(Self.maxDimensions) are supported")
    }
    for (k, c) in capacity.enumerated() {
      guard c.isFinite else {
        throw PackingError(
          .notFinite, file: file, line: nil, field: "capacity \(k + 1)", "\(c) is not finite")
      }
      guard c > 0 else {
        throw PackingError(
          .nonPositiveCapacity, file: file, line: nil, field: "capacity \(k + 1)",
          "must be positive, got \(c)")
      }
    }
    guard !items.isEmpty else {
      throw PackingError(.empty, file: file, line: nil, field: "items", "the instance has no items")
    }
    guard items.count % d == 0 else {
      throw PackingError(
        .dimensionMismatch, file: file, line: nil, field: "items",
        "\(items.count) sizes are not a whole number of \(d)-dimensional items")
    }
    for i in 0..<(items.count / d) {
      if let problem = Self.check(item: i, sizes: items[(i * d)..<(i * d + d)], capacity: capacity) {
        throw PackingError(problem.kind, file: file, line: nil, field: problem.field, problem.message)
      }
    }
    self.name = name
    self.dimensions = d
    self.capacity = capacity
    self.items = items
    self.known = known
  }

  /// The first problem with one item's sizes (0-based `item`; fields name it 1-based), or nil.
  static func check(
    item: Int, sizes: ArraySlice<Double>, capacity: [Double]
  ) -> (kind: PackingError.Kind, field: String, message: String)? {
    var allZero = true
    for (k, s) in sizes.enumerated() {
      if s.isFinite && s > 0 && s <= capacity[k] {
        allZero = false
        continue
      }
      let field = capacity.count == 1 ? "item \(item + 1)" : "item \(item + 1) size \(k + 1)"
      guard s.isFinite else { return (.notFinite, field, "\(s) is not a finite size") }
      guard s >= 0 else { return (.nonPositiveSize, field, "negative size \(packingNumber(s))") }
      guard s <= capacity[k] else {
        return (
          .itemLargerThanBin, field,
          "size \(packingNumber(s)) is larger than the bin capacity \(packingNumber(capacity[k]))"
        )
      }
      if s > 0 { allZero = false }
    }
    if allZero {
      let field = "item \(item + 1)"
      return (.nonPositiveSize, field, capacity.count == 1 ? "size 0" : "zero in every dimension")
    }
    return nil
  }
}

/// What a benchmark index says about an instance; every field is optional.
public struct KnownBounds: Hashable, Sendable {
  /// A proven lower bound on the number of bins.
  public var lowerBound: Int?
  /// The optimum when proven, else the best known number of bins.
  public var optimumOrBest: Int?
  /// True when `optimumOrBest` is a proven optimum.
  public var proven: Bool
  /// The best result of the published heuristics (vbp: Mommessin et al. `best_overall`).
  public var bestPublishedHeuristic: Int?
  /// The benchmark class, e.g. "Scholl_1" or "Panigrahy/class4".
  public var instanceClass: String?

  /// The proven optimum, or nil.
  public var optimum: Int? { proven ? optimumOrBest : nil }

  /// Creates known bounds; by default nothing is known.
  public init(
    lowerBound: Int? = nil, optimumOrBest: Int? = nil, proven: Bool = false,
    bestPublishedHeuristic: Int? = nil, instanceClass: String? = nil
  ) {
    self.lowerBound = lowerBound
    self.optimumOrBest = optimumOrBest
    self.proven = proven
    self.bestPublishedHeuristic = bestPublishedHeuristic
    self.instanceClass = instanceClass
  }
}

/// A number as written in messages: integers without ".0".
func packingNumber(_ x: Double) -> String {
  if x.isFinite, abs(x) < 1e15, Double(Int(x)) == x { return String(Int(x)) }
  return "\(x)"
}
