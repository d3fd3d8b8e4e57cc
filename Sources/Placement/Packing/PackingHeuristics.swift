/// An assignment of every item of an instance to a bin.
public struct Packing: Hashable, Sendable {
  /// The bin of each item (0-based), in the instance's item order.
  public var binOfItem: [Int32]
  /// Number of bins; bins are 0..<binCount and none is empty.
  public var binCount: Int

  /// Creates a packing.
  public init(binOfItem: [Int32], binCount: Int) {
    self.binOfItem = binOfItem
    self.binCount = binCount
  }

  /// The items of each bin, in increasing item order.
  public var bins: [[Int]] {
    var result = [[Int]](repeating: [], count: binCount)
    for (item, bin) in binOfItem.enumerated() where bin >= 0 && Int(bin) < binCount {
      result[Int(bin)].append(item)
    }
    return result
  }
}

/// The construction heuristics. Online ones (next, first, best and worst fit) pack the items in
/// the order given; the decreasing ones sort them first, largest by their key first, ties by the
/// size vector (lexicographically, largest first) and then by item index, so that the bins they
/// build do not depend on the input order.
public enum PackingHeuristic: Hashable, Sendable {
  /// Next fit: only the last bin is open. O(n · d).
  case nextFit
  /// First fit: the lowest-numbered bin with room. O(n · d · log bins) (a max-tree over bins).
  case firstFit
  /// Best fit: the bin with the smallest residual measure after placing (ties to the lowest bin).
  case bestFit(SizeKey)
  /// Worst fit: the bin with the largest residual measure after placing (ties to the lowest bin).
  case worstFit(SizeKey)
  /// Items sorted by decreasing key, then first fit.
  case firstFitDecreasing(SizeKey)
  /// Items sorted by decreasing key, then best fit with the same key as residual measure.
  case bestFitDecreasing(SizeKey)

  /// True for the heuristics whose result depends on the input order.
  public var isOnline: Bool {
    switch self {
    case .nextFit, .firstFit, .bestFit, .worstFit: return true
    case .firstFitDecreasing, .bestFitDecreasing: return false
    }
  }

  /// Packs `instance` in the item order `order` (a permutation of 0..<n; nil for 0, 1, …).
  /// The decreasing heuristics ignore `order`.
  public func pack(_ instance: PackingInstance, order: [Int32]? = nil) -> Packing {
    let natural = { (0..<Int32(instance.count)).map { $0 } }
    switch self {
    case .nextFit: return PackingKernels.nextFit(instance, order: order ?? natural())
    case .firstFit: return PackingKernels.firstFit(instance, order: order ?? natural())
    case .bestFit(let key):
      return PackingKernels.anyFit(
        instance, order: order ?? natural(), measure: SizeMeasure(key, instance: instance), best: true)
    case .worstFit(let key):
      return PackingKernels.anyFit(
        instance, order: order ?? natural(), measure: SizeMeasure(key, instance: instance), best: false)
    case .firstFitDecreasing(let key):
      return PackingKernels.firstFit(instance, order: PackingKernels.decreasingOrder(instance, key: key))
    case .bestFitDecreasing(let key):
      let measure = SizeMeasure(key, instance: instance)
      return PackingKernels.anyFit(
        instance, order: PackingKernels.decreasingOrder(instance, key: key), measure: measure, best: true)
    }
  }
}

/// The loops behind `PackingHeuristic`, over contiguous arrays with no per-item allocation.
enum PackingKernels {
  /// Relative slack of every fit test: a bin takes an item when its load stays within
  /// capacity × (1 + 1e-9) in every dimension. `PackingChecker` applies the same rule.
  static let relativeTolerance = 1e-9

  static func tolerance(_ instance: PackingInstance) -> [Double] {
    instance.capacity.map { $0 * relativeTolerance }
  }

