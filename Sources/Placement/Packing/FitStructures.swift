/// A max-tree over bins for first fit: leaf b holds bin b's remaining capacity per dimension,
/// an inner node the per-dimension maximum of its children. Leaves of bins not yet opened hold
/// the full capacity, so the leftmost leaf that fits is either the first open bin with room or
/// the next bin to open.
///
/// In one dimension the search never backtracks: O(log bins) per item. In d dimensions a node
/// passing the per-dimension test may hold no bin that fits in all dimensions at once, so the
/// search may backtrack; it stays O(log bins) per item in practice.
struct FitTree {
  let d: Int
  let capacity: [Double]
  /// Per-dimension slack: an item fits when remaining_k ≥ size_k − tolerance_k.
  let tolerance: [Double]
  /// Number of leaves, a power of two.
  private(set) var leaves: Int
  /// (2 · leaves) · d values; node i (1-based, root 1) at i · d.
  private var maxima: [Double]

  init(capacity: [Double], tolerance: [Double], expectedBins: Int) {
    d = capacity.count
    self.capacity = capacity
    self.tolerance = tolerance
    var l = 1
    while l < Swift.max(2, expectedBins) { l *= 2 }
    leaves = l
    maxima = [Double](repeating: 0, count: 2 * l * capacity.count)
    for node in 1..<(2 * l) { for k in 0..<d { maxima[node * d + k] = capacity[k] } }
  }

  /// Doubles the number of leaves, keeping the leaf values; O(leaves · d).
  mutating func grow() {
    let old = maxima
    let oldLeaves = leaves
    leaves *= 2
    maxima = [Double](repeating: 0, count: 2 * leaves * d)
    maxima.withUnsafeMutableBufferPointer { m in
      for b in 0..<leaves {
        for k in 0..<d { m[(leaves + b) * d + k] = b < oldLeaves ? old[(oldLeaves + b) * d + k] : capacity[k] }
      }
      var node = leaves - 1
      while node >= 1 {
        for k in 0..<d { m[node * d + k] = Swift.max(m[2 * node * d + k], m[(2 * node + 1) * d + k]) }
        node -= 1
      }
    }
  }

  /// The leftmost leaf whose remaining capacity fits `need` (sizes minus tolerance), or -1.
  func leftmost(_ need: UnsafePointer<Double>) -> Int {
    maxima.withUnsafeBufferPointer { m -> Int in
      let d = self.d
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

  /// Sets leaf `bin` to `remaining[0..<d]` and updates its ancestors; O(d log bins).
  mutating func set(_ bin: Int, _ remaining: UnsafePointer<Double>) {
    let d = self.d
    let leaves = self.leaves
    maxima.withUnsafeMutableBufferPointer { m in
      var node = leaves + bin
      for k in 0..<d { m[node * d + k] = remaining[k] }
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
