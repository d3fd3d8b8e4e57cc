import PropertyBased
import Testing

@testable import Placement

/// A random instance: 1–4 dimensions, whole-number capacities of 10–100 and sizes drawn from
/// a few patterns (uniform, small, large, near half) so that exact fits and ties happen; some
/// sizes are 0 in some dimensions. Built from a seed so that it is reproducible.
struct RandomPackingInstance: Sendable, CustomStringConvertible {
  var instance: PackingInstance
  var seed: UInt64

  init(dimensions: Int, count: Int, seed: UInt64) {
    var rng = SplitMix64(state: seed)
    func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    let capacity = (0..<dimensions).map { _ in Double(10 + below(91)) }
    let pattern = below(4)
    var items: [Double] = []
    for _ in 0..<count {
      var vector: [Double] = []
      for k in 0..<dimensions {
        let c = Int(capacity[k])
        let size: Int
        switch pattern {
        case 0: size = below(c + 1)
        case 1: size = below(c / 4 + 1)
        case 2: size = c / 3 + below(c - c / 3 + 1)
        default: size = c / 2 - 2 + below(5)
        }
        vector.append(Double(min(c, max(0, size))))
      }
      if vector.allSatisfy({ $0 == 0 }) { vector[0] = 1 }
      items += vector
    }
    instance = try! PackingInstance(name: "random-\(seed)", capacity: capacity, items: items)
    self.seed = seed
  }

  var description: String {
    "d \(instance.dimensions), capacity \(instance.capacity), items \(instance.items) (seed \(seed))"
  }
}

let randomPackingInstances = zip(Gen.int(in: 1...4), Gen.int(in: 1...40), Gen.int(in: 0...Int.max)).map {
  RandomPackingInstance(dimensions: $0.0, count: $0.1, seed: UInt64($0.2))
}

/// First fit by a plain scan of the bins, for comparison with the max-tree.
func naiveFirstFit(_ instance: PackingInstance, order: [Int32]) -> Packing {
  let d = instance.dimensions
  var loads: [[Double]] = []
  var binOf = [Int32](repeating: -1, count: instance.count)
  for item in order.map(Int.init) {
    let limit = instance.capacity.map { $0 * (1 + 1e-9) }
    var chosen = loads.firstIndex { load in
      (0..<d).allSatisfy { load[$0] + instance.size(item, $0) <= limit[$0] }
    }
    if chosen == nil {
      loads.append([Double](repeating: 0, count: d))
      chosen = loads.count - 1
    }
    for k in 0..<d { loads[chosen!][k] += instance.size(item, k) }
    binOf[item] = Int32(chosen!)
  }
  return Packing(binOfItem: binOf, binCount: loads.count)
}

/// The sorted load vectors of a packing's bins: equal for packings that differ only by which of
/// several identical items went where.
func loadProfile(_ packing: Packing, _ instance: PackingInstance) -> [[Double]] {
  packing.bins.map { bin in
    (0..<instance.dimensions).map { k in bin.reduce(0.0) { $0 + instance.size($1, k) } }
  }.sorted { $0.lexicographicallyPrecedes($1) }
}

@Suite("Packing: heuristics")
struct PackingHeuristicsTests {
  let sizes: [Double] = [5, 7, 5, 2, 4, 2, 5, 1, 6]

  @Test func onlineHeuristicsOnAHandCase() throws {
    let instance = try oneDimensional(sizes, capacity: 10)
    // Next fit: [5] [7 2] ... only the last bin open.
    #expect(PackingHeuristic.nextFit.pack(instance).binOfItem == [0, 1, 2, 2, 3, 3, 4, 4, 5])
    // First fit: 5→0, 7→1, 5→0, 2→1, 4→2, 2→2, 5→3, 1→1, 6→4.
    #expect(PackingHeuristic.firstFit.pack(instance).binOfItem == [0, 1, 0, 1, 2, 2, 3, 1, 4])
    // Best fit: 5→0, 7→1, 5→0 (full), 2→1 (9), 4→2, 2→2, 5→3, 1→1 (full), 6→4.
    #expect(PackingHeuristic.bestFit(.l1).pack(instance).binOfItem == [0, 1, 0, 1, 2, 2, 3, 1, 4])
    // Worst fit: as first fit until 1, which goes to bin 3 (5 left) rather than bin 1 (1 left).
    #expect(PackingHeuristic.worstFit(.l1).pack(instance).binOfItem == [0, 1, 0, 1, 2, 2, 3, 3, 4])
  }

