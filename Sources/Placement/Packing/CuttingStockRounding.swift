/// A one-dimensional construction for instances whose sizes repeat: the Gilmore–Gomory
/// cutting-stock relaxation solved by column generation, rounded into a packing by residual
/// rounding.
///
/// Items of equal size form a type i with size wᵢ and demand dᵢ. A pattern is a bin's content
/// as counts per type. The relaxation minimises Σ xₚ over patterns p subject to Σ aᵢₚ xₚ ≥ dᵢ,
/// xₚ ≥ 0; it is solved by a revised simplex (explicit basis inverse, started from one
/// homogeneous pattern per type) whose entering column is the most valuable pattern under the
/// dual prices, found by a branch-and-bound bounded knapsack. Rounding: take ⌊xₚ⌋ copies of
/// every pattern (capped by the demand left); when every xₚ is below 1, take the pattern with
/// the largest xₚ once; solve the relaxation again for the demand left, until none is left.
///
/// Where the relaxation has the integer round-up property — most instances with repeating
/// sizes do — this usually reaches the optimum or one bin more, where decreasing first fit and
/// a local search from it stay several bins away. Effort is bounded by `workLimit` (simplex
/// operations and knapsack nodes); when it runs out, the demand left is packed by first fit
/// decreasing, so the result is always complete.
struct CuttingStockRounding {
  /// Type sizes, decreasing.
  let sizes: [Double]
  /// Items of each type (instance numbering).
  let members: [[Int32]]
  let capacity: Double
  let workLimit: Int
  private(set) var work = 0
  private(set) var rounds = 0
  private(set) var pivotCount = 0
  private let eps = 1e-9

  /// Types of `instance`, or nil for more than one dimension.
  init?(_ instance: PackingInstance, workLimit: Int) {
    guard instance.dimensions == 1 else { return nil }
    var byValue: [Double: [Int32]] = [:]
    for i in 0..<instance.count { byValue[instance.items[i], default: []].append(Int32(i)) }
    let values = byValue.keys.sorted(by: >)
    sizes = values
    members = values.map { byValue[$0]! }
    capacity = instance.capacity[0]
    self.workLimit = workLimit
  }

  /// Number of types.
  var typeCount: Int { sizes.count }

  /// Most types the method is used for: beyond a few hundred distinct sizes the pricing
  /// knapsack stops being exact within its node limit and the relaxation converges too slowly
  /// to pay off; local search from the other constructions does better there.
  static let maxTypes = 200

  /// A complete packing (bins as item lists in instance numbering).
  mutating func pack() -> [[Int32]] {
    var residual = members.map(\.count)
    var patterns: [[Int]] = []
    while residual.contains(where: { $0 > 0 }) && work < workLimit {
      let solution = solveRelaxation(demand: residual)
      var took = false
      for (pattern, x) in solution {
        var copies = Int((x + 1e-7).rounded(.down))
        while copies > 0, take(pattern, from: &residual, into: &patterns) {
          copies -= 1
          took = true
        }
      }
      if !took {
        // Every value below 1: round up, by decreasing value, each pattern that still fits
        // the demand left whole; the largest one at least (capped).
        let byValue = solution.sorted { $0.x > $1.x }
        guard let largest = byValue.first else { break }
        if !take(largest.pattern, from: &residual, into: &patterns) { break }
        for (pattern, _) in byValue.dropFirst()
        where (0..<typeCount).allSatisfy({ pattern[$0] <= residual[$0] }) {
          _ = take(pattern, from: &residual, into: &patterns)
        }
      }
      rounds += 1
    }
    // Whatever demand is left (budget spent), by first fit decreasing over the types.
    var loads: [Double] = []
    var tail: [[Int]] = []
    for t in 0..<typeCount {
      for _ in 0..<residual[t] {
        if let b = loads.firstIndex(where: { $0 + sizes[t] <= capacity }) {
          loads[b] += sizes[t]
          tail[b][t] += 1
        } else {
          loads.append(sizes[t])
          var p = [Int](repeating: 0, count: typeCount)
          p[t] = 1
          tail.append(p)
        }
      }
    }
    patterns += tail
    var next = [Int](repeating: 0, count: typeCount)
    return patterns.map { p in
      var bin: [Int32] = []
      for t in 0..<typeCount where p[t] > 0 {
        bin += members[t][next[t]..<(next[t] + p[t])]
        next[t] += p[t]
      }
      return bin
    }
  }

