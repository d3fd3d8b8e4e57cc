/// Stable seed derivation (NOT Swift's `Hasher`, which is seeded per process).
///
/// `derive(runSeed:name:) = splitmix64(splitmix64(runSeed) ^ fnv1a64(utf8(name)))`, where
/// `fnv1a64` is 64-bit FNV-1a and `splitmix64(x)` is one step of Steele, Lea & Flood's SplitMix64
/// generator started at state `x` (add the golden gamma, then the variant-13 finaliser). The result
/// depends only on its inputs, so it is the same in every process, on every platform and in every
/// build; changing this function changes every simulation result and needs a deliberate decision.
public enum SeedDerivation {
  /// FNV-1a 64-bit offset basis.
  static let fnvOffsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
  /// FNV-1a 64-bit prime.
  static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3

  /// Derives the seed of the stream called `name` in a run seeded with `runSeed`.
  public static func derive(runSeed: UInt64, name: String) -> UInt64 {
    splitmix64(splitmix64(runSeed) ^ fnv1a64(name))
  }

  /// 64-bit FNV-1a hash of the UTF-8 bytes of `text` ("a" → 0xaf63dc4c8601ec8c).
  static func fnv1a64(_ text: String) -> UInt64 {
    var hash = fnvOffsetBasis
    for byte in text.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* fnvPrime
    }
    return hash
  }

  /// One SplitMix64 step from state `x`: a bijective, well-mixing function of 64 bits.
  static func splitmix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9e37_79b9_7f4a_7c15
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
}
