import Foundation

/// The search both first-fit trees share: from the root (node 1; leaves at `leaves ..< 2 · leaves`),
/// go to the left child if it passes `fits`, else to the right one if it does; at a leaf,
/// `resolve(leaf index)` gives the answer, or nil when the leaf holds no fit after all. When
/// neither child passes, or the leaf gives nil, go back to the nearest left child whose right
/// sibling passes. Returns −1 when nothing fits.
@inline(__always)
func leftmostLeaf(leaves: Int, fits: (Int) -> Bool, resolve: (Int) -> Int?) -> Int {
  guard fits(1) else { return -1 }
  var node = 1
  while true {
    if node >= leaves {
      if let found = resolve(node - leaves) { return found }
    } else {
      let left = 2 * node
      if fits(left) {
        node = left
        continue
      }
      if fits(left + 1) {
        node = left + 1
        continue
      }
    }
    while true {
      if node == 1 { return -1 }
      if node & 1 == 0 && fits(node + 1) {
        node += 1
        break
      }
      node >>= 1
    }
  }
}

/// Sets every inner node of a max-tree stored as `2 · leaves` nodes of `stride` values (root at
/// node 1, leaves at `leaves ..< 2 · leaves`) to the maxima of its children, bottom-up.
func rebuildInnerMaxima<Value: Comparable>(_ m: inout [Value], leaves: Int, stride: Int) {
  var node = leaves - 1
  while node >= 1 {
    for k in 0..<stride {
      m[node * stride + k] = Swift.max(m[2 * node * stride + k], m[(2 * node + 1) * stride + k])
    }
    node -= 1
  }
}

/// A max-tree over bins for first fit: leaf b holds values derived from bin b's remaining
/// capacity, an inner node the maximum of each value over its children. Leaves of bins not yet
/// opened hold the values of an empty bin, so the leftmost leaf that fits is either the first open
/// bin with room or the next bin to open.
///
/// The values are monotone projections of the normalised remaining capacity x: each x_k; the
/// sum Σ x_k; the smallest component; and in two dimensions min(x_1, ρ x_2) for ρ = 1/8 … 8. A bin
/// that fits an item has every projection at least the item's, so a node whose maximum is below
/// the item's value in some projection holds no fitting bin. In one dimension the test is exact
/// and the search never backtracks: O(log bins) per item. In d dimensions a node may pass every
/// test and still hold no fitting bin, so the search may backtrack; the extra projections keep
/// such dead ends rare (the ratio family characterises dominance in two dimensions up to the
/// spacing of ρ).
struct FitTree {
  let d: Int
  /// Values per node.
  let stride: Int
  let capacity: [Double]
  let inverse: [Double]
  /// Per-dimension slack: an item fits when remaining_k ≥ size_k − tolerance_k.
  let tolerance: [Double]
  /// Number of leaves, a power of two.
  private(set) var leaves: Int
  /// (2 · leaves) · stride values; node i (1-based, root 1) at i · stride.
  private var maxima: [Double]

  static let ratios: [Double] = [0.125, 0.25, 0.5, 1, 2, 4, 8]

  init(capacity: [Double], tolerance: [Double], expectedBins: Int) {
    d = capacity.count
    stride = d == 1 ? 1 : (d == 2 ? 2 + 1 + Self.ratios.count : d + 2)
    self.capacity = capacity
    inverse = capacity.map { 1 / $0 }
    self.tolerance = tolerance
    var l = 1
    while l < Swift.max(2, expectedBins) { l *= 2 }
    leaves = l
    maxima = []
    maxima = [Double](repeating: 0, count: 2 * l * stride)
    var empty = [Double](repeating: 0, count: stride)
    capacity.withUnsafeBufferPointer { c in
      empty.withUnsafeMutableBufferPointer { project(c.baseAddress!, into: $0.baseAddress!) }
    }
    for node in 1..<(2 * l) { for k in 0..<stride { maxima[node * stride + k] = empty[k] } }
  }

