// Bin-packing heuristics on random two-dimensional instances of 10 000, 100 000 and 1 000 000
// items (capacity 1000 × 1000, sizes uniform in 10…500 per dimension, independent). One
// iteration packs the whole instance, so items per second = n × throughput.
//
// Next fit is O(n). First fit (and first fit decreasing) search a max-tree over the bins, and
// best and worst fit with an additive key (l1, dot) search the bins sorted by key; both are
// O(n log n) when the search does not backtrack, and grow faster when it does (measured figures
// and the reasons in docs/placement.md). Best fit with the default key l2 scans every open bin,
// O(n · bins), and runs at 10 000 and 100 000 items only.
import Benchmark
import Placement

/// SplitMix64: tiny and deterministic.
struct SplitMix64 {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// A random two-dimensional instance of `count` items.
func randomInstance(count: Int) -> PackingInstance {
  var rng = SplitMix64(state: 2024)
  var items: [Double] = []
  items.reserveCapacity(2 * count)
  for _ in 0..<(2 * count) { items.append(Double(10 + rng.next() % 491)) }
  return try! PackingInstance(name: "random-\(count)", capacity: [1000, 1000], items: items)
}

/// The instances, built once on first use and shared by every benchmark.
final class Instances: @unchecked Sendable {
  static let shared = Instances()
  let bySize: [Int: PackingInstance] = Dictionary(
    uniqueKeysWithValues: [10_000, 100_000, 1_000_000].map { ($0, randomInstance(count: $0)) })
}

@inline(never)
func pack(_ heuristic: PackingHeuristic, _ instance: PackingInstance) -> Int {
  heuristic.pack(instance).binCount
}

let benchmarks: @Sendable () -> Void = {
  let heuristics: [(String, PackingHeuristic, fast: Bool)] = [
    ("nf", .nextFit, true),
    ("ff", .firstFit, true),
    ("ffd (l2)", .firstFitDecreasing(.l2), true),
    ("ffd-linf", .firstFitDecreasing(.linf), true),
    ("bf-l1", .bestFit(.l1), true),
    ("wf-l1", .worstFit(.l1), true),
    ("bfd-l1", .bestFitDecreasing(.l1), true),
    ("bfd-dot", .bestFitDecreasing(.dot), true),
    ("bf (l2, scans every bin)", .bestFit(.l2), false),
    ("bfd (l2, scans every bin)", .bestFitDecreasing(.l2), false),
  ]
  for n in [10_000, 100_000, 1_000_000] {
    let configuration = Benchmark.Configuration(
      metrics: [.throughput, .wallClock, .mallocCountTotal], scalingFactor: .one,
      maxDuration: .seconds(n >= 1_000_000 ? 10 : 3), maxIterations: n >= 1_000_000 ? 5 : 50)
    for (label, heuristic, fast) in heuristics where fast || n <= 100_000 {
      Benchmark("Pack \(n) items, 2-D: \(label)", configuration: configuration) { benchmark in
        let instance = Instances.shared.bySize[n]!
        var checksum = 0
        for _ in benchmark.scaledIterations { checksum &+= pack(heuristic, instance) }
        blackHole(checksum)
      }
    }
  }
}
