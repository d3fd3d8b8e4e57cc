/// A one-dimensional construction for instances whose sizes repeat: the Gilmore–Gomory
/// cutting-stock relaxation solved by column generation, rounded into a packing by residual
/// rounding.
///
/// Items of equal size form a type i with size wᵢ and demand dᵢ. A pattern is a bin's content
/// as counts per type. The relaxation minimises Σ xₚ over patterns p subject to Σ aᵢₚ xₚ ≥ dᵢ,
/// xₚ ≥ 0 (pattern counts capped by the demand). It is solved by a revised simplex (explicit
/// basis inverse, refactorised every 2m pivots, started from one homogeneous pattern per type,
/// Devex pricing) over a pool of patterns — those of first fit decreasing and every pattern
/// priced so far — plus free exchange columns for the dual-optimal inequalities πᵢ ≥ πᵢ₊₁
/// (a larger item is worth at least a smaller one; Valério de Carvalho), which cut the number
/// of columns needed. When no pool column improves, `PatternKnapsack` prices exactly, at dual
/// prices smoothed towards the best Lagrangian dual found (Wentges smoothing, against the
/// tailing-off of column generation); the Lagrangian bound Σ πᵢdᵢ / max(1, v(π)) stops the
/// generation once it meets the primal value (the first solve: once both round up alike).
///
/// Rounding: take ⌊xₚ⌋ copies of every pattern (capped by the demand left; copies of a type
/// beyond its demand go to the next smaller types); when every xₚ is below 1, take the pattern
/// with the largest xₚ once and the others with xₚ ≥ `roundUpAlso` that fit (a diving step);
/// solve the relaxation again, to optimality, for the demand left, until none is left.
///
/// Where the relaxation has the integer round-up property — most instances with repeating
/// sizes do — this usually reaches the optimum or one bin more, where decreasing first fit and
/// a local search from it stay several bins away. Effort is bounded by `workLimit` (simplex
/// operations, pricing scans and knapsack nodes, counted; never the clock); when it runs out,
/// the demand left is packed by first fit decreasing, so the result is always complete.
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
  private(set) var pricingCount = 0
  /// Value and Lagrangian bound of the first relaxation (the whole demand).
  private(set) var rootValue = 0.0
  private(set) var rootBound = 0.0
  /// Patterns met so far, as sorted (type, count) lists.
  private var pool: [[(type: Int, count: Int)]] = []
  private var poolKeys: Set<[Int]> = []
  private let eps = 1e-9

  /// Weight of the stability centre in the smoothed prices (Wentges).
  static let smoothing = 0.8
  /// In a rounding step where every xₚ is below 1, patterns with xₚ at least this are rounded
  /// up too (besides the largest), while they fit the demand left.
  static let roundUpAlso = 0.8
  /// Share of the work limit the first relaxation may use.
  static let rootShare = 0.6
  /// Node limit of one pricing knapsack.
  static let knapsackNodeLimit = 2_000_000

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

  /// Whether `ls` uses the method: up to 200 types when each size occurs twice on average, up
  /// to 600 when each occurs 8 times (the simplex costs m² per pivot and needs more pivots when
  /// the demands are small, where the local search does as well).
  func isWorthSolving(items: Int) -> Bool {
    (typeCount <= 200 && 2 * typeCount <= items) || (typeCount <= 600 && 8 * typeCount <= items)
  }

  /// A complete packing (bins as item lists in instance numbering).
  mutating func pack() -> [[Int32]] {
    var residual = members.map(\.count)
    var patterns: [[Int]] = []
    for p in firstFitDecreasing(residual) { addToPool(p) }
    while residual.contains(where: { $0 > 0 }) && work < workLimit {
      // The first solve stops once its bound and value round up alike, with at most
      // `rootShare` of the work; the residual ones solve to optimality, each with at most half
      // of the work left.
      let relaxation = solveRelaxation(
        demand: residual, stopAtRoundUp: rounds == 0,
        limit: rounds == 0 ? Int(Self.rootShare * Double(workLimit)) : (workLimit - work) / 2)
      if rounds == 0 {
        rootValue = relaxation.value
        rootBound = relaxation.bound
      }
      let solution = relaxation.columns
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
        for (pattern, x) in byValue.dropFirst()
        where x >= Self.roundUpAlso && (0..<typeCount).allSatisfy({ pattern[$0] <= residual[$0] }) {
          _ = take(pattern, from: &residual, into: &patterns)
        }
      }
      rounds += 1
    }
    // Whatever demand is left (budget spent), by first fit decreasing over the types.
    patterns += firstFitDecreasing(residual)
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

  /// First fit decreasing over the types for `demand`: bins as counts per type.
  func firstFitDecreasing(_ demand: [Int]) -> [[Int]] {
    var loads: [Double] = []
    var bins: [[Int]] = []
    for t in 0..<typeCount {
      for _ in 0..<demand[t] {
        if let b = loads.firstIndex(where: { $0 + sizes[t] <= capacity }) {
          loads[b] += sizes[t]
          bins[b][t] += 1
        } else {
          loads.append(sizes[t])
          var p = [Int](repeating: 0, count: typeCount)
          p[t] = 1
          bins.append(p)
        }
      }
    }
    return bins
  }

  /// Adds a pattern (counts per type) to the pool unless it is there.
  private mutating func addToPool(_ pattern: [Int]) {
    var key: [Int] = []
    var entries: [(type: Int, count: Int)] = []
    for t in 0..<typeCount where pattern[t] > 0 {
      key.append(t)
      key.append(pattern[t])
      entries.append((t, pattern[t]))
    }
    guard !entries.isEmpty, poolKeys.insert(key).inserted else { return }
    pool.append(entries)
  }

  /// Appends `pattern` capped by `residual` and lowers `residual`; false when nothing is left to take.
  /// Copies of a type beyond its demand left go to the next smaller types with demand left
  /// (a smaller item fits a larger one's place), as the relaxation's exchange columns allow.
  private func take(_ pattern: [Int], from residual: inout [Int], into patterns: inout [[Int]]) -> Bool {
    var capped = [Int](repeating: 0, count: typeCount)
    var any = false
    var excess = 0
    for t in 0..<typeCount {
      let wanted = pattern[t] + excess
      capped[t] = Swift.min(wanted, residual[t])
      excess = wanted - capped[t]
      if capped[t] > 0 { any = true }
    }
    guard any else { return false }
    for t in 0..<typeCount { residual[t] -= capped[t] }
    patterns.append(capped)
    return true
  }

  /// A solved (or, when the budget runs out, the last) relaxation: the basic patterns (full
  /// type counts, capped by the demand) with their values, the primal value Σ xₚ and the best
  /// Lagrangian lower bound proven.
  struct Relaxation {
    var columns: [(pattern: [Int], x: Double)]
    var value: Double
    var bound: Double
  }

  /// Solves the relaxation for `demand` by column generation.
  /// With `stopAtRoundUp`, it stops as soon as the bound and the value round up alike.
  /// `limit` caps the work of this solve.
  mutating func solveRelaxation(demand: [Int], stopAtRoundUp: Bool = true, limit: Int? = nil) -> Relaxation {
    let rows = (0..<typeCount).filter { demand[$0] > 0 }
    let m = rows.count
    guard m > 0 else { return Relaxation(columns: [], value: 0, bound: 0) }
    var rowOf = [Int](repeating: -1, count: typeCount)
    for (r, t) in rows.enumerated() { rowOf[t] = r }
    let rhs = rows.map { Double(demand[$0]) }
    let most = rows.map { Swift.min(demand[$0], Int((capacity / sizes[$0]).rounded(.down))) }

    // Columns in row space (capped by the demand): rows and counts.
    var columnRows: [[Int]] = []
    var columnCounts: [[Double]] = []
    var columnKeys: Set<[Int]> = []
    var columnCost: [Double] = []
    var columnNorm: [Double] = []
    var isBasic: [Bool] = []
    func staticNorm(_ n: Int, _ counts: [Double]) -> Double {
      counts.reduce(1.0) { $0 + $1 * $1 }
    }
    func addColumn(_ entries: [(row: Int, count: Int)], cost: Double = 1) -> Int? {
      var key: [Int] = []
      for e in entries {
        key.append(e.row)
        key.append(e.count)
      }
      guard !entries.isEmpty, columnKeys.insert(key).inserted else { return nil }
      columnRows.append(entries.map(\.row))
      columnCounts.append(entries.map { Double($0.count) })
      columnCost.append(cost)
      columnNorm.append(staticNorm(entries.count, entries.map { Double($0.count) }))
      isBasic.append(false)
      return columnRows.count - 1
    }
    // Basis: homogeneous patterns.
    var basis = [Int](repeating: 0, count: m)
    var inverse = [Double](repeating: 0, count: m * m)
    var x = [Double](repeating: 0, count: m)
    for r in 0..<m {
      let c = addColumn([(r, most[r])])!
      basis[r] = c
      isBasic[c] = true
      inverse[r * m + r] = 1 / Double(most[r])
      x[r] = rhs[r] / Double(most[r])
    }
    // Dual-optimal inequalities πᵣ ≥ πᵣ₊₁ (a larger item is worth at least a smaller one), as
    // free exchange columns: a slot of type r covers an item of the smaller type r + 1.
    for r in 0..<(m - 1) { _ = addColumn([(r, -1), (r + 1, 1)], cost: 0) }
    for entries in pool {
      var capped: [(row: Int, count: Int)] = []
      for e in entries where rowOf[e.type] >= 0 {
        capped.append((rowOf[e.type], Swift.min(e.count, demand[e.type])))
      }
      _ = addColumn(capped)
    }
    var y = [Double](repeating: 0, count: m)
    var u = [Double](repeating: 0, count: m)
    var surplusWeight = [Double](repeating: 1, count: m)
    var rowIndex = [Int](repeating: 0, count: m)

    func computeDuals() {
      for j in 0..<m { y[j] = 0 }
      inverse.withUnsafeBufferPointer { inv in
        y.withUnsafeMutableBufferPointer { y in
          for k in 0..<m where basis[k] >= 0 {
            let row = inv.baseAddress! + k * m
            let cost = columnCost[basis[k]]
            if cost != 0 { for j in 0..<m { y[j] += cost * row[j] } }
          }
        }
      }
      work += m * m
    }
    /// Rebuilds the inverse from the basis (Gauss–Jordan, partial pivoting) and x from it.
    func refactor() -> Bool {
      var b = [Double](repeating: 0, count: m * m)
      for k in 0..<m {
        if basis[k] >= 0 {
          for (j, r) in columnRows[basis[k]].enumerated() { b[r * m + k] = columnCounts[basis[k]][j] }
        } else {
          b[(-basis[k] - 1) * m + k] = -1
        }
      }
      var inv = [Double](repeating: 0, count: m * m)
      for k in 0..<m { inv[k * m + k] = 1 }
      var ok = true
      var eliminations = 0
      b.withUnsafeMutableBufferPointer { b in
        inv.withUnsafeMutableBufferPointer { inv in
          for col in 0..<m {
            var p = col
            for r in (col + 1)..<m where abs(b[r * m + col]) > abs(b[p * m + col]) { p = r }
            if abs(b[p * m + col]) < 1e-12 {
              ok = false
              return
            }
            if p != col {
              for j in 0..<m {
                b.swapAt(p * m + j, col * m + j)
                inv.swapAt(p * m + j, col * m + j)
              }
            }
            let f = 1 / b[col * m + col]
            for j in 0..<m {
              b[col * m + j] *= f
              inv[col * m + j] *= f
            }
            for r in 0..<m where r != col {
              let g = b[r * m + col]
              if g == 0 { continue }
              eliminations += 1
              for j in 0..<m {
                b[r * m + j] -= g * b[col * m + j]
                inv[r * m + j] -= g * inv[col * m + j]
              }
            }
          }
        }
      }
      work += 2 * m * (eliminations + m)
      guard ok else { return false }
      inverse = inv
      for k in 0..<m {
        var s = 0.0
        for j in 0..<m { s += inverse[k * m + j] * rhs[j] }
        x[k] = s < 0 && s > -1e-9 ? 0 : s
      }
      return true
    }

    /// The bound proves the value (up to rounding up, the only thing an integer packing sees).
    func closed(_ bound: Double, _ value: Double) -> Bool {
      bound >= value - 1e-9 * Swift.max(1, value)
        || (stopAtRoundUp && (bound - 1e-6).rounded(.up) >= (value - 1e-6).rounded(.up))
    }
    computeDuals()
    var center: [Double]? = nil
    var bestBound = 0.0
    var sincePivots = 0
    var sinceRefactor = 0
    var value = 0.0
    func primalValue() -> Double {
      var z = 0.0
      for k in 0..<m where basis[k] >= 0 { z += columnCost[basis[k]] * x[k] }
      return z
    }
    var freshDuals = true
    let stopAt = Swift.min(workLimit, work + (limit ?? workLimit))
    while work < stopAt {
      // Entering column: the most negative reduced cost among surpluses and pool columns.
      var enteringColumn = -1
      var enteringSurplus = -1
      var bestReduced = -1e-9
      var bestScore = 0.0
      var scanned = 0
      for r in 0..<m where y[r] < -1e-9 && y[r] * y[r] / surplusWeight[r] > bestScore {
        bestReduced = y[r]
        bestScore = y[r] * y[r] / surplusWeight[r]
        enteringSurplus = r
      }
      for c in 0..<columnRows.count where !isBasic[c] {
        var s = 0.0
        let rs = columnRows[c]
        let cs = columnCounts[c]
        for j in 0..<rs.count { s += y[rs[j]] * cs[j] }
        scanned += rs.count
        let reduced = columnCost[c] - s
        if reduced < -1e-9 && reduced * reduced / columnNorm[c] > bestScore {
          bestReduced = reduced
          bestScore = reduced * reduced / columnNorm[c]
          enteringColumn = c
          enteringSurplus = -1
        }
      }
      work += scanned
      value = primalValue()
      if enteringColumn < 0 && enteringSurplus < 0 {
        // Price a new pattern at smoothed duals; mispricing moves the prices towards y.
        if closed(bestBound, value) { break }
        var mispricings = 0
        var found: [(row: Int, count: Int)]? = nil
        var proven = false
        while work < stopAt {
          let alpha = center == nil ? 0 : Swift.max(0, 1 - Double(mispricings + 1) * (1 - Self.smoothing))
          var prices = [Double](repeating: 0, count: m)
          for r in 0..<m {
            let own = Swift.max(0, y[r])
            prices[r] = center.map { alpha * $0[r] + (1 - alpha) * own } ?? own
          }
          let weights = rows.map { sizes[$0] }
          let knap = PatternKnapsack.solve(
            prices: prices, weights: weights, bounds: most, capacity: capacity,
            nodeLimit: Self.knapsackNodeLimit)
          work += knap.nodes * 50
          pricingCount += 1
          if knap.exact {
            var priced = 0.0
            for r in 0..<m { priced += prices[r] * rhs[r] }
            let bound = priced / Swift.max(1, knap.value)
            if bound > bestBound {
              bestBound = bound
              center = prices
            }
          }
          var reduced = 1.0
          for r in 0..<m where knap.counts[r] > 0 { reduced -= y[r] * Double(knap.counts[r]) }
          if reduced < -1e-9 {
            found = (0..<m).filter { knap.counts[$0] > 0 }.map { ($0, knap.counts[$0]) }
            break
          }
          if alpha == 0 {
            proven = knap.exact
            break
          }
          mispricings += 1
        }
        if proven { bestBound = Swift.max(bestBound, value) }
        guard let entries = found, !closed(bestBound, value) else {
          break
        }
        guard let c = addColumn(entries) else {
          // A basic column priced again: the updated duals have drifted; recompute them once.
          if freshDuals { break }
          computeDuals()
          freshDuals = true
          sincePivots = 0
          continue
        }
        var pattern = [Int](repeating: 0, count: typeCount)
        for e in entries { pattern[rows[e.row]] = e.count }
        addToPool(pattern)
        enteringColumn = c
        var s = 0.0
        for e in entries { s += y[e.row] * Double(e.count) }
        bestReduced = 1 - s
      }
      // u = B⁻¹ a.
      inverse.withUnsafeBufferPointer { inv in
        if enteringSurplus >= 0 {
          for k in 0..<m { u[k] = -inv[k * m + enteringSurplus] }
        } else {
          let rs = columnRows[enteringColumn]
          let cs = columnCounts[enteringColumn]
          for k in 0..<m {
            var s = 0.0
            let row = inv.baseAddress! + k * m
            for j in 0..<rs.count { s += row[rs[j]] * cs[j] }
            u[k] = s
          }
        }
      }
      // Ratio test: smallest x / u, ties to the largest u.
      var leave = -1
      var ratio = Double.infinity
      for k in 0..<m where u[k] > 1e-9 {
        let q = x[k] / u[k]
        if q < ratio - 1e-12 || (q <= ratio + 1e-12 && leave >= 0 && u[k] > u[leave]) {
          ratio = Swift.min(ratio, q)
          leave = k
        }
      }
      guard leave >= 0 else { break }
      let pivot = u[leave]
      var updated = 1
      var rowWidth = m
      do {
        // Devex reference weights: w_j = max(w_j, (α_pj / α_pq)² w_q) with α_p· the pivot row.
        let wq = enteringSurplus >= 0 ? surplusWeight[enteringSurplus] : columnNorm[enteringColumn]
        inverse.withUnsafeBufferPointer { inv in
          let row = inv.baseAddress! + leave * m
          for c in 0..<columnRows.count where !isBasic[c] && c != enteringColumn {
            var a = 0.0
            let rs = columnRows[c]
            let cs = columnCounts[c]
            for j in 0..<rs.count { a += row[rs[j]] * cs[j] }
            if a != 0 {
              let ratio = a / pivot
              columnNorm[c] = Swift.max(columnNorm[c], ratio * ratio * wq)
            }
          }
          for r in 0..<m where r != enteringSurplus && row[r] != 0 {
            let ratio = row[r] / pivot
            surplusWeight[r] = Swift.max(surplusWeight[r], ratio * ratio * wq)
          }
        }
        let leaving = Swift.max(1, wq / (pivot * pivot))
        if basis[leave] >= 0 {
          columnNorm[basis[leave]] = leaving
        } else {
          surplusWeight[-basis[leave] - 1] = leaving
        }
        work += scanned
        if wq > 1e6 {
          // Weights this large no longer rank well: a new reference framework.
          for c in 0..<columnRows.count { columnNorm[c] = staticNorm(columnRows[c].count, columnCounts[c]) }
          for r in 0..<m { surplusWeight[r] = 1 }
        }
      }
      inverse.withUnsafeMutableBufferPointer { inv in
        let row = inv.baseAddress! + leave * m
        // Duals: y += (reduced cost / pivot) · (row `leave` of the old inverse).
        let f = bestReduced / pivot
        for j in 0..<m { y[j] += f * row[j] }
        var nonzero = 0
        for j in 0..<m {
          row[j] /= pivot
          if row[j] != 0 {
            rowIndex[nonzero] = j
            nonzero += 1
          }
        }
        x[leave] /= pivot
        let sparse = nonzero < m / 3
        for k in 0..<m where k != leave && u[k] != 0 {
          updated += 1
          let g = u[k]
          let target = inv.baseAddress! + k * m
          if sparse {
            for i in 0..<nonzero {
              let j = rowIndex[i]
              target[j] -= g * row[j]
            }
          } else {
            for j in 0..<m { target[j] -= g * row[j] }
          }
          x[k] -= g * x[leave]
          if x[k] < 0 && x[k] > -1e-9 { x[k] = 0 }
        }
        rowWidth = sparse ? nonzero : m
      }
      if basis[leave] >= 0 { isBasic[basis[leave]] = false }
      if enteringSurplus >= 0 {
        basis[leave] = -enteringSurplus - 1
      } else {
        basis[leave] = enteringColumn
        isBasic[enteringColumn] = true
      }
      work += rowWidth * updated + 2 * m + (enteringSurplus >= 0 ? m : m * columnRows[enteringColumn].count)
      pivotCount += 1
      freshDuals = false
      sincePivots += 1
      sinceRefactor += 1
      if sinceRefactor >= 2 * m {
        sinceRefactor = 0
        sincePivots = 0
        if !refactor() { break }
        computeDuals()
      } else if sincePivots >= 32 {
        sincePivots = 0
        computeDuals()
      }
    }
    // Values recomputed from the inverse, clear of the updates' rounding errors.
    for k in 0..<m {
      var s = 0.0
      for j in 0..<m { s += inverse[k * m + j] * rhs[j] }
      x[k] = Swift.max(0, s)
    }
    work += m * m
    value = primalValue()
    var columns: [(pattern: [Int], x: Double)] = []
    for k in 0..<m where basis[k] >= 0 && columnCost[basis[k]] > 0 && x[k] > 1e-9 {
      var pattern = [Int](repeating: 0, count: typeCount)
      for (j, r) in columnRows[basis[k]].enumerated() { pattern[rows[r]] = Int(columnCounts[basis[k]][j]) }
      columns.append((pattern, x[k]))
    }
    return Relaxation(columns: columns, value: value, bound: Swift.min(bestBound, value))
  }
}
