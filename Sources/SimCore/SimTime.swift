// Simulated time: integer milliseconds, so no floating-point clock drift accumulates over long runs.

/// Simulated instant, an integer count of milliseconds since simulation start (no floating clock drift).
///
/// Instants are ordered and can be offset by a ``SimDuration``; subtracting two instants yields the
/// ``SimDuration`` between them. Arithmetic traps on overflow (the range is about ±292 million years).
public struct SimTime: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// Milliseconds since the start of the simulation (may be negative only if constructed so explicitly).
  public var milliseconds: Int64

  /// Creates an instant `milliseconds` after the start of the simulation.
  @inlinable
  public init(milliseconds: Int64) {
    self.milliseconds = milliseconds
  }

  /// The start of the simulation.
  public static let zero = SimTime(milliseconds: 0)

  /// The instant `ms` milliseconds after the start of the simulation.
  @inlinable
  public static func milliseconds(_ ms: Int64) -> SimTime {
    SimTime(milliseconds: ms)
  }

  /// The instant `s` seconds after the start of the simulation.
  @inlinable
  public static func seconds(_ s: Int64) -> SimTime {
    SimTime(milliseconds: s * 1_000)
  }

  /// The instant `m` minutes after the start of the simulation.
  @inlinable
  public static func minutes(_ m: Int64) -> SimTime {
    SimTime(milliseconds: m * 60_000)
  }

  /// The instant `h` hours after the start of the simulation.
  @inlinable
  public static func hours(_ h: Int64) -> SimTime {
    SimTime(milliseconds: h * 3_600_000)
  }

  /// The instant `d` days after the start of the simulation.
  @inlinable
  public static func days(_ d: Int64) -> SimTime {
    SimTime(milliseconds: d * 86_400_000)
  }

  /// Seconds since the start of the simulation, for reporting (exact up to 2^53 ms).
  @inlinable
  public var seconds: Double {
    Double(milliseconds) / 1_000
  }

  /// The span from the start of the simulation to this instant.
  @inlinable
  public var sinceStart: SimDuration {
    SimDuration(milliseconds: milliseconds)
  }

  /// Formats as `<days>d HH:MM:SS.mmm`, e.g. `2d 03:04:05.006` (a leading `-` for negative instants).
  public var description: String {
    let negative = milliseconds < 0
    let total = milliseconds.magnitude
    let ms = total % 1_000
    let s = total / 1_000 % 60
    let m = total / 60_000 % 60
    let h = total / 3_600_000 % 24
    let d = total / 86_400_000
    return (negative ? "-" : "") + "\(d)d \(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2)).\(pad(ms, 3))"
  }

  /// Orders instants chronologically.
  @inlinable
  public static func < (lhs: SimTime, rhs: SimTime) -> Bool {
    lhs.milliseconds < rhs.milliseconds
  }

  /// The instant `rhs` after `lhs`.
  @inlinable
  public static func + (lhs: SimTime, rhs: SimDuration) -> SimTime {
    SimTime(milliseconds: lhs.milliseconds + rhs.milliseconds)
  }

  /// The instant `lhs` after `rhs`.
  @inlinable
  public static func + (lhs: SimDuration, rhs: SimTime) -> SimTime {
    SimTime(milliseconds: lhs.milliseconds + rhs.milliseconds)
  }

  /// The instant `rhs` before `lhs`.
  @inlinable
  public static func - (lhs: SimTime, rhs: SimDuration) -> SimTime {
    SimTime(milliseconds: lhs.milliseconds - rhs.milliseconds)
  }

  /// The signed span from `rhs` to `lhs` (negative when `lhs` is earlier).
  @inlinable
  public static func - (lhs: SimTime, rhs: SimTime) -> SimDuration {
    SimDuration(milliseconds: lhs.milliseconds - rhs.milliseconds)
  }

  /// Moves `lhs` later by `rhs`.
  @inlinable
  public static func += (lhs: inout SimTime, rhs: SimDuration) {
    lhs.milliseconds += rhs.milliseconds
  }

  /// Moves `lhs` earlier by `rhs`.
  @inlinable
  public static func -= (lhs: inout SimTime, rhs: SimDuration) {
    lhs.milliseconds -= rhs.milliseconds
  }
}

