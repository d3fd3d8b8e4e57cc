/// How a size vector is reduced to one number, on capacity-normalised components
/// v_k = s_k / C_k. Used to order items for the decreasing heuristics and, applied to a bin's
/// remaining capacity after placing an item, as the residual measure of best and worst fit.
public enum SizeKey: String, Hashable, Sendable, CaseIterable {
  /// Σ v_k.
  case l1
  /// √(Σ v_k²).
  case l2
  /// max v_k.
  case linf
  /// Π v_k (the volume; 0 when any component is 0).
  case product
  /// Σ a_k v_k, the dot product with the instance's mean normalised item a (Panigrahy et al.'s
  /// "FFDAvgSum" weights: a dimension counts as much as it is demanded on average).
  case dot
}

/// A `SizeKey` bound to one instance: the per-dimension factors it multiplies components by.
struct SizeMeasure: Sendable {
  let key: SizeKey
  let dimensions: Int
  /// 1 / C_k, or a_k / C_k for `dot`.
  let factors: [Double]

  init(_ key: SizeKey, instance: PackingInstance) {
    self.key = key
    let d = instance.dimensions
    dimensions = d
    var f = instance.capacity.map { 1 / $0 }
    if key == .dot {
      // Each dimension's total demand, normalised after summing, and summed so that the item
      // order cannot change it (the decreasing heuristics promise not to depend on that order:
      // a weight one ulp off reorders items whose keys tie in real numbers).
      let mean = (0..<d).map { k in Self.orderFreeSum(instance.items, dimension: k, of: d) * f[k] }
      let total = mean.reduce(0, +)
      for k in 0..<d { f[k] *= total > 0 ? mean[k] / total : 1 / Double(d) }
    }
    factors = f
  }

  /// Σ of column `k` of the row-major `items` (`d` per item), the same whatever the row order:
  /// whole numbers with a total below 2⁵³ sum exactly in any order (every BPPLIB and vbp
  /// instance); other columns are summed in increasing order of value.
  static func orderFreeSum(_ items: [Double], dimension k: Int, of d: Int) -> Double {
    var sum = 0.0
    var exact = true
    for i in stride(from: k, to: items.count, by: d) {
      let x = items[i]
      sum += x
      if x != x.rounded(.towardZero) || abs(sum) >= 0x1p53 { exact = false }
    }
    if exact { return sum }
    return stride(from: k, to: items.count, by: d).map { items[$0] }.sorted().reduce(0, +)
  }

  /// True when the measure of a bin's remaining capacity after placing an item is the measure
  /// of the remaining capacity minus the item's measure, so that best and worst fit can keep
  /// bins ordered by one number (l1 and dot in any dimension; every key in one dimension).
  var isAdditive: Bool { key == .l1 || key == .dot || dimensions == 1 }

  /// The measure of the vector `v[0..<d]` (raw units; normalised here). For an additive
  /// measure this is the weighted sum whatever the key.
  @inline(__always)
  func value(_ v: UnsafePointer<Double>) -> Double {
    let d = dimensions
    if isAdditive {
      var s = 0.0
      for k in 0..<d { s += v[k] * factors[k] }
      return s
    }
    switch key {
    case .l1, .dot:
      var s = 0.0
      for k in 0..<d { s += v[k] * factors[k] }
      return s
    case .l2:
      var s = 0.0
      for k in 0..<d {
        let x = v[k] * factors[k]
        s += x * x
      }
      return s
    case .linf:
      var s = -Double.infinity
      for k in 0..<d { s = Swift.max(s, v[k] * factors[k]) }
      return s
    case .product:
      var s = 1.0
      for k in 0..<d { s *= Swift.max(0, v[k] * factors[k]) }
      return s
    }
  }

  /// The measure of `a − b` over d components, without materialising the difference.
  @inline(__always)
  func valueOfDifference(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>) -> Double {
    let d = dimensions
    switch key {
    case .l1, .dot:
      var s = 0.0
      for k in 0..<d { s += (a[k] - b[k]) * factors[k] }
      return s
    case .l2:
      var s = 0.0
      for k in 0..<d {
        let x = (a[k] - b[k]) * factors[k]
        s += x * x
      }
      return s
    case .linf:
      var s = -Double.infinity
      for k in 0..<d { s = Swift.max(s, (a[k] - b[k]) * factors[k]) }
      return s
    case .product:
      var s = 1.0
      for k in 0..<d { s *= Swift.max(0, (a[k] - b[k]) * factors[k]) }
      return s
    }
  }
}
