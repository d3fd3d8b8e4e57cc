/// Two-byte fixed-point codes for utilisation samples.
///
/// A sample is stored as `UInt16` code `c`, meaning `c × quantum` (the default quantum is 1/10 000,
/// so utilisation fractions from 0 to 6.5534, i.e. 0–655.34 %, are held to 0.01 percentage point).
/// Two codes are reserved:
/// - `saturated` (0xFFFE) is the top value: it means "at least `0xFFFE × quantum`"; larger values
///   are clipped to it and counted as saturated (see `EntityQuality.saturated`);
/// - `missing` (0xFFFF) marks a sample the trace does not have (a gap longer than the forward-fill
///   limit, or a bucket that only had invalid values).
public enum FixedPoint {
  /// Code of a missing sample.
  public static let missing: UInt16 = 0xFFFF
  /// Largest value code; values at or above `saturated × quantum` are stored as it.
  public static let saturated: UInt16 = 0xFFFE
  /// Default quantum of utilisation codes: 1/10 000 of the entity's capacity.
  public static let defaultQuantum = 1e-4

  /// The code of a finite, non-negative value, rounded to the nearest multiple of `quantum`, and
  /// whether it had to be clipped to the top value.
  @inlinable
  public static func encode(_ value: Double, quantum: Double) -> (code: UInt16, saturated: Bool) {
    let scaled = (value / quantum).rounded()
    if scaled >= Double(saturated) { return (saturated, scaled > Double(saturated)) }
    if !(scaled > 0) { return (0, false) }
    return (UInt16(scaled), false)
  }

  /// The value of a code; nil for `missing`.
  @inlinable
  public static func decode(_ code: UInt16, quantum: Double) -> Double? {
    code == missing ? nil : Double(code) * quantum
  }
}

/// The checksum of the `.yt` format: FNV-1a 64 over little-endian 64-bit words.
///
/// The state starts at the FNV-1a 64 offset basis; each whole 8-byte word `w` (little-endian) does
/// `h = (h ^ w) × 0x100000001b3 mod 2⁶⁴`; the 0–7 remaining bytes are zero-padded into one last word,
/// and finally the byte count is folded in the same way. Word-wise hashing runs at memory speed
/// (≈ 8 bytes per multiply) and still detects every change confined to one word, because each step
/// is a bijection of the state.
public enum StoreChecksum {
  static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
  static let prime: UInt64 = 0x0000_0100_0000_01b3

  /// The checksum of `bytes`.
  public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var h = offsetBasis
    let words = bytes.count / 8
    if let base = bytes.baseAddress {
      var i = 0
      // Four words per iteration keeps the loop overhead small; the multiply chain is the limit.
      while i + 4 <= words {
        h = (h ^ UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))) &* prime
        h =
          (h ^ UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i * 8 + 8, as: UInt64.self))) &* prime
        h =
          (h ^ UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i * 8 + 16, as: UInt64.self))) &* prime
        h =
          (h ^ UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i * 8 + 24, as: UInt64.self))) &* prime
        i += 4
      }
      while i < words {
        h = (h ^ UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))) &* prime
        i += 1
      }
      let tail = bytes.count - words * 8
      if tail > 0 {
        var last: UInt64 = 0
        for k in 0..<tail { last |= UInt64(bytes[words * 8 + k]) << (8 * UInt64(k)) }
        h = (h ^ last) &* prime
      }
    }
    return (h ^ UInt64(bytes.count)) &* prime
  }
}