/// A span of simulated time in milliseconds.
///
/// Durations may be negative (e.g. the difference of two instants); ``init(parsing:)`` only accepts
/// non-negative text. Arithmetic traps on overflow.
public struct SimDuration: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// Length of the span in milliseconds.
  public var milliseconds: Int64

  /// Creates a span of `milliseconds` milliseconds.
  @inlinable
  public init(milliseconds: Int64) {
    self.milliseconds = milliseconds
  }

  /// The empty span.
  public static let zero = SimDuration(milliseconds: 0)

  /// A span of `ms` milliseconds.
  @inlinable
  public static func milliseconds(_ ms: Int64) -> SimDuration {
    SimDuration(milliseconds: ms)
  }

  /// A span of `s` seconds.
  @inlinable
  public static func seconds(_ s: Int64) -> SimDuration {
    SimDuration(milliseconds: s * 1_000)
  }

  /// A span of `m` minutes.
  @inlinable
  public static func minutes(_ m: Int64) -> SimDuration {
    SimDuration(milliseconds: m * 60_000)
  }

  /// A span of `h` hours.
  @inlinable
  public static func hours(_ h: Int64) -> SimDuration {
    SimDuration(milliseconds: h * 3_600_000)
  }

  /// A span of `d` days.
  @inlinable
  public static func days(_ d: Int64) -> SimDuration {
    SimDuration(milliseconds: d * 86_400_000)
  }

  /// Length in seconds, for reporting and for feeding rates into floating-point models.
  @inlinable
  public var seconds: Double {
    Double(milliseconds) / 1_000
  }

  /// Parses a non-negative duration: decimal digits, an optional fraction, and a unit out of
  /// `ms`, `s`, `m` (minutes), `h`, `d` — e.g. `"300ms"`, `"300s"`, `"5m"`, `"1h"`, `"7d"`, `"300.1s"`.
  ///
  /// A fraction is accepted only if the value lands on a whole millisecond (`"1.5m"` is 90 000 ms,
  /// `"0.5ms"` is rejected). Returns `nil` for anything else: empty text, a missing or unknown unit,
  /// signs, whitespace, exponents, a bare `.`, or a value that overflows `Int64` milliseconds.
  public init?(parsing text: String) {
    guard let ms = parseDuration(Array(text.utf8)) else { return nil }
    self.milliseconds = ms
  }

  /// The shortest exact form that ``init(parsing:)`` reads back: `"0s"`, `"7d"`, `"90s"`, `"300.1s"`, `"5ms"`.
  ///
  /// Whole days, hours, minutes and seconds use those units; other values are written in seconds
  /// with up to three decimals. Negative spans get a leading `-` (which the parser rejects).
  public var description: String {
    let negative = milliseconds < 0
    let total = milliseconds.magnitude
    let sign = negative ? "-" : ""
    if total == 0 { return "0s" }
    for (unit, size) in [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)]
      as [(String, UInt64)]
    where total % size == 0 {
      return "\(sign)\(total / size)\(unit)"
    }
    if total < 1_000 { return "\(sign)\(total)ms" }
    var fraction = pad(total % 1_000, 3)
    while fraction.last == "0" { fraction.removeLast() }
    return "\(sign)\(total / 1_000).\(fraction)s"
  }

  /// Orders spans by length.
  @inlinable
  public static func < (lhs: SimDuration, rhs: SimDuration) -> Bool {
    lhs.milliseconds < rhs.milliseconds
  }

  /// The sum of two spans.
  @inlinable
  public static func + (lhs: SimDuration, rhs: SimDuration) -> SimDuration {
    SimDuration(milliseconds: lhs.milliseconds + rhs.milliseconds)
  }

  /// The difference of two spans.
  @inlinable
  public static func - (lhs: SimDuration, rhs: SimDuration) -> SimDuration {
    SimDuration(milliseconds: lhs.milliseconds - rhs.milliseconds)
  }

  /// The span of opposite sign.
  @inlinable
  public static prefix func - (operand: SimDuration) -> SimDuration {
    SimDuration(milliseconds: -operand.milliseconds)
  }

  /// The span repeated `rhs` times.
  @inlinable
  public static func * (lhs: SimDuration, rhs: Int64) -> SimDuration {
    SimDuration(milliseconds: lhs.milliseconds * rhs)
  }

  /// The span repeated `lhs` times.
  @inlinable
  public static func * (lhs: Int64, rhs: SimDuration) -> SimDuration {
    SimDuration(milliseconds: lhs * rhs.milliseconds)
  }

  /// How many whole `rhs` spans fit in `lhs` (truncating integer division; `rhs` must not be zero).
  @inlinable
  public static func / (lhs: SimDuration, rhs: SimDuration) -> Int64 {
    lhs.milliseconds / rhs.milliseconds
  }

  /// Adds `rhs` to `lhs`.
  @inlinable
  public static func += (lhs: inout SimDuration, rhs: SimDuration) {
    lhs.milliseconds += rhs.milliseconds
  }

  /// Subtracts `rhs` from `lhs`.
  @inlinable
  public static func -= (lhs: inout SimDuration, rhs: SimDuration) {
    lhs.milliseconds -= rhs.milliseconds
  }
}

