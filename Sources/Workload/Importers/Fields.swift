import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The separator between fields of a format.
struct Separator {
  /// The byte that ends a field.
  let byte: UInt8
  /// A byte that must follow `byte` (Bitbrains writes `;` then a TAB), or nil.
  let follower: UInt8?
  /// How the separator reads in messages.
  let display: String

  static let comma = Separator(byte: UInt8(ascii: ","), follower: nil, display: "','")
  static let semicolonTab = Separator(
    byte: UInt8(ascii: ";"), follower: UInt8(ascii: "\t"), display: "';' + TAB")
}

/// The fields of one line: start and end offsets into the line, in reused storage.
final class Fields {
  /// Most fields kept; a line with more is reported as having too many.
  static let capacity = 64

  let starts = UnsafeMutablePointer<Int>.allocate(capacity: Fields.capacity)
  let ends = UnsafeMutablePointer<Int>.allocate(capacity: Fields.capacity)
  /// Fields found (at most `capacity + 1`).
  private(set) var count = 0
  /// The file being read, for errors.
  var file = ""
  /// Field names by position, for errors.
  var names: [String] = []
  /// When the separator's second byte was missing: the field after which it was.
  private(set) var missingFollowerAfter: Int? = nil

  deinit {
    starts.deallocate()
    ends.deallocate()
  }

  /// Sets the file and the field names used in errors.
  func use(file: String, names: [String]) {
    self.file = file
    self.names = names
  }

  /// Splits `line` at `separator` and returns it as a row.
  @inline(__always)
  func row(_ line: Line, _ separator: Separator) -> Row {
    split(line.bytes, separator)
    return Row(line: line, fields: self, starts: starts, ends: ends)
  }

  /// Splits `line` at `separator`. No quoting: every separator byte ends a field.
  @inline(__always)
  func split(_ line: UnsafeBufferPointer<UInt8>, _ separator: Separator) {
    count = 0
    missingFollowerAfter = nil
    let n = line.count
    guard let base = line.baseAddress, n > 0 else {
      starts[0] = 0
      ends[0] = 0
      count = 1
      return
    }
    let sep = Int32(separator.byte)
    var fieldStart = 0
    while fieldStart <= n,
      let found = memchr(base + fieldStart, sep, n - fieldStart)
    {
      let i = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
      if count < Fields.capacity {
        starts[count] = fieldStart
        ends[count] = i
      }
      count += 1
      var next = i + 1
      if let follower = separator.follower {
        if next < n && base[next] == follower {
          next += 1
        } else if missingFollowerAfter == nil {
          missingFollowerAfter = count - 1
        }
      }
      fieldStart = next
    }
    if count < Fields.capacity {
      starts[count] = fieldStart
      ends[count] = n
    }
    count += 1
  }

  /// The range of field `i`, without surrounding spaces and tabs.
  @inline(__always)
  func range(_ i: Int, in line: UnsafeBufferPointer<UInt8>) -> Range<Int> {
    Fields.trimmed(line, starts[i], ends[i])
  }

  /// `lo..<hi` without leading and trailing spaces and tabs.
  @inline(__always)
  static func trimmed(_ line: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> Range<Int> {
    var lo = lo
    var hi = hi
    while lo < hi && (line[lo] == 0x20 || line[lo] == 0x09) { lo += 1 }
    while hi > lo && (line[hi - 1] == 0x20 || line[hi - 1] == 0x09) { hi -= 1 }
    return lo..<hi
  }
}

/// Byte-level number parsing.
enum Cells {
  /// 10⁰ … 10²², all exact (a raw table: no reference counting in the parsing loop).
  nonisolated(unsafe) static let powersOfTen: UnsafePointer<Double> = {
    let table = UnsafeMutablePointer<Double>.allocate(capacity: 23)
    var power = 1.0
    for k in 0...22 {
      table[k] = power
      power *= 10
    }
    return UnsafePointer(table)
  }()