  /// The decreasing order of `key`: largest first, ties by the size vector (largest first,
  /// lexicographically) and then by item index. O(n log n); from 4,096 items on, a radix sort
  /// on the keys' bits with the ties sorted afterwards, O(n) plus the ties.
  static func decreasingOrder(_ instance: PackingInstance, key: SizeKey) -> [Int32] {
    let n = instance.count
    let d = instance.dimensions
    let measure = SizeMeasure(key, instance: instance)
    return instance.items.withUnsafeBufferPointer { s -> [Int32] in
      func vectorFirst(_ a: Int32, _ b: Int32) -> Bool {
        let (x, y) = (Int(a) * d, Int(b) * d)
        for k in 0..<d where s[x + k] != s[y + k] { return s[x + k] > s[y + k] }
        return a < b
      }
      guard n >= 4_096 else {
        var keyed = [(key: Double, item: Int32)](repeating: (0, 0), count: n)
        for i in 0..<n { keyed[i] = (measure.value(s.baseAddress! + i * d), Int32(i)) }
        keyed.sort { a, b in a.key != b.key ? a.key > b.key : vectorFirst(a.item, b.item) }
        return keyed.map(\.item)
      }
      // Keys are finite (sizes are checked); + 0 turns −0 into +0. A non-negative double's
      // bits below the sign, flipped, and a negative double's bits as they are give an unsigned
      // integer that decreases as the double increases.
      var codes = [UInt64](repeating: 0, count: n)
      for i in 0..<n {
        let bits = (measure.value(s.baseAddress! + i * d) + 0).bitPattern
        codes[i] = bits >> 63 == 0 ? ~bits & ~(1 << 63) : bits
      }
      let order = radixOrder(codes)
      // Equal keys: order by the size vector, then index, within each run.
      var result = order
      var start = 0
      while start < n {
        var end = start + 1
        while end < n && codes[Int(order[end])] == codes[Int(order[start])] { end += 1 }
        if end - start > 16 {
          result[start..<end].sort(by: vectorFirst)
        } else {
          // Short runs (the usual case): insertion sort.
          for i in (start + 1)..<end {
            let item = result[i]
            var j = i
            while j > start && vectorFirst(item, result[j - 1]) {
              result[j] = result[j - 1]
              j -= 1
            }
            result[j] = item
          }
        }
        start = end
      }
      return result
    }
  }

  /// The indices 0..<n ordered by `codes` ascending, equal codes by index: a stable
  /// least-significant-digit radix sort of (code, index) pairs over 16-bit digits, skipping
  /// digits all codes share.
  static func radixOrder(_ codes: [UInt64]) -> [Int32] {
    let n = codes.count
    var all = UInt64.max
    var any: UInt64 = 0
    for c in codes {
      all &= c
      any |= c
    }
    let varying = all ^ any
    var pairs = (0..<n).map { (code: codes[$0], item: Int32($0)) }
    var next = pairs
    var counts = [Int](repeating: 0, count: 1 << 16)
    for shift in stride(from: UInt64(0), to: 64, by: 16) where (varying >> shift) & 0xFFFF != 0 {
      pairs.withUnsafeBufferPointer { from in
        next.withUnsafeMutableBufferPointer { to in
          counts.withUnsafeMutableBufferPointer { counts in
            for k in 0..<counts.count { counts[k] = 0 }
            for p in from { counts[Int((p.code >> shift) & 0xFFFF)] += 1 }
            var total = 0
            for k in 0..<counts.count {
              let c = counts[k]
              counts[k] = total
              total += c
            }
            for p in from {
              let digit = Int((p.code >> shift) & 0xFFFF)
              to[counts[digit]] = p
              counts[digit] += 1
            }
          }
        }
      }
      swap(&pairs, &next)
    }
    return pairs.map(\.item)
  }