  /// The projections of the vector `v` (a remaining capacity, or an item's sizes minus the
  /// tolerance), written to `out[0..<stride]`.
  @inline(__always)
  func project(_ v: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
    for k in 0..<d { out[k] = v[k] }
    guard d > 1 else { return }
    var low = Double.infinity
    var sum = 0.0
    for k in 0..<d {
      let x = v[k] * inverse[k]
      low = Swift.min(low, x)
      sum += x
    }
    out[d] = sum
    if d == 2 {
      let x1 = v[0] * inverse[0]
      let x2 = v[1] * inverse[1]
      for (j, rho) in Self.ratios.enumerated() { out[3 + j] = Swift.min(x1, rho * x2) }
    } else {
      out[d + 1] = low
    }
  }

  /// The values an item's `need` (sizes minus tolerance) is tested against, in `query`.
  func queryValues(_ need: UnsafePointer<Double>, into query: UnsafeMutablePointer<Double>) {
    project(need, into: query)
  }

  /// Doubles the number of leaves, keeping the leaf values; O(leaves · d).
  mutating func grow() {
    let old = maxima
    let oldLeaves = leaves
    leaves *= 2
    let stride = self.stride
    var empty = [Double](repeating: 0, count: stride)
    capacity.withUnsafeBufferPointer { c in
      empty.withUnsafeMutableBufferPointer { project(c.baseAddress!, into: $0.baseAddress!) }
    }
    maxima = [Double](repeating: 0, count: 2 * leaves * stride)
    for b in 0..<leaves {
      for k in 0..<stride {
        maxima[(leaves + b) * stride + k] = b < oldLeaves ? old[(oldLeaves + b) * stride + k] : empty[k]
      }
    }
    rebuildInnerMaxima(&maxima, leaves: leaves, stride: stride)
  }

  /// The leftmost leaf whose remaining capacity fits the item (`query` from `queryValues`), or -1.
  func leftmost(_ need: UnsafePointer<Double>) -> Int {
    maxima.withUnsafeBufferPointer { m -> Int in
      let d = self.stride
      @inline(__always) func fits(_ node: Int) -> Bool {
        let base = node * d
        for k in 0..<d where m[base + k] < need[k] { return false }
        return true
      }
      // A leaf that passes is a bin that fits: its values are its own projections.
      return leftmostLeaf(leaves: leaves, fits: fits) { $0 }
    }
  }

  /// Takes leaf `bin` out of every future search (all its values −∞).
  mutating func close(_ bin: Int) {
    let closed = [Double](repeating: -.infinity, count: d)
    closed.withUnsafeBufferPointer { setValues(bin, $0.baseAddress!, projected: false) }
  }

  /// Sets leaf `bin` to `remaining[0..<d]` and updates its ancestors; O(d log bins).
  mutating func set(_ bin: Int, _ remaining: UnsafePointer<Double>) {
    setValues(bin, remaining, projected: true)
  }

  private mutating func setValues(_ bin: Int, _ remaining: UnsafePointer<Double>, projected: Bool) {
    let d = self.stride
    let leaves = self.leaves
    var values = [Double](repeating: -.infinity, count: d)
    if projected { values.withUnsafeMutableBufferPointer { project(remaining, into: $0.baseAddress!) } }
    maxima.withUnsafeMutableBufferPointer { m in
      var node = leaves + bin
      for k in 0..<d { m[node * d + k] = values[k] }
      node >>= 1
      while node >= 1 {
        var changed = false
        for k in 0..<d {
          let v = Swift.max(m[2 * node * d + k], m[(2 * node + 1) * d + k])
          if m[node * d + k] != v {
            m[node * d + k] = v
            changed = true
          }
        }
        if !changed { break }
        node >>= 1
      }
    }
  }
}

