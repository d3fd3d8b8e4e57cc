/// SplitMix64 (Steele, Lea and Flood 2014): a tiny, fast, seedable generator, local to the
/// packing code so that its searches are reproducible from an explicit seed.
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform integer in 0..<bound (bound > 0), by Lemire's multiply-shift (bias < 2⁻³²
  /// for the bounds used here).
  mutating func below(_ bound: Int) -> Int {
    Int((UInt64(truncatingIfNeeded: next() >> 32) &* UInt64(bound)) >> 32)
  }

  /// A seeded permutation of 0..<n (Fisher–Yates).
  mutating func permutation(_ n: Int) -> [Int32] {
    var p = (0..<Int32(n)).map { $0 }
    if n > 1 {
      for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, below(i + 1)) }
    }
    return p
  }
}