/// Zero-pads a non-negative number to `width` digits.
private func pad(_ value: UInt64, _ width: Int) -> String {
  let digits = String(value)
  return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

/// Parses the grammar of `SimDuration.init(parsing:)` from UTF-8 bytes; `nil` when malformed or overflowing.
private func parseDuration(_ bytes: [UInt8]) -> Int64? {
  let zero = UInt8(ascii: "0")
  let nine = UInt8(ascii: "9")
  var index = 0

  // Integer part: at least one digit.
  var integer: Int64 = 0
  let integerStart = index
  while index < bytes.count, bytes[index] >= zero, bytes[index] <= nine {
    let (times10, o1) = integer.multipliedReportingOverflow(by: 10)
    let (next, o2) = times10.addingReportingOverflow(Int64(bytes[index] - zero))
    if o1 || o2 { return nil }
    integer = next
    index += 1
  }
  guard index > integerStart else { return nil }

  // Optional fraction: "." followed by at least one digit.
  var fractionDigits: [UInt8] = []
  if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
    index += 1
    while index < bytes.count, bytes[index] >= zero, bytes[index] <= nine {
      fractionDigits.append(bytes[index] - zero)
      index += 1
    }
    guard !fractionDigits.isEmpty else { return nil }
  }

  // Unit: the whole remainder.
  let unitMilliseconds: Int64
  switch bytes[index...] {
  case [UInt8(ascii: "m"), UInt8(ascii: "s")]: unitMilliseconds = 1
  case [UInt8(ascii: "s")]: unitMilliseconds = 1_000
  case [UInt8(ascii: "m")]: unitMilliseconds = 60_000
  case [UInt8(ascii: "h")]: unitMilliseconds = 3_600_000
  case [UInt8(ascii: "d")]: unitMilliseconds = 86_400_000
  default: return nil
  }

  let (whole, overflow) = integer.multipliedReportingOverflow(by: unitMilliseconds)
  if overflow { return nil }

  // Fraction: value = F / 10^k units; it must be a whole number of milliseconds.
  while fractionDigits.last == 0 { fractionDigits.removeLast() }
  if fractionDigits.isEmpty { return whole }
  // After trimming, the last digit is non-zero, so 10^k divides F·unit only for small k (unit ≤ 2^10·5^5·27).
  guard fractionDigits.count <= 10 else { return nil }
  var numerator: Int64 = 0
  var denominator: Int64 = 1
  for digit in fractionDigits {
    numerator = numerator * 10 + Int64(digit)
    denominator *= 10
  }
  let (scaled, o1) = numerator.multipliedReportingOverflow(by: unitMilliseconds)
  if o1 || scaled % denominator != 0 { return nil }
  let (total, o2) = whole.addingReportingOverflow(scaled / denominator)
  return o2 ? nil : total
}