/// The first-fit index for two dimensions: a max-tree like `FitTree` whose leaves are blocks of
/// `blockSize` bins, with a fine family of ratio projections stored as `Float`.
///
/// A bin with normalised remaining capacity (x₁, x₂) fits an item (a, b) exactly when
/// min(x₁, ρ x₂) ≥ min(a, ρ b) for ρ = a / b, and that test is necessary for every ρ > 0. Each
/// node keeps max x₁, max x₂ and max min(x₁, ρⱼ x₂) over its bins for ρⱼ = 2^(j/8), |j| ≤ 48;
/// an item is tested against x₁, x₂ and the two ρⱼ around its own ratio, so a node passes
/// without holding a fitting bin only when its bins miss the item by less than the 9 % ratio
/// step. Leaves test their bins exactly in `Double`. The values are rounded to `Float` on both
/// sides of every comparison, and rounding is monotone, so a pruned node never holds a fitting
/// bin: the leftmost fitting bin is found exactly, as with `FitTree`.
///
/// On 1 M random two-dimensional items sorted by l2 size this visits ≈ 30 nodes per item, where
/// `FitTree`'s seven ratios ¼ … 8 visited ≈ 290 (docs/placement.md, Speed).
struct FitTree2D {
  static let blockSize = 8
  /// Ratio steps per doubling, and steps on each side of ρ = 1.
  static let stepsPerOctave = 8
  static let halfSteps = 48
  static let ratioCount = 2 * halfSteps + 1
  /// Floats per node: x₁, x₂, the ratio projections, padded to a multiple of 8.
  static let stride = (2 + ratioCount + 7) / 8 * 8

  let capacity: (Double, Double)
  let inverse: (Double, Double)
  /// Slot k's ratio (slots 0 and 1, the plain components, hold 1 and are not used).
  private let ratio: [Float]
  /// Number of leaves (blocks), a power of two.
  private(set) var leaves: Int
  /// (2 · leaves) · stride values; node i (1-based, root 1) at i · stride.
  private var maxima: [Float]
  /// Raw remaining capacity of every bin slot, two per bin; −∞ for a closed bin.
  private var remaining: [Double]

  /// Bins the index holds before it must `grow()`.
  var binSlots: Int { leaves * Self.blockSize }

  init(capacity: [Double], expectedBins: Int) {
    precondition(capacity.count == 2, "FitTree2D is for two dimensions")
    self.capacity = (capacity[0], capacity[1])
    inverse = (1 / capacity[0], 1 / capacity[1])
    ratio = (0..<Self.stride).map { k in
      guard k >= 2 else { return 1 }
      let j = Swift.min(k - 2, Self.ratioCount - 1) - Self.halfSteps
      return Float(pow(2.0, Double(j) / Double(Self.stepsPerOctave)))
    }
    var l = 1
    while l * Self.blockSize < Swift.max(2, expectedBins) { l *= 2 }
    leaves = l
    maxima = []
    remaining = []
    fill(from: 0)
  }

  /// Sets leaves `from...` and every bin slot behind them to empty bins, then rebuilds the inner
  /// nodes.
  private mutating func fill(from firstLeaf: Int) {
    let stride = Self.stride
    let empty = projection(of: capacity.0, capacity.1)
    let oldLeaves = maxima.isEmpty ? 0 : maxima.count / (2 * stride)
    var next = [Float](repeating: 0, count: 2 * leaves * stride)
    for b in 0..<leaves {
      for k in 0..<stride {
        next[(leaves + b) * stride + k] = b < firstLeaf ? maxima[(oldLeaves + b) * stride + k] : empty[k]
      }
    }
    rebuildInnerMaxima(&next, leaves: leaves, stride: stride)
    maxima = next
    let slots = binSlots
    while remaining.count < 2 * slots { remaining.append(contentsOf: [capacity.0, capacity.1]) }
  }

  /// Doubles the number of bin slots, keeping the bins; O(slots).
  mutating func grow() {
    let old = leaves
    leaves *= 2
    fill(from: old)
  }

