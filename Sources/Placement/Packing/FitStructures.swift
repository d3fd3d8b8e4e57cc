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
    maxima.withUnsafeMutableBufferPointer { m in
      for b in 0..<leaves {
        for k in 0..<stride {
          m[(leaves + b) * stride + k] = b < oldLeaves ? old[(oldLeaves + b) * stride + k] : empty[k]
        }
      }
      var node = leaves - 1
      while node >= 1 {
        for k in 0..<stride {
          m[node * stride + k] = Swift.max(m[2 * node * stride + k], m[(2 * node + 1) * stride + k])
        }
        node -= 1
      }
    }
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
      guard fits(1) else { return -1 }
      var node = 1
      while true {
        if node >= leaves { return node - leaves }
        let left = 2 * node
        if fits(left) {
          node = left
          continue
        }
        if fits(left + 1) {
          node = left + 1
          continue
        }
        // Neither child fits in every dimension at once: backtrack to the nearest left child
        // whose right sibling fits.
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