  /// Appends `pattern` capped by `residual` and lowers `residual`; false when nothing is left to take.
  private func take(_ pattern: [Int], from residual: inout [Int], into patterns: inout [[Int]]) -> Bool {
    var capped = pattern
    var any = false
    for t in 0..<typeCount {
      capped[t] = Swift.min(pattern[t], residual[t])
      if capped[t] > 0 { any = true }
    }
    guard any else { return false }
    for t in 0..<typeCount { residual[t] -= capped[t] }
    patterns.append(capped)
    return true
  }

  /// The basic patterns (full type counts) with their values in an optimal (or, when the budget
  /// runs out, the last) basis of the relaxation for `demand`.
  mutating func solveRelaxation(demand: [Int]) -> [(pattern: [Int], x: Double)] {
    let rows = (0..<typeCount).filter { demand[$0] > 0 }
    let m = rows.count
    guard m > 0 else { return [] }
    // Basis: column k of B is pattern `basis[k]` (≥ 0) or the surplus of row −basis[k] − 1.
    var columns: [[Double]] = []
    var basis = [Int](repeating: 0, count: m)
    var inverse = [Double](repeating: 0, count: m * m)
    var x = [Double](repeating: 0, count: m)
    for r in 0..<m {
      let t = rows[r]
      let copies = Swift.min(demand[t], Int((capacity / sizes[t]).rounded(.down)))
      var column = [Double](repeating: 0, count: m)
      column[r] = Double(copies)
      columns.append(column)
      basis[r] = r
      inverse[r * m + r] = 1 / Double(copies)
      x[r] = Double(demand[t]) / Double(copies)
    }
    var y = [Double](repeating: 0, count: m)
    var u = [Double](repeating: 0, count: m)
    let maxPivots = 40 * m + 400
    var pivots = 0
    while pivots < maxPivots && work < workLimit {
      // Duals y = c_B B⁻¹ (c = 1 for patterns, 0 for surpluses).
      for j in 0..<m { y[j] = 0 }
      inverse.withUnsafeBufferPointer { inv in
        y.withUnsafeMutableBufferPointer { y in
          for k in 0..<m where basis[k] >= 0 {
            let row = inv.baseAddress! + k * m
            for j in 0..<m { y[j] += row[j] }
          }
        }
      }
      work += m * m
      // Entering column: a surplus with a negative dual, else the best knapsack pattern.
      var entering: [Double]
      var enteringIndex: Int
      if let r = (0..<m).first(where: { y[$0] < -eps }) {
        entering = [Double](repeating: 0, count: m)
        entering[r] = -1
        enteringIndex = -r - 1
      } else {
        let (pattern, value, exact) = bestPattern(prices: y, rows: rows, demand: demand)
        guard value > 1 + 1e-9 else { break }
        // Farley's bound z / v ≤ z*: once it rounds up to what z rounds up to, further columns
        // cannot lower the number of bins the relaxation promises; stop (tailing off).
        if exact {
          var z = 0.0
          for k in 0..<m where basis[k] >= 0 { z += x[k] }
          let bound = z / value
          if (bound - 1e-6).rounded(.up) >= (z - 1e-6).rounded(.up) { break }
        }
        entering = pattern.map(Double.init)
        columns.append(entering)
        enteringIndex = columns.count - 1
      }
      // u = B⁻¹ a; ratio test (ties to the lowest row).
      let nonzero = (0..<m).filter { entering[$0] != 0 }
      inverse.withUnsafeBufferPointer { inv in
        for k in 0..<m {
          var s = 0.0
          for j in nonzero { s += inv[k * m + j] * entering[j] }
          u[k] = s
        }
      }
      var leave = -1
      var ratio = Double.infinity
      for k in 0..<m where u[k] > 1e-11 {
        let q = x[k] / u[k]
        if q < ratio - 1e-12 {
          ratio = q
          leave = k
        }
      }
      guard leave >= 0 else { break }
      // Pivot.
      let pivot = u[leave]
      inverse.withUnsafeMutableBufferPointer { inv in
        let row = inv.baseAddress! + leave * m
        for j in 0..<m { row[j] /= pivot }
        x[leave] /= pivot
        for k in 0..<m where k != leave && u[k] != 0 {
          let f = u[k]
          let target = inv.baseAddress! + k * m
          for j in 0..<m { target[j] -= f * row[j] }
          x[k] -= f * x[leave]
          if x[k] < 0 && x[k] > -1e-9 { x[k] = 0 }
        }
      }
      basis[leave] = enteringIndex
      pivots += 1
      pivotCount += 1
      work += m * m
    }
    var result: [(pattern: [Int], x: Double)] = []
    for k in 0..<m where basis[k] >= 0 && x[k] > 1e-9 {
      var pattern = [Int](repeating: 0, count: typeCount)
      for r in 0..<m { pattern[rows[r]] = Int(columns[basis[k]][r].rounded()) }
      result.append((pattern, x[k]))
    }
    return result
  }

