/// The pricing problem of cutting-stock column generation: a bounded knapsack. Given a price
/// πᵢ, a size wᵢ and a most-copies bound bᵢ per type, find counts aᵢ ≤ bᵢ with Σ aᵢ wᵢ ≤ C that
/// maximise Σ aᵢ πᵢ.
///
/// Depth-first branch and bound (Horowitz–Sahni order): types by decreasing price per unit
/// size, each node choosing the next type used and how many copies, largest count first. A
/// node is cut when its value plus the room left at the best remaining density cannot beat the
/// incumbent; because densities decrease, that cut also ends the loop over later types, and
/// within one type the bound falls with the count, so fewer copies are not tried either. A
/// greedy fill gives the first incumbent. The search is exact unless it reaches `nodeLimit`.
struct PatternKnapsack {
  /// The best counts per type (input numbering), their value, the nodes visited and whether
  /// the search finished (the value is then the optimum).
  struct Solution {
    var counts: [Int]
    var value: Double
    var nodes: Int
    var exact: Bool
  }

  /// Solves max Σ aᵢ pricesᵢ, Σ aᵢ weightsᵢ ≤ capacity, 0 ≤ aᵢ ≤ boundsᵢ (integers). Types with
  /// a price ≤ 0, a bound ≤ 0 or a weight above the capacity are never used.
  static func solve(
    prices: [Double], weights: [Double], bounds: [Int], capacity: Double, nodeLimit: Int
  ) -> Solution {
    let n = prices.count
    var order = (0..<n).filter { prices[$0] > 0 && bounds[$0] > 0 && weights[$0] <= capacity }
    order.sort { a, b in
      let da = prices[a] / weights[a]
      let db = prices[b] / weights[b]
      return da != db ? da > db : (weights[a] != weights[b] ? weights[a] > weights[b] : a < b)
    }
    var search = Search(
      prices: order.map { prices[$0] }, weights: order.map { weights[$0] },
      bounds: order.map { bounds[$0] }, capacity: capacity, nodeLimit: nodeLimit)
    search.greedy()
    search.run(0, capacity, 0)
    var counts = [Int](repeating: 0, count: n)
    for (position, t) in order.enumerated() { counts[t] = search.best[position] }
    return Solution(
      counts: counts, value: search.bestValue, nodes: search.nodes, exact: search.nodes < nodeLimit)
  }

  /// The search over types in density order.
  private struct Search {
    let prices: [Double]
    let weights: [Double]
    let bounds: [Int]
    let density: [Double]
    /// Smallest weight from each position on (the last entry is +∞).
    let smallestFrom: [Double]
    /// Weight and price of every copy of the types before each position.
    let prefixWeight: [Double]
    let prefixPrice: [Double]
    let capacity: Double
    let nodeLimit: Int
    var counts: [Int]
    var best: [Int]
    var bestValue = 0.0
    var nodes = 0
    /// Improvement a node must promise to be explored (relative to the prices' scale).
    let slack: Double

    init(prices: [Double], weights: [Double], bounds: [Int], capacity: Double, nodeLimit: Int) {
      self.prices = prices
      self.weights = weights
      self.bounds = bounds
      self.capacity = capacity
      self.nodeLimit = nodeLimit
      density = zip(prices, weights).map { $0 / $1 }
      var smallest = [Double](repeating: .infinity, count: prices.count + 1)
      for k in stride(from: prices.count - 1, through: 0, by: -1) {
        smallest[k] = Swift.min(smallest[k + 1], weights[k])
      }
      smallestFrom = smallest
      var pw = [Double](repeating: 0, count: prices.count + 1)
      var pp = [Double](repeating: 0, count: prices.count + 1)
      for k in 0..<prices.count {
        pw[k + 1] = pw[k] + Double(bounds[k]) * weights[k]
        pp[k + 1] = pp[k] + Double(bounds[k]) * prices[k]
      }
      prefixWeight = pw
      prefixPrice = pp
      counts = [Int](repeating: 0, count: prices.count)
      best = counts
      slack = 1e-12 * Swift.max(1, prices.max() ?? 1)
    }

    /// Incumbent: as many copies of each type as fit, in density order.
    mutating func greedy() {
      var room = capacity
      var value = 0.0
      for k in 0..<prices.count {
        let c = Swift.min(bounds[k], Int((room / weights[k]).rounded(.down)))
        if c > 0 {
          best[k] = c
          room -= Double(c) * weights[k]
          value += Double(c) * prices[k]
        }
      }
      bestValue = value
    }

    /// Dantzig's bound: the most that types from position `from` on, with their bounds, can add
    /// in `room` when the last one may be fractional. Binary search on the prefix sums.
    func bound(_ from: Int, _ room: Double) -> Double {
      let target = prefixWeight[from] + room
      let n = prices.count
      if prefixWeight[n] <= target { return prefixPrice[n] - prefixPrice[from] }
      // Largest j in from..<n with prefixWeight[j] ≤ target.
      var low = from
      var high = n
      while high - low > 1 {
        let mid = (low + high) / 2
        if prefixWeight[mid] <= target { low = mid } else { high = mid }
      }
      return prefixPrice[low] - prefixPrice[from] + (target - prefixWeight[low]) * density[low]
    }

    /// Explores every completion of `counts` with types from position `from` on.
    mutating func run(_ from: Int, _ room: Double, _ value: Double) {
      nodes += 1
      if value > bestValue + slack {
        bestValue = value
        best = counts
      }
      var k = from
      while k < prices.count && nodes < nodeLimit {
        if room < smallestFrom[k] { return }
        // Nothing from k on can add more than their Dantzig bound (which falls with k).
        nodes += 1
        if value + bound(k, room) <= bestValue + slack { return }
        let w = weights[k]
        let most = Swift.min(bounds[k], Int((room / w).rounded(.down)))
        if most > 0 {
          var c = most
          while c >= 1 {
            let left = room - Double(c) * w
            let gained = value + Double(c) * prices[k]
            // The bound of the child falls with c: stop at the first count that cannot win.
            if gained + bound(k + 1, left) <= bestValue + slack { break }
            counts[k] = c
            if left < smallestFrom[k + 1] {
              nodes += 1
              if gained > bestValue + slack {
                bestValue = gained
                best = counts
              }
            } else {
              run(k + 1, left, gained)
            }
            c -= 1
          }
          counts[k] = 0
        }
        k += 1
      }
    }
  }
}