  /// A decimal number `[+-]digits[.digits][(e|E)[+-]digits]`, or `nan`/`inf`/`infinity`; nil when
  /// the bytes are not one. Correctly rounded (exact fast path, `strtod` otherwise).
  @inline(__always)
  static func double(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
    var i = range.lowerBound
    let end = range.upperBound
    guard i < end else { return nil }
    var negative = false
    if line[i] == UInt8(ascii: "-") || line[i] == UInt8(ascii: "+") {
      negative = line[i] == UInt8(ascii: "-")
      i += 1
      guard i < end else { return nil }
    }
    var mantissa: UInt64 = 0
    var digits = 0
    var exponent = 0
    var sawDigit = false
    while i < end {
      let d = line[i] &- UInt8(ascii: "0")
      guard d < 10 else { break }
      sawDigit = true
      if digits < 19 {
        mantissa = mantissa &* 10 &+ UInt64(d)
        if mantissa != 0 { digits += 1 }
      } else {
        return slow(line, range)
      }
      i += 1
    }
    if i < end && line[i] == UInt8(ascii: ".") {
      i += 1
      while i < end {
        let d = line[i] &- UInt8(ascii: "0")
        guard d < 10 else { break }
        sawDigit = true
        if digits < 19 {
          mantissa = mantissa &* 10 &+ UInt64(d)
          if mantissa != 0 { digits += 1 }
          exponent -= 1
        } else if d != 0 {
          return slow(line, range)
        }
        i += 1
      }
    }
    guard sawDigit else {
      return special(line, i..<end, negative: negative)
    }
    if i < end {
      guard line[i] | 0x20 == UInt8(ascii: "e") else { return nil }
      return slow(line, range)
    }
    var value: Double
    if mantissa == 0 {
      value = 0
    } else if mantissa < (1 << 53) && exponent >= -22 {
      // Both operands exact: one correctly rounded division.
      value = Double(mantissa)
      if exponent < 0 { value /= powersOfTen[-exponent] }
    } else if exponent == 0 {
      value = Double(mantissa)
    } else if exponent >= -19 {
      value = divide(mantissa, byPowerOfTen: -exponent)
    } else {
      return slow(line, range)
    }
    return negative ? -value : value
  }

  /// 10⁰ … 10¹⁹ as integers.
  nonisolated(unsafe) static let integerPowersOfTen: UnsafePointer<UInt64> = {
    let table = UnsafeMutablePointer<UInt64>.allocate(capacity: 20)
    var power: UInt64 = 1
    for k in 0...19 {
      table[k] = power
      if k < 19 { power *= 10 }
    }
    return UnsafePointer(table)
  }()

  /// `m / 10^k` correctly rounded, for any `m` and 1 ≤ k ≤ 19: a 128-by-64-bit division gives a
  /// quotient of 55–57 bits, whose last bit is set when the remainder is not zero (a sticky bit), so
  /// the conversion to Double rounds as the exact quotient would.
  @inline(__always)
  static func divide(_ m: UInt64, byPowerOfTen k: Int) -> Double {
    let d = integerPowersOfTen[k]
    let shift = Swift.max(0, 56 + (64 - d.leadingZeroBitCount) - (64 - m.leadingZeroBitCount))
    let high: UInt64
    let low: UInt64
    if shift == 0 {
      (high, low) = (0, m)
    } else if shift < 64 {
      (high, low) = (m >> (64 - shift), m << shift)
    } else {
      (high, low) = (m << (shift - 64), 0)
    }
    var (q, r) = d.dividingFullWidth((high, low))
    if r != 0 { q |= 1 }
    return Double(sign: .plus, exponent: -shift, significand: Double(q))
  }

  /// `nan`, `inf`, `infinity` (any case).
  private static func special(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, negative: Bool)
    -> Double?
  {
    guard range.count >= 3 && range.count <= 8 else { return nil }
    var word = ""
    for i in range { word.append(Character(Unicode.Scalar(line[i] | 0x20))) }
    switch word {
    case "nan": return .nan
    case "inf", "infinity": return negative ? -.infinity : .infinity
    default: return nil
    }
  }

  /// Full parse through `strtod` (checked to consume every byte).
  private static func slow(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
    let n = range.count
    guard n < 400 else { return nil }
    for i in range {
      let b = line[i]
      let ok =
        (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: ".") || b == UInt8(ascii: "-")
        || b == UInt8(ascii: "+") || b | 0x20 == UInt8(ascii: "e")
      guard ok else { return nil }
    }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { text -> Double? in
      for k in 0..<n { text[k] = CChar(bitPattern: line[range.lowerBound + k]) }
      text[n] = 0
      var stop: UnsafeMutablePointer<CChar>? = nil
      let value = strtod(text.baseAddress!, &stop)
      guard let stop, stop - text.baseAddress! == n else { return nil }
      return value
    }
  }