  @Test func decreasingHeuristicsOnAHandCase() throws {
    let instance = try oneDimensional(sizes, capacity: 10)
    // Sorted: 7 6 5 5 5 4 2 2 1 → FFD bins {7 2 1} {6 4} {5 5} {5 2}: 4 bins.
    let ffd = PackingHeuristic.firstFitDecreasing(.l1).pack(instance)
    #expect(ffd.binCount == 4)
    #expect(loadProfile(ffd, instance) == [[7], [10], [10], [10]])
    let bfd = PackingHeuristic.bestFitDecreasing(.l1).pack(instance)
    #expect(bfd.binCount == 4)
    #expect(PackingChecker.check(bfd, of: instance) == nil)
  }

  @Test func sizeKeysOrderVectorsDifferently() throws {
    // Item 0 = (6, 0), item 1 = (4, 4): L∞ puts item 0 first, L1 item 1.
    let instance = try PackingInstance(name: "k", capacity: [10, 10], items: [6, 0, 4, 4])
    #expect(PackingKernels.decreasingOrder(instance, key: .linf) == [0, 1])
    #expect(PackingKernels.decreasingOrder(instance, key: .l1) == [1, 0])
    #expect(PackingKernels.decreasingOrder(instance, key: .l2) == [0, 1])
    #expect(PackingKernels.decreasingOrder(instance, key: .product) == [1, 0])
  }

  /// From 4,096 items the decreasing order comes from a radix sort; it must equal the
  /// comparison sort's order (key descending, then size vector, then index), ties included.
  @Test func radixDecreasingOrderMatchesTheComparisonSort() async {
    await propertyCheck(count: 12, input: Gen.int(in: 0...Int.max)) { seed in
      var rng = SplitMix64(state: UInt64(seed))
      let d = 1 + Int(rng.next() % 3)
      let n = 4_096 + Int(rng.next() % 3_000)
      // Few distinct sizes, so that many keys tie; some zeros.
      let items = (0..<(n * d)).map { _ in Double(rng.next() % 12) }
      var sizes = items
      for i in 0..<n where (0..<d).allSatisfy({ sizes[i * d + $0] == 0 }) { sizes[i * d] = 1 }
      let instance = try! PackingInstance(
        name: "radix", capacity: [Double](repeating: 11, count: d), items: sizes)
      for key in [SizeKey.l1, .l2, .linf, .product, .dot] {
        let measure = SizeMeasure(key, instance: instance)
        let expected = sizes.withUnsafeBufferPointer { s in
          (0..<Int32(n)).sorted { a, b in
            let (ka, kb) = (
              measure.value(s.baseAddress! + Int(a) * d), measure.value(s.baseAddress! + Int(b) * d)
            )
            if ka != kb { return ka > kb }
            for k in 0..<d where s[Int(a) * d + k] != s[Int(b) * d + k] {
              return s[Int(a) * d + k] > s[Int(b) * d + k]
            }
            return a < b
          }
        }
        #expect(PackingKernels.decreasingOrder(instance, key: key) == expected)
      }
    }
  }

  /// Best and worst fit drop bins that no later item fits; the packings must not change.
  @Test func closingDeadBinsKeepsBestAndWorstFitPackings() async {
    await propertyCheck(count: 60, input: randomPackingInstances) { random in
      let instance = random.instance
      for key in [SizeKey.l1, .dot] {
        let measure = SizeMeasure(key, instance: instance)
        let orders = [
          (0..<Int32(instance.count)).map { $0 }, PackingKernels.decreasingOrder(instance, key: key),
        ]
        for order in orders {
          for best in [true, false] {
            let closing = PackingKernels.orderedAnyFit(instance, order: order, measure: measure, best: best)
            let keeping = PackingKernels.orderedAnyFit(
              instance, order: order, measure: measure, best: best, closeDeadBins: false)
            #expect(closing == keeping)
          }
        }
      }
      for key in [SizeKey.l2, .linf, .product] {
        let measure = SizeMeasure(key, instance: instance)
        let order = PackingKernels.decreasingOrder(instance, key: key)
        for best in [true, false] {
          let closing = PackingKernels.linearAnyFit(instance, order: order, measure: measure, best: best)
          let keeping = PackingKernels.linearAnyFit(
            instance, order: order, measure: measure, best: best, closeDeadBins: false)
          #expect(closing == keeping)
        }
      }
    }
  }

