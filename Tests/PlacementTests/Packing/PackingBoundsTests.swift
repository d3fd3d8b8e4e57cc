import Testing

@testable import Placement

/// A one-dimensional instance of capacity `c`.
func oneDimensional(_ sizes: [Double], capacity c: Double) throws -> PackingInstance {
  try PackingInstance(name: "t", capacity: [c], items: sizes)
}

/// The optimum of a small instance by exhaustive search (items by decreasing L1 size, a new bin
/// only once, equal loads tried once).
func exactOptimum(_ instance: PackingInstance) -> Int {
  let d = instance.dimensions
  func normalised(_ i: Int) -> Double {
    (0..<d).reduce(0.0) { s, k in s + instance.size(i, k) / instance.capacity[k] }
  }
  let order = (0..<instance.count).sorted { normalised($0) > normalised($1) }
  var best = instance.count
  var loads: [[Double]] = []
  func place(_ p: Int) {
    if loads.count >= best { return }
    if p == order.count {
      best = loads.count
      return
    }
    let i = order[p]
    var tried: [[Double]] = []
    for b in loads.indices where !tried.contains(loads[b]) {
      tried.append(loads[b])
      if (0..<d).allSatisfy({ loads[b][$0] + instance.size(i, $0) <= instance.capacity[$0] }) {
        for k in 0..<d { loads[b][k] += instance.size(i, k) }
        place(p + 1)
        for k in 0..<d { loads[b][k] -= instance.size(i, k) }
      }
    }
    loads.append((0..<d).map { instance.size(i, $0) })
    place(p + 1)
    loads.removeLast()
  }
  place(0)
  return best
}

@Suite("Packing: bounds and checker")
struct PackingBoundsTests {
  @Test func l1AndL2OnHandCases() throws {
    // Three items above half the bin need three bins though they sum to 1.8 bins.
    let three = try oneDimensional([60, 60, 60], capacity: 100)
    #expect(PackingBounds.l1(three) == 2)
    #expect(PackingBounds.l2(three) == 3)
    // 70 pairs with no 40, and no three 40s share a bin: 3 bins.
    let mixed = try oneDimensional([70, 40, 40, 40], capacity: 100)
    #expect(PackingBounds.l1(mixed) == 2)
    #expect(PackingBounds.l2(mixed) == 3)
    #expect(PackingBounds.martelloTothL2(sizes: [70, 40, 40, 40], capacity: 100) == 3)
    // Complementary pairs: L2 stays at 2, the optimum.
    let pairs = try oneDimensional([51, 51, 49, 49], capacity: 100)
    #expect(PackingBounds.l2(pairs) == 2)
    // Exact multiples are not rounded up.
    let exact = try oneDimensional([25, 25, 25, 25, 50, 50], capacity: 100)
    #expect(PackingBounds.l1(exact) == 2)
    #expect(PackingBounds.l2(exact) == 2)
  }

  @Test func dualFeasibleFunctionsBeatL2() throws {
    // L1 = L2 = 3 but the optimum is 4; u^(k) / f_CCM prove it.
    let instance = try oneDimensional([10, 6, 6, 3, 3, 2], capacity: 10)
    #expect(PackingBounds.l2(instance) == 3)
    #expect(PackingBounds.dff(instance) == 4)
    #expect(PackingBounds.best(instance) == 4)
    #expect(exactOptimum(instance) == 4)
    // Fractional sizes: no DFF bound, L2 still applies.
    let fractional = try oneDimensional([0.6, 0.6, 0.6], capacity: 1)
    #expect(PackingBounds.dff(fractional) == 0)
    #expect(PackingBounds.best(fractional) == 3)
  }

  @Test func vectorBoundsTakeTheTightestDimension() throws {
    // Dimension 1 sums to 1.2 bins, dimension 2 to 2.4; in dimension 2 three items exceed half.
    let instance = try PackingInstance(name: "v", capacity: [10, 10], items: [4, 8, 4, 8, 4, 8])
    #expect(PackingBounds.l1(instance) == 3)
    #expect(PackingBounds.l2(instance) == 3)
    let zeros = try PackingInstance(name: "z", capacity: [10, 10], items: [0, 6, 6, 0, 6, 0])
    #expect(PackingBounds.l1(zeros) == 2)
    #expect(PackingBounds.l2(zeros) == 2)
  }

  @Test func checkerFindsEveryKindOfFault() throws {
    let instance = try oneDimensional([6, 5, 4, 3], capacity: 10)
    #expect(PackingChecker.check(bins: [[0, 3], [1, 2]], of: instance) == nil)
    #expect(
      PackingChecker.check(bins: [[0, 1], [2, 3]], of: instance)?.message.contains("over capacity") == true)
    #expect(
      PackingChecker.check(bins: [[0, 3], [1, 2, 2]], of: instance)?.message.contains("twice") == true)
    #expect(PackingChecker.check(bins: [[0, 3], [1]], of: instance)?.message.contains("not packed") == true)
    #expect(
      PackingChecker.check(bins: [[0, 3], [1, 2], []], of: instance)?.message.contains("empty") == true)
    #expect(
      PackingChecker.check(bins: [[0, 3], [1, 2, 9]], of: instance)?.message.contains("unknown") == true)

    #expect(PackingChecker.check(Packing(binOfItem: [0, 1, 1, 0], binCount: 2), of: instance) == nil)
    #expect(PackingChecker.check(Packing(binOfItem: [0, 0, 1, 1], binCount: 2), of: instance) != nil)
    #expect(PackingChecker.check(Packing(binOfItem: [0, 1, 1], binCount: 2), of: instance) != nil)
    #expect(PackingChecker.check(Packing(binOfItem: [0, 1, 1, 2], binCount: 2), of: instance) != nil)
    #expect(PackingChecker.check(Packing(binOfItem: [0, 1, 1, 0], binCount: 3), of: instance) != nil)
    #expect(PackingChecker.check(Packing(binOfItem: [0, -1, 1, 0], binCount: 2), of: instance) != nil)
    // Within the relative tolerance of 1e-9 a bin is not over capacity.
    let tight = try oneDimensional([0.1, 0.2, 0.7], capacity: 1)
    #expect(PackingChecker.check(Packing(binOfItem: [0, 0, 0], binCount: 1), of: tight) == nil)
  }

  @Test func everyAlgorithmIsVerifiedAndReportsItsBounds() throws {
    let instance = try oneDimensional([10, 6, 6, 3, 3, 2], capacity: 10)
    for algorithm in PackingAlgorithm.all {
      let result = try PackingSolver.solve(instance, with: algorithm)
      #expect(result.l1Bound == 3)
      #expect(result.l2Bound == 3)
      #expect(result.bound == 4)
      #expect(result.lowerBound == 4)
      #expect(result.bins >= 4)
      #expect(result.gap == result.bins - 4)
      #expect(result.algorithm == algorithm.name)
    }
    #expect(try PackingSolver.solve(instance, with: .localSearch).bins == 4)
  }
}