  static func nextFit(_ instance: PackingInstance, order: [Int32]) -> Packing {
    let d = instance.dimensions
    let limit = zip(instance.capacity, tolerance(instance)).map { $0 + $1 }
    var load = [Double](repeating: 0, count: d)
    var binOf = [Int32](repeating: 0, count: instance.count)
    var bins = 0
    instance.items.withUnsafeBufferPointer { s in
      for item in order {
        let base = Int(item) * d
        var fits = bins > 0
        if fits { for k in 0..<d where load[k] + s[base + k] > limit[k] { fits = false } }
        if !fits {
          bins += 1
          for k in 0..<d { load[k] = 0 }
        }
        for k in 0..<d { load[k] += s[base + k] }
        binOf[Int(item)] = Int32(bins - 1)
      }
    }
    return Packing(binOfItem: binOf, binCount: bins)
  }

  static func firstFit(_ instance: PackingInstance, order: [Int32]) -> Packing {
    if instance.dimensions == 2 { return firstFit2D(instance, order: order) }
    return firstFitAnyDimension(instance, order: order)
  }

  /// First fit on `FitTree`, in any number of dimensions (`firstFit` uses it except in two).
  static func firstFitAnyDimension(_ instance: PackingInstance, order: [Int32]) -> Packing {
    let d = instance.dimensions
    let n = instance.count
    let tol = tolerance(instance)
    // Expected bins: the L1 bound, plus room; the tree doubles when needed.
    var tree = FitTree(
      capacity: instance.capacity, tolerance: tol, expectedBins: PackingBounds.l1(instance) + 16)
    var remaining = [Double](repeating: 0, count: 0)
    var binOf = [Int32](repeating: 0, count: n)
    var bins = 0
    var need = [Double](repeating: 0, count: d)
    var query = [Double](repeating: 0, count: tree.stride)
    // In several dimensions, bins too small in some dimension for every item still to come are
    // taken out of the tree.
    let later = d > 1 ? SmallestLaterSizes(instance, order: order) : nil
    instance.items.withUnsafeBufferPointer { s in
      for (position, item) in order.enumerated() {
        let base = Int(item) * d
        for k in 0..<d { need[k] = s[base + k] - tol[k] }
        need.withUnsafeBufferPointer { n in
          query.withUnsafeMutableBufferPointer { tree.queryValues(n.baseAddress!, into: $0.baseAddress!) }
        }
        if bins == tree.leaves { tree.grow() }
        let b = query.withUnsafeBufferPointer { tree.leftmost($0.baseAddress!) }
        precondition(b >= 0 && b <= bins, "FitTree: no leaf fits a valid item")
        if b == bins {
          bins += 1
          remaining.append(contentsOf: instance.capacity)
        }
        for k in 0..<d { remaining[b * d + k] -= s[base + k] }
        let dead = remaining.withUnsafeBufferPointer {
          later?.fitsNothing($0.baseAddress! + b * d, after: position, tolerance: tol) ?? false
        }
        if dead {
          tree.close(b)
        } else {
          remaining.withUnsafeBufferPointer { tree.set(b, $0.baseAddress! + b * d) }
        }
        binOf[Int(item)] = Int32(b)
      }
    }
    return Packing(binOfItem: binOf, binCount: bins)
  }

  /// First fit in two dimensions, on `FitTree2D`; the same packing as the general loop.
  static func firstFit2D(_ instance: PackingInstance, order: [Int32]) -> Packing {
    let n = instance.count
    let tol = tolerance(instance)
    var tree = FitTree2D(capacity: instance.capacity, expectedBins: PackingBounds.l1(instance) + 16)
    var binOf = [Int32](repeating: 0, count: n)
    var bins = 0
    var need = (0.0, 0.0)
    // Bins smaller in some dimension than every item still to come leave the index.
    let later = SmallestLaterSizes(instance, order: order)
    // The sizes in packing order, gathered in one pass whose loads do not wait on each other.
    var ordered = [Double](repeating: 0, count: 2 * order.count)
    instance.items.withUnsafeBufferPointer { items in
      for (p, item) in order.enumerated() {
        ordered[2 * p] = items[2 * Int(item)]
        ordered[2 * p + 1] = items[2 * Int(item) + 1]
      }
    }
    ordered.withUnsafeBufferPointer { s in
      for (position, item) in order.enumerated() {
        let base = 2 * position
        need = (s[base] - tol[0], s[base + 1] - tol[1])
        if bins == tree.binSlots { tree.grow() }
        let b = withUnsafePointer(to: &need) {
          $0.withMemoryRebound(to: Double.self, capacity: 2) { tree.leftmost($0) }
        }
        precondition(b >= 0 && b <= bins, "FitTree2D: no bin fits a valid item")
        if b == bins { bins += 1 }
        let (r1, r2) = tree.remainingCapacity(b)
        var left = (r1 - s[base], r2 - s[base + 1])
        let dead = withUnsafePointer(to: &left) {
          $0.withMemoryRebound(to: Double.self, capacity: 2) {
            later.fitsNothing($0, after: position, tolerance: tol)
          }
        }
        if dead {
          tree.close(b)
        } else {
          tree.set(b, left.0, left.1)
        }
        binOf[Int(item)] = Int32(b)
      }
    }
    return Packing(binOfItem: binOf, binCount: bins)
  }