  /// A base-10 integer `[+-]digits` that fits in Int64; nil otherwise.
  @inline(__always)
  static func integer(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int64? {
    var i = range.lowerBound
    let end = range.upperBound
    guard i < end else { return nil }
    var negative = false
    if line[i] == UInt8(ascii: "-") || line[i] == UInt8(ascii: "+") {
      negative = line[i] == UInt8(ascii: "-")
      i += 1
      guard i < end else { return nil }
    }
    var value: Int64 = 0
    while i < end {
      let d = line[i] &- UInt8(ascii: "0")
      guard d < 10 else { return nil }
      let (times10, o1) = value.multipliedReportingOverflow(by: 10)
      let (sum, o2) = times10.addingReportingOverflow(Int64(d))
      guard !o1 && !o2 else { return nil }
      value = sum
      i += 1
    }
    return negative ? -value : value
  }

  /// The text of a range.
  static func text(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self)
  }

  /// The text of a cell for a message, quoted and shortened.
  static func quoted(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
    let limit = 40
    if range.count <= limit { return "'\(text(line, range))'" }
    return "'\(text(line, range.lowerBound..<range.lowerBound + limit))…'"
  }
}

/// One split line with its location, for reading cells with precise errors.
struct Row {
  let line: Line
  /// The split (owned by the importer, which outlives the row).
  unowned(unsafe) let fields: Fields
  /// The split's field bounds, read without touching the class.
  let starts: UnsafeMutablePointer<Int>
  let ends: UnsafeMutablePointer<Int>

  var file: String { fields.file }

  @inline(__always) var bytes: UnsafeBufferPointer<UInt8> { line.bytes }

  @inline(__always) func range(_ i: Int) -> Range<Int> { Fields.trimmed(line.bytes, starts[i], ends[i]) }

  func name(_ i: Int) -> String { i < fields.names.count ? fields.names[i] : "column \(i + 1)" }

  @inline(__always) func isEmpty(_ i: Int) -> Bool { range(i).isEmpty }

  func text(_ i: Int) -> String { Cells.text(line.bytes, range(i)) }

  func error(_ i: Int?, _ message: String) -> WorkloadError {
    WorkloadError(file: file, line: line.number, field: i.map { name($0) }, message: message)
  }

  /// A number that may be negative (for sentinels), but not empty, not text and not NaN.
  @inline(__always)
  func signedNumber(_ i: Int) throws(WorkloadError) -> Double {
    let r = range(i)
    guard let x = Cells.double(line.bytes, r) else { throw notANumber(i, r) }
    if !x.isFinite { throw notFinite(i, x, r) }
    return x
  }

  /// A finite number ≥ 0.
  @inline(__always)
  func number(_ i: Int) throws(WorkloadError) -> Double {
    let x = try signedNumber(i)
    if x < 0 {
      throw error(i, "must not be negative, got \(Cells.quoted(line.bytes, range(i)))")
    }
    return x
  }

  /// A finite number ≥ 0, or nil when the cell is empty.
  @inline(__always)
  func optionalNumber(_ i: Int) throws(WorkloadError) -> Double? {
    if isEmpty(i) { return nil }
    return try number(i)
  }

  /// An integer (no fraction) that may be negative.
  @inline(__always)
  func signedInteger(_ i: Int) throws(WorkloadError) -> Int64 {
    let r = range(i)
    if let x = Cells.integer(line.bytes, r) { return x }
    if r.isEmpty { throw notANumber(i, r) }
    if let x = Cells.double(line.bytes, r) {
      if !x.isFinite { throw notFinite(i, x, r) }
      throw error(i, "expected a whole number, got \(Cells.quoted(line.bytes, r))")
    }
    throw notANumber(i, r)
  }

  /// An integer ≥ 0.
  @inline(__always)
  func integer(_ i: Int) throws(WorkloadError) -> Int64 {
    let x = try signedInteger(i)
    if x < 0 { throw error(i, "must not be negative, got \(Cells.quoted(line.bytes, range(i)))") }
    return x
  }