  /// The pattern (counts per row) of largest total price that fits a bin, with at most the
  /// demand of each type: a depth-first branch and bound over types by decreasing price per
  /// unit size, bounded by the fractional relaxation; at most 200 000 nodes.
  mutating func bestPattern(prices: [Double], rows: [Int], demand: [Int]) -> (
    pattern: [Int], value: Double, exact: Bool
  ) {
    let m = rows.count
    var density = [Double](repeating: 0, count: m)
    for r in 0..<m { density[r] = prices[r] / sizes[rows[r]] }
    let order = (0..<m).filter { prices[$0] > eps }.sorted { density[$0] > density[$1] }
    var search = KnapsackSearch(
      prices: order.map { prices[$0] }, weights: order.map { sizes[rows[$0]] },
      bounds: order.map { Swift.min(demand[rows[$0]], Int((capacity / sizes[rows[$0]]).rounded(.down))) },
      capacity: capacity)
    search.run(0, capacity, 0)
    work += search.nodes
    var pattern = [Int](repeating: 0, count: m)
    for (position, r) in order.enumerated() { pattern[r] = search.best[position] }
    return (pattern, search.bestValue, search.nodes < KnapsackSearch.nodeLimit)
  }

  /// The bounded knapsack behind `bestPattern`.
  struct KnapsackSearch {
    let prices: [Double]
    let weights: [Double]
    let bounds: [Int]
    let capacity: Double
    var counts: [Int]
    var best: [Int]
    var bestValue = 0.0
    var nodes = 0
    static let nodeLimit = 200_000

    init(prices: [Double], weights: [Double], bounds: [Int], capacity: Double) {
      self.prices = prices
      self.weights = weights
      self.bounds = bounds
      self.capacity = capacity
      counts = [Int](repeating: 0, count: prices.count)
      best = counts
    }

    mutating func run(_ k: Int, _ room: Double, _ value: Double) {
      nodes += 1
      if value > bestValue + 1e-12 {
        bestValue = value
        best = counts
      }
      guard k < prices.count, nodes < Self.nodeLimit else { return }
      // Fractional bound: the rest of the room at this type's price per unit size.
      if value + room * prices[k] / weights[k] <= bestValue + 1e-12 { return }
      let most = Swift.min(bounds[k], Int((room / weights[k]).rounded(.down)))
      var c = most
      while c >= 0 {
        counts[k] = c
        run(k + 1, room - Double(c) * weights[k], value + Double(c) * prices[k])
        if nodes >= Self.nodeLimit { break }
        c -= 1
      }
      counts[k] = 0
    }
  }
}