  /// Best fit (`best`) or worst fit by `measure` of the remaining capacity after placing.
  static func anyFit(_ instance: PackingInstance, order: [Int32], measure: SizeMeasure, best: Bool) -> Packing
  {
    if measure.isAdditive { return orderedAnyFit(instance, order: order, measure: measure, best: best) }
    return linearAnyFit(instance, order: order, measure: measure, best: best)
  }

  /// Best or worst fit by scanning every open bin that some later item could still fit:
  /// O(n · bins). (`closeDeadBins` is off only in the test that checks it changes nothing.)
  static func linearAnyFit(
    _ instance: PackingInstance, order: [Int32], measure: SizeMeasure, best: Bool,
    closeDeadBins: Bool = true
  ) -> Packing {
    let d = instance.dimensions
    let n = instance.count
    let tol = tolerance(instance)
    var remaining = [Double]()
    var binOf = [Int32](repeating: 0, count: n)
    var bins = 0
    var need = [Double](repeating: 0, count: d)
    // The bins still worth scanning, in increasing order (ties go to the lowest bin); a bin
    // smaller in some dimension than every later item is marked dead and compacted away.
    var live: [Int32] = []
    var isDead: [Bool] = []
    var deadInLive = 0
    let later = SmallestLaterSizes(instance, order: order)
    instance.items.withUnsafeBufferPointer { s in
      for (position, item) in order.enumerated() {
        let base = Int(item) * d
        for k in 0..<d { need[k] = s[base + k] - tol[k] }
        var chosen = -1
        var chosenScore = 0.0
        remaining.withUnsafeBufferPointer { r in
          for b32 in live {
            let b = Int(b32)
            if isDead[b] { continue }
            var fits = true
            for k in 0..<d where r[b * d + k] < need[k] {
              fits = false
              break
            }
            guard fits else { continue }
            let score = measure.valueOfDifference(r.baseAddress! + b * d, s.baseAddress! + base)
            if chosen < 0 || (best ? score < chosenScore : score > chosenScore) {
              chosen = b
              chosenScore = score
            }
          }
        }
        if chosen < 0 {
          chosen = bins
          bins += 1
          remaining.append(contentsOf: instance.capacity)
          live.append(Int32(chosen))
          isDead.append(false)
        }
        for k in 0..<d { remaining[chosen * d + k] -= s[base + k] }
        binOf[Int(item)] = Int32(chosen)
        let dead = remaining.withUnsafeBufferPointer {
          later.fitsNothing($0.baseAddress! + chosen * d, after: position, tolerance: tol)
        }
        if closeDeadBins && dead {
          isDead[chosen] = true
          deadInLive += 1
          if 4 * deadInLive > live.count {
            live.removeAll { isDead[Int($0)] }
            deadInLive = 0
          }
        }
      }
    }
    return Packing(binOfItem: binOf, binCount: bins)
  }

