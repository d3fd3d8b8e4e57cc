import PropertyBased
import Testing

@testable import Placement

/// A random two-dimensional instance for the first-fit index: capacities of different scales,
/// sizes from a few kinds (integers, reals, zeros in one dimension, very thin items with size
/// ratios far beyond the index's 2^±6 ratio range), and a shuffled or decreasing order.
struct RandomTwoDimensionalOrder: Sendable, CustomStringConvertible {
  var instance: PackingInstance
  var order: [Int32]

  init(seed: UInt64) {
    var rng = SplitMix64(state: seed)
    func unit() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
    func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    let capacity = [[100.0, 100], [1000, 7], [1, 1e6], [3.5, 3.5]][below(4)]
    let count = 1 + below(400)
    var items: [Double] = []
    for _ in 0..<count {
      var a = 0.0
      var b = 0.0
      switch below(5) {
      case 0: (a, b) = ((1 + unit() * 59).rounded() / 100, (1 + unit() * 59).rounded() / 100)
      case 1: (a, b) = (unit(), unit())
      case 2: (a, b) = (unit() * 0.7, 0)
      case 3: (a, b) = (unit() * 0.9, unit() * 0.004)
      default: (a, b) = (unit() * 0.003, unit() * 0.8)
      }
      items += [Swift.max(a, 1e-6) * capacity[0], b * capacity[1]]
      if a == 0 && b == 0 { items[items.count - 2] = capacity[0] / 3 }
    }
    instance = try! PackingInstance(name: "2d-\(seed)", capacity: capacity, items: items)
    if below(2) == 0 {
      order = PackingKernels.decreasingOrder(instance, key: [.l2, .linf, .l1, .product][below(4)])
    } else {
      order = (0..<Int32(count)).map { $0 }
      for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, below(i + 1)) }
    }
  }

  var description: String { "capacity \(instance.capacity), \(instance.count) items" }
}

@Suite("Packing: the two-dimensional first-fit index")
struct FitTree2DTests {
  @Test func givesTheSamePackingAsTheGeneralIndex() async {
    await propertyCheck(count: 80, input: Gen.int(in: 0...Int.max)) { seed in
      let random = RandomTwoDimensionalOrder(seed: UInt64(seed))
      let fast = PackingKernels.firstFit2D(random.instance, order: random.order)
      let general = PackingKernels.firstFitAnyDimension(random.instance, order: random.order)
      #expect(fast == general)
      #expect(PackingChecker.check(fast, of: random.instance) == nil)
    }
  }

  /// Items just over half a bin in one dimension and tiny in the other: one per bin, while the
  /// L1 bound the index is first sized by (2,716 bins, rounded up to 4,096 slots) is about half
  /// the bins, so the index has to grow.
  @Test func growsPastItsInitialSize() throws {
    let n = 5_000
    var items: [Double] = []
    for i in 0..<n { items += [51 + Double(i % 7), 0.5] }
    let instance = try PackingInstance(name: "grow", capacity: [100, 100], items: items)
    let order = (0..<Int32(n)).map { $0 }
    let fast = PackingKernels.firstFit2D(instance, order: order)
    #expect(fast.binCount == n)
    #expect(fast == PackingKernels.firstFitAnyDimension(instance, order: order))
  }
}