  private func projection(of r1: Double, _ r2: Double) -> [Float] {
    let x1 = Float(r1 * inverse.0)
    let x2 = Float(r2 * inverse.1)
    return (0..<Self.stride).map { k in k == 0 ? x1 : (k == 1 ? x2 : Self.min(x1, ratio[k] * x2)) }
  }

  @inline(__always) private static func min(_ a: Float, _ b: Float) -> Float { b < a ? b : a }
  @inline(__always) private static func max(_ a: Float, _ b: Float) -> Float { b > a ? b : a }

  /// The leftmost bin slot whose remaining capacity is at least `need` (an item's sizes minus
  /// the tolerance) in both dimensions, or −1.
  func leftmost(_ need: UnsafePointer<Double>) -> Int {
    let (a, b) = (need[0], need[1])
    let x1 = a * inverse.0
    let x2 = b * inverse.1
    // The ratio slot just below the item's ratio x1 / x2; any slot gives a valid test. When the
    // ratio lies between two slots, their tests imply x1 ≥ a and x2 ≥ b for a single bin, and a
    // node's maxima then pass those as well, so only the two ratio slots are read (one cache
    // line); outside the family's range the plain components are tested too.
    var j: Int
    var inRange = false
    if x1 > 0 && x2 > 0 {
      let position = (log2(x1 / x2) * Double(Self.stepsPerOctave)).rounded(.down)
      inRange = position >= -Double(Self.halfSteps) && position <= Double(Self.halfSteps - 1)
      j = Int(Swift.max(-Double(Self.halfSteps), Swift.min(Double(Self.halfSteps - 1), position)))
    } else {
      j = x2 > 0 ? -Self.halfSteps : Self.halfSteps - 1
    }
    j += Self.halfSteps
    let (lowSlot, highSlot) = (2 + j, 3 + j)
    let f1 = Float(x1)
    let f2 = Float(x2)
    let lowThreshold = Self.min(f1, ratio[lowSlot] * f2)
    let highThreshold = Self.min(f1, ratio[highSlot] * f2)
    let stride = Self.stride
    let leaves = self.leaves
    return maxima.withUnsafeBufferPointer { m -> Int in
      remaining.withUnsafeBufferPointer { r -> Int in
        @inline(__always) func fits(_ node: Int) -> Bool {
          let base = node * stride
          return m[base + lowSlot] >= lowThreshold && m[base + highSlot] >= highThreshold
            && (inRange || (m[base] >= f1 && m[base + 1] >= f2))
        }
        // A block's bins are tested exactly; when all miss, a node above passed without a fit.
        return leftmostLeaf(leaves: leaves, fits: fits) { block in
          let first = block * Self.blockSize
          for bin in first..<(first + Self.blockSize) where r[2 * bin] >= a && r[2 * bin + 1] >= b {
            return bin
          }
          return nil
        }
      }
    }
  }

  /// Bin slot `bin`'s remaining capacity (the capacity for a bin not opened yet).
  func remainingCapacity(_ bin: Int) -> (Double, Double) { (remaining[2 * bin], remaining[2 * bin + 1]) }

  /// Sets bin `bin`'s remaining capacity to (`r1`, `r2`) and updates its block and the block's
  /// ancestors; O(blockSize · stride) plus O(stride) per ancestor whose maxima change.
  mutating func set(_ bin: Int, _ r1: Double, _ r2: Double) {
    remaining[2 * bin] = r1
    remaining[2 * bin + 1] = r2
    update(block: bin / Self.blockSize)
  }

  /// Takes bin `bin` out of every future search.
  mutating func close(_ bin: Int) {
    remaining[2 * bin] = -.infinity
    remaining[2 * bin + 1] = -.infinity
    update(block: bin / Self.blockSize)
  }

