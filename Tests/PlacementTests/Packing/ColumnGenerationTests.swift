import PropertyBased
import Testing

@testable import Placement

/// A small bounded knapsack: 1–8 types with whole-number weights of 1–30, prices of 0–20
/// (some 0) and bounds of 0–4, on a capacity of 1–60.
struct SmallKnapsack: Sendable, CustomStringConvertible {
  var prices: [Double]
  var weights: [Double]
  var bounds: [Int]
  var capacity: Int

  init(seed: UInt64) {
    var rng = SplitMix64(state: seed)
    func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    let n = 1 + below(8)
    capacity = 1 + below(60)
    weights = (0..<n).map { _ in Double(1 + below(30)) }
    prices = (0..<n).map { _ in Double(below(21)) }
    bounds = (0..<n).map { _ in below(5) }
  }

  /// The optimum by dynamic programming over the capacity (each copy a 0/1 item).
  var dynamicOptimum: Double {
    var best = [Double](repeating: 0, count: capacity + 1)
    for (k, w) in weights.enumerated() {
      for _ in 0..<bounds[k] {
        let weight = Int(w)
        guard weight <= capacity else { break }
        for room in stride(from: capacity, through: weight, by: -1) {
          best[room] = Swift.max(best[room], best[room - weight] + prices[k])
        }
      }
    }
    return best[capacity]
  }

  var description: String { "prices \(prices), weights \(weights), bounds \(bounds), capacity \(capacity)" }
}

/// A one-dimensional instance with many distinct sizes repeated a few times: 10–60 sizes of
/// 2–70 % of a capacity of 1000, each 1–6 times.
struct ManySizeInstance: Sendable, CustomStringConvertible {
  var instance: PackingInstance

  init(seed: UInt64) {
    var rng = SplitMix64(state: seed)
    func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    var items: [Double] = []
    for _ in 0..<(10 + below(51)) {
      let size = Double(20 + below(681))
      items += [Double](repeating: size, count: 1 + below(6))
    }
    instance = try! PackingInstance(name: "many-\(seed)", capacity: [1000], items: items)
  }

  var description: String { "items \(instance.items)" }
}

@Suite("Packing: cutting-stock column generation")
struct ColumnGenerationTests {
  @Test func knapsackPricingEqualsDynamicProgramming() async {
    await propertyCheck(count: 300, input: Gen.int(in: 0...Int.max)) { seed in
      let k = SmallKnapsack(seed: UInt64(seed))
      let solution = PatternKnapsack.solve(
        prices: k.prices, weights: k.weights, bounds: k.bounds, capacity: Double(k.capacity),
        nodeLimit: 1_000_000)
      #expect(solution.exact)
      #expect(abs(solution.value - k.dynamicOptimum) < 1e-9)
      // The counts are a feasible pattern of that value.
      var weight = 0.0
      var value = 0.0
      for t in 0..<k.prices.count {
        #expect(solution.counts[t] >= 0 && solution.counts[t] <= k.bounds[t])
        weight += Double(solution.counts[t]) * k.weights[t]
        value += Double(solution.counts[t]) * k.prices[t]
      }
      #expect(weight <= Double(k.capacity))
      #expect(abs(value - solution.value) < 1e-9)
    }
  }

  @Test func knapsackWithEqualDensitiesFillsTheBin() {
    // Prices equal to sizes: the best pattern fills the capacity exactly (37 + 33 + 30).
    let weights: [Double] = [52, 37, 33, 30, 29]
    let solution = PatternKnapsack.solve(
      prices: weights, weights: weights, bounds: [1, 1, 1, 1, 1], capacity: 100, nodeLimit: 1_000_000)
    #expect(solution.exact)
    #expect(solution.value == 100)
  }

  @Test func relaxationOfThreeFoursIsOneAndAHalf() throws {
    // Three items of 4 in bins of 10: at most two per bin, so the LP value is 3 / 2.
    let instance = try PackingInstance(name: "fours", capacity: [10], items: [4, 4, 4])
    var stock = try #require(CuttingStockRounding(instance, workLimit: 1_000_000))
    let relaxation = stock.solveRelaxation(demand: [3], stopAtRoundUp: false)
    #expect(abs(relaxation.value - 1.5) < 1e-9)
    #expect(abs(relaxation.bound - 1.5) < 1e-9)
  }

  @Test func relaxationOfTheTripletsIsTheirCount() throws {
    // 45 + 30 + 25 = 100: k bins in the LP, and no fewer (the sizes sum to k bins).
    let instance = try ConstructionTests.triplets(9)
    var stock = try #require(CuttingStockRounding(instance, workLimit: 10_000_000))
    let relaxation = stock.solveRelaxation(demand: [9, 9, 9], stopAtRoundUp: false)
    #expect(abs(relaxation.value - 9) < 1e-6)
    #expect(relaxation.bound <= relaxation.value + 1e-9)
    #expect(relaxation.bound > 8)
  }

  @Test func relaxationWithAHandCheckedFractionalValue() throws {
    // Capacity 10; sizes 6, 5, 4 once each and 3 five times. Every bin holds at most one of
    // 6 and 5; Σ size = 30 = 3 bins and {6, 4}, {5, 5}… are not all available. The LP optimum:
    // {6, 4} and {5, 3} once each, {3, 3, 3} · 4 / 3 → 10 / 3.
    let instance = try PackingInstance(name: "mixed", capacity: [10], items: [6, 5, 4, 3, 3, 3, 3, 3])
    var stock = try #require(CuttingStockRounding(instance, workLimit: 10_000_000))
    let relaxation = stock.solveRelaxation(demand: [1, 1, 1, 5], stopAtRoundUp: false)
    #expect(abs(relaxation.value - 10.0 / 3) < 1e-9)
    #expect(abs(relaxation.bound - 10.0 / 3) < 1e-9)
    let bins = stock.pack()
    #expect(bins.count == 4)
  }

  @Test func roundingPacksEveryItemOnceWithManySizes() async {
    await propertyCheck(count: 20, input: Gen.int(in: 0...Int.max)) { seed in
      let instance = ManySizeInstance(seed: UInt64(seed)).instance
      for limit in [50_000_000, 2_000] {
        var stock = CuttingStockRounding(instance, workLimit: limit)!
        let bins = stock.pack()
        #expect(PackingChecker.check(bins: bins.map { $0.map(Int.init) }, of: instance) == nil)
        #expect(bins.count >= PackingBounds.l2(instance))
        if limit > 1_000_000 {
          // The relaxation's value is a lower bound on any packing, its bound one on the value.
          #expect(stock.rootBound <= stock.rootValue + 1e-6)
          #expect(Double(bins.count) >= stock.rootBound - 1e-6)
        }
      }
    }
  }
}