  /// Best or worst fit for an additive measure: open bins kept sorted by the measure of their
  /// remaining capacity (negated for worst fit), scanned from the first that could fit.
  ///
  /// Bins too small for every later item leave the set (`closeDeadBins`, off only in the test
  /// that checks this changes nothing).
  static func orderedAnyFit(
    _ instance: PackingInstance, order: [Int32], measure: SizeMeasure, best: Bool,
    closeDeadBins: Bool = true
  ) -> Packing {
    let d = instance.dimensions
    let n = instance.count
    let tol = tolerance(instance)
    var slack = 0.0
    for k in 0..<d { slack += tol[k] * measure.factors[k] }
    slack += 1e-12 * (1 + measure.factors.reduce(0, +))
    var set = SortedBins()
    var remaining = [Double]()
    var keyOfBin = [Double]()
    var binOf = [Int32](repeating: 0, count: n)
    var bins = 0
    var need = [Double](repeating: 0, count: d)
    // A bin smaller in some dimension than every item still to come leaves the set for good.
    let later = SmallestLaterSizes(instance, order: order)
    instance.items.withUnsafeBufferPointer { s in
      for (position, item) in order.enumerated() {
        let base = Int(item) * d
        for k in 0..<d { need[k] = s[base + k] - tol[k] }
        let itemValue = measure.value(s.baseAddress! + base)
        var chosen = -1
        remaining.withUnsafeBufferPointer { r in
          func fits(_ b: Int) -> Bool {
            for k in 0..<d where r[b * d + k] < need[k] { return false }
            return true
          }
          if best {
            set.scan(from: itemValue - slack) { e in
              if fits(Int(e.bin)) {
                chosen = Int(e.bin)
                return false
              }
              return true
            }
          } else {
            set.scan(from: -Double.infinity) { e in
              if -e.key < itemValue - slack { return false }
              if fits(Int(e.bin)) {
                chosen = Int(e.bin)
                return false
              }
              return true
            }
          }
        }
        if chosen < 0 {
          chosen = bins
          bins += 1
          remaining.append(contentsOf: instance.capacity)
          keyOfBin.append(0)
        } else {
          set.remove(SortedBins.Entry(key: keyOfBin[chosen], bin: Int32(chosen)))
        }
        for k in 0..<d { remaining[chosen * d + k] -= s[base + k] }
        binOf[Int(item)] = Int32(chosen)
        let dead = remaining.withUnsafeBufferPointer {
          later.fitsNothing($0.baseAddress! + chosen * d, after: position, tolerance: tol)
        }
        if closeDeadBins && dead {
          continue
        }
        let value = remaining.withUnsafeBufferPointer { measure.value($0.baseAddress! + chosen * d) }
        keyOfBin[chosen] = best ? value : -value
        set.insert(SortedBins.Entry(key: keyOfBin[chosen], bin: Int32(chosen)))
      }
    }
    return Packing(binOfItem: binOf, binCount: bins)
  }
}

/// The smallest size per dimension over the items from each position of a packing order on. A
/// bin smaller than that in some dimension fits no item still to come, so the heuristics take
/// it out of their search for good.
struct SmallestLaterSizes {
  let dimensions: Int
  /// (positions + 1) · d values; the last row is +∞.
  private let minima: [Double]

  init(_ instance: PackingInstance, order: [Int32]) {
    let d = instance.dimensions
    dimensions = d
    var minima = [Double](repeating: .infinity, count: (order.count + 1) * d)
    instance.items.withUnsafeBufferPointer { s in
      for p in stride(from: order.count - 1, through: 0, by: -1) {
        let base = Int(order[p]) * d
        for k in 0..<d { minima[p * d + k] = Swift.min(minima[(p + 1) * d + k], s[base + k]) }
      }
    }
    self.minima = minima
  }

  /// True when a bin with remaining capacity `remaining[0..<d]` fits none of the items after
  /// `position` (the same per-dimension tolerance as the fit tests).
  @inline(__always)
  func fitsNothing(_ remaining: UnsafePointer<Double>, after position: Int, tolerance: [Double]) -> Bool {
    let next = (position + 1) * dimensions
    for k in 0..<dimensions where remaining[k] < minima[next + k] - tolerance[k] { return true }
    return false
  }
}