  private mutating func update(block: Int) {
    let stride = Self.stride
    let leaves = self.leaves
    let (i1, i2) = inverse
    ratio.withUnsafeBufferPointer { ratio in
      remaining.withUnsafeBufferPointer { r in
        maxima.withUnsafeMutableBufferPointer { m in
          var node = leaves + block
          let leaf = m.baseAddress! + node * stride
          for k in 0..<stride { leaf[k] = -.infinity }
          let first = block * Self.blockSize
          for bin in first..<(first + Self.blockSize) {
            let y1 = Float(r[2 * bin] * i1)
            let y2 = Float(r[2 * bin + 1] * i2)
            // The loop gives slots 0 and 1 min(y1, y2); the two lines after it make them y1, y2.
            for k in 0..<stride { leaf[k] = Self.max(leaf[k], Self.min(y1, ratio[k] * y2)) }
            leaf[0] = Self.max(leaf[0], y1)
            leaf[1] = Self.max(leaf[1], y2)
          }
          node >>= 1
          while node >= 1 {
            let q = m.baseAddress! + node * stride
            let left = m.baseAddress! + 2 * node * stride
            let right = left + stride
            var changed: Int32 = 0
            for k in 0..<stride {
              let v = Self.max(left[k], right[k])
              changed |= v != q[k] ? 1 : 0
              q[k] = v
            }
            if changed == 0 { break }
            node >>= 1
          }
        }
      }
    }
  }
}

/// A sorted set of (key, bin) entries kept in blocks of at most 2 · `blockSize` sorted entries:
/// O(log n + blockSize) insert, remove and lower bound, cache-friendly scans. Best and worst fit
/// keep their open bins in one, ordered by an additive residual measure.
struct SortedBins {
  struct Entry: Comparable {
    var key: Double
    var bin: Int32
    static func < (a: Entry, b: Entry) -> Bool { a.key < b.key || (a.key == b.key && a.bin < b.bin) }
  }

  static let blockSize = 256
  private(set) var blocks: [[Entry]] = []

  /// The first block whose last entry is ≥ `e`, or `blocks.count`.
  private func block(for e: Entry) -> Int {
    var low = 0
    var high = blocks.count
    while low < high {
      let mid = (low + high) / 2
      if blocks[mid][blocks[mid].count - 1] < e { low = mid + 1 } else { high = mid }
    }
    return low
  }

  private static func position(of e: Entry, in block: [Entry]) -> Int {
    var low = 0
    var high = block.count
    while low < high {
      let mid = (low + high) / 2
      if block[mid] < e { low = mid + 1 } else { high = mid }
    }
    return low
  }

  mutating func insert(_ e: Entry) {
    if blocks.isEmpty {
      blocks.append([e])
      return
    }
    var b = block(for: e)
    if b == blocks.count { b -= 1 }
    let p = Self.position(of: e, in: blocks[b])
    blocks[b].insert(e, at: p)
    if blocks[b].count > 2 * Self.blockSize {
      let tail = Array(blocks[b][Self.blockSize...])
      blocks[b].removeSubrange(Self.blockSize...)
      blocks.insert(tail, at: b + 1)
    }
  }

  /// Removes `e`, which must be present.
  mutating func remove(_ e: Entry) {
    let b = block(for: e)
    precondition(b < blocks.count, "SortedBins.remove: entry not present")
    let p = Self.position(of: e, in: blocks[b])
    precondition(p < blocks[b].count && blocks[b][p] == e, "SortedBins.remove: entry not present")
    blocks[b].remove(at: p)
    if blocks[b].isEmpty { blocks.remove(at: b) }
  }

  /// Visits entries with key ≥ `key` in increasing order until `visit` returns false.
  func scan(from key: Double, _ visit: (Entry) -> Bool) {
    let start = Entry(key: key, bin: Int32.min)
    var b = block(for: start)
    guard b < blocks.count else { return }
    var p = Self.position(of: start, in: blocks[b])
    while b < blocks.count {
      let block = blocks[b]
      while p < block.count {
        if !visit(block[p]) { return }
        p += 1
      }
      b += 1
      p = 0
    }
  }
}