  /// A time in seconds (integer or decimal, ≥ 0) as milliseconds, rounded.
  @inline(__always)
  func secondsAsMilliseconds(_ i: Int) throws(WorkloadError) -> Int64 {
    let r = range(i)
    if let s = Cells.integer(line.bytes, r) {
      guard s >= 0 else { throw error(i, "time must not be negative, got \(Cells.quoted(line.bytes, r))") }
      let (ms, overflow) = s.multipliedReportingOverflow(by: 1000)
      guard !overflow else { throw error(i, "time is too large: \(Cells.quoted(line.bytes, r))") }
      return ms
    }
    let s = try number(i)
    let ms = (s * 1000).rounded()
    guard ms < 9.2e18 else { throw error(i, "time is too large: \(Cells.quoted(line.bytes, r))") }
    return Int64(ms)
  }

  private func notANumber(_ i: Int, _ r: Range<Int>) -> WorkloadError {
    if r.isEmpty { return error(i, "empty cell, expected a number") }
    return error(i, "not a number: \(Cells.quoted(line.bytes, r))")
  }

  private func notFinite(_ i: Int, _ x: Double, _ r: Range<Int>) -> WorkloadError {
    if x.isNaN { return error(i, "value is NaN") }
    return error(i, "value must be finite, got \(Cells.quoted(line.bytes, r))")
  }
}

extension Row {
  /// Checks the separator and the field count of a row of a fixed-width format.
  func expectFields(_ expected: Int, _ separator: Separator) throws(WorkloadError) {
    if let after = fields.missingFollowerAfter {
      throw error(
        after,
        "fields must be separated by \(separator.display); this field is followed by a lone ';' (wrong separator?)"
      )
    }
    let count = fields.count
    if count == expected { return }
    if count == 1 && expected > 1, let other = Row.guessSeparator(bytes, not: separator) {
      throw error(
        nil,
        "line has 1 field, expected \(expected) separated by \(separator.display); it seems to use \(other) (wrong separator?)"
      )
    }
    if count < expected {
      throw error(
        count, "line has \(count) fields, expected \(expected) (truncated line, or a missing column?)")
    }
    throw error(
      nil, "line has \(count) fields, expected \(expected) (wrong format, or unquoted separator in a cell?)")
  }

  /// The separator a line seems to use instead of `separator`, if any.
  static func guessSeparator(_ bytes: UnsafeBufferPointer<UInt8>, not separator: Separator) -> String? {
    let candidates: [(UInt8, String)] = [
      (UInt8(ascii: ","), "','"), (UInt8(ascii: ";"), "';'"), (UInt8(ascii: "\t"), "TAB"),
      (UInt8(ascii: "|"), "'|'"),
    ]
    for (byte, name) in candidates where byte != separator.byte && bytes.contains(byte) {
      return name
    }
    return nil
  }
}

/// Positions of named columns in a header line.
struct Header {
  /// Header cells as written.
  let names: [String]
  /// Position of each requested column, in the order requested (-1 when optional and absent).
  let positions: [Int]

  /// Reads the header in `line`; `required` must all be present (case-insensitive), `optional` may be.
  init(
    _ line: Line, fields: Fields, file: String, separator: Separator, required: [String],
    optional: [String] = []
  ) throws(WorkloadError) {
    fields.split(line.bytes, separator)
    let count = Swift.min(fields.count, Fields.capacity)
    var written: [String] = []
    for i in 0..<count { written.append(Cells.text(line.bytes, fields.range(i, in: line.bytes))) }
    fields.use(file: file, names: written)
    let row = Row(line: line, fields: fields, starts: fields.starts, ends: fields.ends)
    if let after = fields.missingFollowerAfter {
      throw row.error(
        after, "header fields must be separated by \(separator.display) (wrong separator?)")
    }
    if fields.count == 1, let other = Row.guessSeparator(line.bytes, not: separator) {
      throw row.error(
        nil,
        "the header has 1 field; it seems separated by \(other), expected \(separator.display) (wrong separator?)"
      )
    }
    let lowered = written.map { $0.lowercased() }
    var positions: [Int] = []
    for (k, name) in (required + optional).enumerated() {
      let matches = lowered.indices.filter { lowered[$0] == name.lowercased() }
      if matches.count > 1 {
        throw row.error(matches[1], "header column '\(name)' appears twice")
      }
      if let position = matches.first {
        positions.append(position)
      } else if k < required.count {
        throw WorkloadError(
          file: file, line: line.number, field: name,
          message: "missing header column '\(name)' (the header has: \(written.joined(separator: ", ")))")
      } else {
        positions.append(-1)
      }
    }
    names = written
    self.positions = positions
  }
}