  @Test func radixOrderSortsNegativeAndPositiveCodesStably() {
    let codes: [UInt64] = [5, 1 << 63, 5, 0, UInt64.max, 3 << 40, 0]
    #expect(PackingKernels.radixOrder(codes) == [3, 6, 0, 2, 5, 1, 4])
  }

  @Test func namesRoundTrip() {
    for algorithm in PackingAlgorithm.all {
      #expect(PackingAlgorithm.named(algorithm.name) == algorithm)
      #expect(!algorithm.summary.isEmpty)
    }
    #expect(PackingAlgorithm.named("FFD") == .heuristic(.firstFitDecreasing(PackingAlgorithm.defaultKey)))
    #expect(PackingAlgorithm.named("ffd-dot") == .heuristic(.firstFitDecreasing(.dot)))
    #expect(PackingAlgorithm.named("ffd-l2") == nil)  // the default key has no suffix
    #expect(PackingAlgorithm.named("nope") == nil)
    #expect(Set(PackingAlgorithm.all.map(\.name)).count == PackingAlgorithm.all.count)
  }

  @Test func manyBinsGrowTheTree() throws {
    // Every item needs its own bin: the tree doubles many times.
    let instance = try oneDimensional([Double](repeating: 6, count: 5000), capacity: 10)
    #expect(PackingHeuristic.firstFit.pack(instance).binCount == 5000)
    #expect(PackingHeuristic.bestFit(.l1).pack(instance).binCount == 5000)
  }
}

@Suite("Packing: properties")
struct PackingPropertyTests {
  @Test func everyPolicyPacksEveryItemOnceWithinCapacityAndAboveTheBound() async {
    let options = PackingOptions(seed: 7, workBudget: 20_000)
    await propertyCheck(count: 60, input: randomPackingInstances) { random in
      let instance = random.instance
      let bound = PackingBounds.best(instance)
      #expect(PackingBounds.l1(instance) <= PackingBounds.l2(instance))
      #expect(PackingBounds.l2(instance) <= bound)
      for algorithm in PackingAlgorithm.all {
        do {
          let result = try PackingSolver.solve(instance, with: algorithm, options: options)
          #expect(PackingChecker.check(bins: result.packing.bins, of: instance) == nil, "\(algorithm)")
          #expect(result.packing.binOfItem.count == instance.count)
          #expect(result.bins >= bound, "\(algorithm)")
          #expect(result.bins <= instance.count, "\(algorithm)")
        } catch {
          Issue.record("\(algorithm): \(error)")
        }
      }
    }
  }

  @Test func boundsNeverExceedTheOptimum() async {
    let small = zip(Gen.int(in: 1...3), Gen.int(in: 1...8), Gen.int(in: 0...Int.max)).map {
      RandomPackingInstance(dimensions: $0.0, count: $0.1, seed: UInt64($0.2))
    }
    await propertyCheck(count: 150, input: small) { random in
      let instance = random.instance
      let optimum = exactOptimum(instance)
      #expect(PackingBounds.best(instance) <= optimum)
      let search = try? PackingSolver.solve(
        instance, with: .localSearch, options: PackingOptions(workBudget: 50_000))
      #expect((search?.bins ?? .max) >= optimum)
    }
  }

