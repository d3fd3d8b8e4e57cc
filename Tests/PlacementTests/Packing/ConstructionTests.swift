import PropertyBased
import Testing

@testable import Placement

/// A one-dimensional instance whose sizes repeat: 1–6 sizes of 5–60 on a capacity of 100,
/// each 1–25 times.
struct RepeatedSizeInstance: Sendable, CustomStringConvertible {
  var instance: PackingInstance

  init(seed: UInt64) {
    var rng = SplitMix64(state: seed)
    func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    var items: [Double] = []
    for _ in 0..<(1 + below(6)) {
      let size = Double(5 + below(56))
      items += [Double](repeating: size, count: 1 + below(25))
    }
    instance = try! PackingInstance(name: "repeated-\(seed)", capacity: [100], items: items)
  }

  var description: String { "items \(instance.items)" }
}

@Suite("Packing: constructions of the local search")
struct ConstructionTests {
  /// k perfect triplets 45 + 30 + 25 = 100: the optimum is k bins; first fit decreasing pairs
  /// the 45s, then fills bins with three 30s and four 25s (k/2 + k/3 + k/4 bins).
  static func triplets(_ k: Int) throws -> PackingInstance {
    let items =
      [Double](repeating: 45, count: k) + [Double](repeating: 30, count: k)
      + [Double](repeating: 25, count: k)
    return try PackingInstance(name: "triplets-\(k)", capacity: [100], items: items)
  }

  @Test func cuttingStockRoundingFindsThePerfectTriplets() throws {
    let instance = try Self.triplets(12)
    #expect(PackingHeuristic.firstFitDecreasing(.l1).pack(instance).binCount == 13)
    var stock = try #require(CuttingStockRounding(instance, workLimit: 10_000_000))
    #expect(stock.typeCount == 3)
    let bins = stock.pack()
    #expect(bins.count == 12)
    #expect(PackingChecker.check(bins: bins.map { $0.map(Int.init) }, of: instance) == nil)
  }

  @Test func minimumBinSlackFindsThePerfectTriplets() throws {
    let instance = try Self.triplets(12)
    let search = BinEmptyingSearch(
      size: instance.items, dimensions: 1, capacity: instance.capacity,
      options: BinEmptyingSearch.Options(seed: 1, workBudget: 0, timeBudget: nil))
    let bins = search.minimumBinSlack()
    #expect(bins.count == 12)
    #expect(PackingChecker.check(bins: bins.map { $0.map(Int.init) }, of: instance) == nil)
  }

  @Test func cuttingStockRoundingIsOnlyForOneDimension() throws {
    let instance = try PackingInstance(name: "2d", capacity: [10, 10], items: [5, 5, 4, 6])
    #expect(CuttingStockRounding(instance, workLimit: 1000) == nil)
  }

  @Test func localSearchReachesTheTripletOptimum() throws {
    let result = try PackingSolver.solve(Self.triplets(30), with: .localSearch)
    #expect(result.bins == 30)
    #expect(result.bound == 30)
  }

  @Test func cuttingStockRoundingPacksEveryItemOnce() async {
    await propertyCheck(count: 60, input: Gen.int(in: 0...Int.max)) { seed in
      let instance = RepeatedSizeInstance(seed: UInt64(seed)).instance
      // A tiny limit too: what the relaxation leaves undone is packed by first fit decreasing.
      for limit in [10_000_000, 50] {
        var stock = CuttingStockRounding(instance, workLimit: limit)!
        let bins = stock.pack()
        #expect(PackingChecker.check(bins: bins.map { $0.map(Int.init) }, of: instance) == nil)
        #expect(bins.count >= PackingBounds.l2(instance))
      }
    }
  }

  @Test func minimumBinSlackPacksEveryItemOnce() async {
    await propertyCheck(count: 60, input: randomPackingInstances) { random in
      let instance = random.instance
      let search = BinEmptyingSearch(
        size: instance.items, dimensions: instance.dimensions, capacity: instance.capacity,
        options: BinEmptyingSearch.Options(seed: 1, workBudget: 0, timeBudget: nil))
      let bins = search.minimumBinSlack()
      #expect(PackingChecker.check(bins: bins.map { $0.map(Int.init) }, of: instance) == nil)
    }
  }
}