  @Test func decreasingVariantsIgnoreTheInputOrder() async {
    await propertyCheck(count: 80, input: randomPackingInstances, Gen.int(in: 0...Int.max)) { random, seed in
      let instance = random.instance
      var rng = SplitMix64(state: UInt64(seed))
      let permutation = Array(0..<instance.count).shuffled(using: &rng)
      let d = instance.dimensions
      let shuffled = try! PackingInstance(
        name: "shuffled", capacity: instance.capacity,
        items: permutation.flatMap { i in (0..<d).map { instance.size(i, $0) } })
      for key in SizeKey.allCases {
        for heuristic in [PackingHeuristic.firstFitDecreasing(key), .bestFitDecreasing(key)] {
          let a = heuristic.pack(instance)
          let b = heuristic.pack(shuffled)
          #expect(a.binCount == b.binCount, "\(heuristic)")
          #expect(loadProfile(a, instance) == loadProfile(b, shuffled), "\(heuristic)")
        }
      }
    }
  }

  /// The dot key's weights are bit-identical whatever the item order, for whole-number and
  /// fractional sizes. (They were summed as Σ s·(1/C) in item order: a shuffle changed them by an
  /// ulp in about half the cases and reordered items whose keys tie in real numbers, so FFD and BFD
  /// with `dot` once packed the same items into 14 or 15 bins depending on their order.)
  @Test func dotWeightsIgnoreTheItemOrder() throws {
    var rng = SplitMix64(state: 42)
    for fractional in [false, true] {
      for _ in 0..<50 {
        let capacity = [36.0, 31, 99]
        let n = Int.random(in: 5...60, using: &rng)
        let items = (0..<(3 * n)).map { k -> Double in
          let whole = Double(Int.random(in: 0...Int(capacity[k % 3] / 2), using: &rng))
          return fractional ? whole + Double(Int.random(in: 0...9, using: &rng)) / 10 : whole
        }
        let instance = try PackingInstance(name: "a", capacity: capacity, items: items)
        let order = Array(0..<n).shuffled(using: &rng)
        let shuffled = try PackingInstance(
          name: "b", capacity: capacity, items: order.flatMap { i in (0..<3).map { items[3 * i + $0] } })
        #expect(
          SizeMeasure(.dot, instance: instance).factors == SizeMeasure(.dot, instance: shuffled).factors,
          "fractional \(fractional)")
      }
    }
  }

  @Test func treeFirstFitEqualsAPlainScan() async {
    await propertyCheck(count: 100, input: randomPackingInstances, Gen.int(in: 0...Int.max)) { random, seed in
      let instance = random.instance
      var rng = Placement.SplitMix64(seed: UInt64(seed))
      let order = rng.permutation(instance.count)
      #expect(PackingKernels.firstFit(instance, order: order) == naiveFirstFit(instance, order: order))
    }
  }

  @Test func orderedBestFitEqualsAPlainScanInOneDimension() async {
    let oneD = zip(Gen.int(in: 1...60), Gen.int(in: 0...Int.max)).map {
      RandomPackingInstance(dimensions: 1, count: $0.0, seed: UInt64($0.1))
    }
    await propertyCheck(count: 100, input: oneD) { random in
      let instance = random.instance
      let order = (0..<Int32(instance.count)).map { $0 }
      for best in [true, false] {
        let measure = SizeMeasure(.l1, instance: instance)
        let ordered = PackingKernels.orderedAnyFit(instance, order: order, measure: measure, best: best)
        let plain = PackingKernels.linearAnyFit(instance, order: order, measure: measure, best: best)
        #expect(ordered.binCount == plain.binCount)
        #expect(loadProfile(ordered, instance) == loadProfile(plain, instance))
      }
    }
  }

  @Test func localSearchIsReproducibleAndNeverWorseThanFFD() async {
    await propertyCheck(count: 40, input: randomPackingInstances) { random in
      let instance = random.instance
      let options = PackingOptions(seed: 3, workBudget: 30_000)
      let a = try? PackingSolver.solve(instance, with: .localSearch, options: options)
      let b = try? PackingSolver.solve(instance, with: .localSearch, options: options)
      #expect(a?.packing == b?.packing)
      let ffd = PackingHeuristic.firstFitDecreasing(PackingAlgorithm.defaultKey).pack(instance)
      #expect((a?.bins ?? .max) <= ffd.binCount)
    }
  }
}
