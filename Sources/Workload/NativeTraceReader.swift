import Foundation

/// A trace read into a demand series, with what the reader had to fill in or leave out.
public struct TraceImport: Sendable, Equatable {
  /// The bucketed demand.
  public var series: DemandSeries
  /// Per entity (in `series` row order): empty buckets filled with the previous bucket's values.
  public var forwardFilledBuckets: [Int]
  /// Data rows read (comment and blank lines not counted).
  public var rowCount: Int
  /// Data rows ignored because their time is at or after the horizon.
  public var rowsBeyondHorizon: Int

  /// Total of `forwardFilledBuckets`.
  public var totalForwardFilledBuckets: Int { forwardFilledBuckets.reduce(0, +) }
}

/// Reader of the native long-form CSV trace.
///
/// The header names four columns, in any order: `entity` (may also be named `system` or `vm`),
/// `time_s` (seconds since the simulation start, may be fractional, ≥ 0), `cpu_cores` (CPU demand in
/// reference cores) and `mem_gib` (memory in GiB); names are case-insensitive. Then one row per
/// entity per sample, in any order. Lines whose first non-blank character is `#` are comments;
/// blank lines are ignored; `\r\n` line ends and a UTF-8 byte-order mark are accepted. Fields are
/// separated by commas and trimmed of spaces and tabs; quoting is not supported.
///
/// Samples are aligned to buckets `[k·interval, (k+1)·interval)` for `0 ≤ k < ⌈horizon/interval⌉`:
/// a bucket holds the mean of the rows that fall in it; an empty bucket takes the previous bucket's
/// values (forward fill, counted in `TraceImport.forwardFilledBuckets`); rows at or after the horizon
/// are ignored (counted). Times are rounded to the millisecond. Entities are in order of first
/// appearance.
///
/// Errors name the file, the line and the field: missing, unknown or repeated header column; a line
/// with too few fields (e.g. a truncated last line) or too many; an empty entity name; a time that is
/// not a number, not finite or negative; a CPU or memory cell that is not a number, NaN, infinite or
/// negative; an empty file or a header without data; an entity with no sample in the first bucket or
/// none before the horizon.
public enum NativeTraceReader {
  /// Bytes read from a file at a time.
  static let chunkSize = 1 << 20

  /// Reads a trace file, streaming it in chunks (the file is never loaded whole).
  ///
  /// - Parameters:
  ///   - url: file URL of the CSV trace.
  ///   - intervalMilliseconds: bucket length, > 0.
  ///   - horizonMilliseconds: end (exclusive) of the period read, > 0.
  /// - Throws: `WorkloadError` with the file's path, the line and the field of the first problem.
  public static func read(contentsOf url: URL, intervalMilliseconds: Int64, horizonMilliseconds: Int64)
    throws(WorkloadError) -> DemandSeries
  {
    try readWithReport(
      contentsOf: url, intervalMilliseconds: intervalMilliseconds, horizonMilliseconds: horizonMilliseconds
    ).series
  }

  /// Parses a trace held in memory; `file` names it in errors.
  ///
  /// - Parameters:
  ///   - text: the CSV text.
  ///   - file: name used in error messages.
  ///   - intervalMilliseconds: bucket length, > 0.
  ///   - horizonMilliseconds: end (exclusive) of the period read, > 0.
  /// - Throws: `WorkloadError` with `file`, the line and the field of the first problem.
  public static func parse(
    _ text: String, file: String, intervalMilliseconds: Int64, horizonMilliseconds: Int64
  ) throws(WorkloadError) -> DemandSeries {
    try parseWithReport(
      text, file: file, intervalMilliseconds: intervalMilliseconds, horizonMilliseconds: horizonMilliseconds
    ).series
  }

  /// Like `read(contentsOf:intervalMilliseconds:horizonMilliseconds:)`, also reporting forward-filled
  /// buckets and ignored rows.
  public static func readWithReport(
    contentsOf url: URL, intervalMilliseconds: Int64, horizonMilliseconds: Int64
  ) throws(WorkloadError) -> TraceImport {
    let file = url.isFileURL ? url.path : url.absoluteString
    var parser = try TraceParser(
      file: file, intervalMilliseconds: intervalMilliseconds, horizonMilliseconds: horizonMilliseconds)
    let handle: FileHandle
    do {
      handle = try FileHandle(forReadingFrom: url)
    } catch {
      throw WorkloadError(file: file, message: "cannot open the file: \(error.localizedDescription)")
    }
    defer { try? handle.close() }
    while true {
      let data: Data?
      do {
        data = try handle.read(upToCount: chunkSize)
      } catch {
        throw WorkloadError(
          file: file, line: parser.lineNumber,
          message: "cannot read the file: \(error.localizedDescription)")
      }
      guard let data, !data.isEmpty else { break }
      let result = data.withUnsafeBytes { raw in
        Result { () throws(WorkloadError) in try parser.consume(raw.bindMemory(to: UInt8.self)) }
      }
      try result.get()
    }
    return try parser.finish()
  }

  /// Like `parse(_:file:intervalMilliseconds:horizonMilliseconds:)`, also reporting forward-filled
  /// buckets and ignored rows.
  public static func parseWithReport(
    _ text: String, file: String, intervalMilliseconds: Int64, horizonMilliseconds: Int64
  ) throws(WorkloadError) -> TraceImport {
    var parser = try TraceParser(
      file: file, intervalMilliseconds: intervalMilliseconds, horizonMilliseconds: horizonMilliseconds)
    var text = text
    let result = text.withUTF8 { bytes in
      Result { () throws(WorkloadError) in try parser.consume(bytes) }
    }
    try result.get()
    return try parser.finish()
  }
}

/// Incremental parser of the native trace: feed it chunks of bytes, then call `finish()`.
struct TraceParser {
  /// Largest number of buckets held in memory (entities × samples).
  static let maximumCells = 400_000_000

  /// The four columns of the format.
  enum Column: Int, CaseIterable {
    case entity, time, cpu, memory

    var canonicalName: String {
      switch self {
      case .entity: "entity"
      case .time: "time_s"
      case .cpu: "cpu_cores"
      case .memory: "mem_gib"
      }
    }

    init?(headerName: String) {
      switch headerName.lowercased() {
      case "entity", "system", "vm": self = .entity
      case "time_s": self = .time
      case "cpu_cores": self = .cpu
      case "mem_gib": self = .memory
      default: return nil
      }
    }
  }

  /// Sums and counts of one entity's buckets.
  struct Accumulator {
    var cpuSum: [Double]
    var memorySum: [Double]
    var count: [UInt32]
    var firstLine: Int
    var firstTimeMilliseconds: Int64?
  }

  let file: String
  let intervalMilliseconds: Int64
  let horizonMilliseconds: Int64
  let sampleCount: Int

  /// Lines seen so far (the number of the line being processed).
  private(set) var lineNumber = 0
  /// Bytes of an incomplete line carried over from the previous chunk.
  private var carry: [UInt8] = []
  /// Whether the first line (which may carry a byte-order mark) is still to come.
  private var atStart = true
  /// Column index of each `Column` once the header has been read.
  private var columnIndex: [Int]? = nil
  /// Header names as written, by position.
  private var headerNames: [String] = []
  /// Line of the header.
  private var headerLine = 0
  /// Reused buffer of field ranges of the current line.
  private var fields: [Range<Int>] = []

  private var names: [String] = []
  private var rowOfName: [String: Int] = [:]
  private var accumulators: [Accumulator] = []
  private var lastNameBytes: [UInt8] = []
  private var lastRow = -1
  private var rowCount = 0
  private var rowsBeyondHorizon = 0

  init(file: String, intervalMilliseconds: Int64, horizonMilliseconds: Int64) throws(WorkloadError) {
    guard intervalMilliseconds > 0 else {
      throw WorkloadError(
        file: file, field: "intervalMilliseconds", message: "must be positive, got \(intervalMilliseconds)")
    }
    guard horizonMilliseconds > 0 else {
      throw WorkloadError(
        file: file, field: "horizonMilliseconds", message: "must be positive, got \(horizonMilliseconds)")
    }
    let samples =
      horizonMilliseconds / intervalMilliseconds + (horizonMilliseconds % intervalMilliseconds == 0 ? 0 : 1)
    guard samples <= Int64(Self.maximumCells) else {
      throw WorkloadError(
        file: file, field: "horizonMilliseconds",
        message: "\(samples) samples per entity are too many (at most \(Self.maximumCells))")
    }
    self.file = file
    self.intervalMilliseconds = intervalMilliseconds
    self.horizonMilliseconds = horizonMilliseconds
    self.sampleCount = Int(samples)
  }

  /// Processes a chunk of the input; an incomplete last line is kept for the next chunk.
  mutating func consume(_ chunk: UnsafeBufferPointer<UInt8>) throws(WorkloadError) {
    var start = 0
    let n = chunk.count
    if !carry.isEmpty {
      // Complete the carried line first.
      guard let newline = Self.firstNewline(in: chunk, from: 0) else {
        carry.append(contentsOf: chunk)
        return
      }
      carry.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<newline]))
      let line = carry
      carry.removeAll(keepingCapacity: true)
      let result = line.withUnsafeBufferPointer { buffer in
        Result { () throws(WorkloadError) in try processLine(buffer, 0..<buffer.count) }
      }
      try result.get()
      start = newline + 1
    }
    while start < n {
      guard let newline = Self.firstNewline(in: chunk, from: start) else {
        carry.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[start..<n]))
        return
      }
      try processLine(chunk, start..<newline)
      start = newline + 1
    }
  }

  /// Processes the last line (if it had no line end) and builds the series.
  mutating func finish() throws(WorkloadError) -> TraceImport {
    if !carry.isEmpty {
      let line = carry
      carry.removeAll()
      let result = line.withUnsafeBufferPointer { buffer in
        Result { () throws(WorkloadError) in try processLine(buffer, 0..<buffer.count) }
      }
      try result.get()
    }
    guard columnIndex != nil else {
      throw WorkloadError(file: file, line: Swift.max(lineNumber, 1), message: "empty file: no header line")
    }
    guard !names.isEmpty else {
      throw WorkloadError(file: file, line: headerLine, message: "no data rows after the header")
    }
    let timeField = headerNames[columnIndex![Column.time.rawValue]]
    var cpu = [Float](repeating: 0, count: names.count * sampleCount)
    var memory = [Float](repeating: 0, count: names.count * sampleCount)
    var filled = [Int](repeating: 0, count: names.count)
    for (row, acc) in accumulators.enumerated() {
      guard let firstTime = acc.firstTimeMilliseconds else {
        throw WorkloadError(
          file: file, line: acc.firstLine, field: timeField,
          message:
            "entity '\(names[row])' has no sample before the horizon (\(Self.seconds(horizonMilliseconds)) s)"
        )
      }
      guard acc.count[0] > 0 else {
        throw WorkloadError(
          file: file, line: acc.firstLine, field: timeField,
          message:
            "entity '\(names[row])' has no sample in the first interval [0 s, \(Self.seconds(intervalMilliseconds)) s); its first sample is at \(Self.seconds(firstTime)) s"
        )
      }
      let offset = row * sampleCount
      var lastCPU: Float = 0
      var lastMemory: Float = 0
      for s in 0..<sampleCount {
        let k = acc.count[s]
        if k > 0 {
          lastCPU = SyntheticGenerator.finiteFloat(acc.cpuSum[s] / Double(k))
          lastMemory = SyntheticGenerator.finiteFloat(acc.memorySum[s] / Double(k))
        } else {
          filled[row] += 1
        }
        cpu[offset + s] = lastCPU
        memory[offset + s] = lastMemory
      }
    }
    let series = DemandSeries(
      checkedNames: names, rows: rowOfName, startMilliseconds: 0, intervalMilliseconds: intervalMilliseconds,
      sampleCount: sampleCount, cpu: cpu, memory: memory)
    return TraceImport(
      series: series, forwardFilledBuckets: filled, rowCount: rowCount, rowsBeyondHorizon: rowsBeyondHorizon)
  }

  // MARK: - Lines

  private static func firstNewline(in buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
    var i = start
    while i < buffer.count {
      if buffer[i] == UInt8(ascii: "\n") { return i }
      i += 1
    }
    return nil
  }

  private static func isBlank(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
  }

  /// Range without leading and trailing spaces, tabs and carriage returns.
  private static func trimmed(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
    var lower = range.lowerBound
    var upper = range.upperBound
    while lower < upper && isBlank(buffer[lower]) { lower += 1 }
    while upper > lower && isBlank(buffer[upper - 1]) { upper -= 1 }
    return lower..<upper
  }

  private static func text(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
  }

  /// Text of a cell for an error message, shortened when long.
  private static func quoted(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
    let limit = 40
    if range.count <= limit { return "'\(text(buffer, range))'" }
    return "'\(text(buffer, range.lowerBound..<range.lowerBound + limit))…'"
  }

  private static func seconds(_ milliseconds: Int64) -> String {
    milliseconds % 1000 == 0 ? "\(milliseconds / 1000)" : "\(Double(milliseconds) / 1000)"
  }

  private mutating func processLine(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>)
    throws(WorkloadError)
  {
    lineNumber += 1
    var range = range
    if atStart {
      atStart = false
      if range.count >= 3 && buffer[range.lowerBound] == 0xEF && buffer[range.lowerBound + 1] == 0xBB
        && buffer[range.lowerBound + 2] == 0xBF
      {
        range = range.lowerBound + 3..<range.upperBound
      }
    }
    let content = Self.trimmed(buffer, range)
    if content.isEmpty || buffer[content.lowerBound] == UInt8(ascii: "#") { return }
    splitFields(buffer, content)
    if let columnIndex {
      try processRow(buffer, columnIndex)
    } else {
      try processHeader(buffer)
    }
  }

  private mutating func splitFields(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
    fields.removeAll(keepingCapacity: true)
    var start = range.lowerBound
    var i = range.lowerBound
    while i < range.upperBound {
      if buffer[i] == UInt8(ascii: ",") {
        fields.append(Self.trimmed(buffer, start..<i))
        start = i + 1
      }
      i += 1
    }
    fields.append(Self.trimmed(buffer, start..<range.upperBound))
  }

  private mutating func processHeader(_ buffer: UnsafeBufferPointer<UInt8>) throws(WorkloadError) {
    var index = [Int](repeating: -1, count: Column.allCases.count)
    var written: [String] = []
    for (position, range) in fields.enumerated() {
      let name = Self.text(buffer, range)
      written.append(name)
      guard let column = Column(headerName: name) else {
        throw WorkloadError(
          file: file, line: lineNumber, field: name.isEmpty ? "column \(position + 1)" : name,
          message:
            "unknown header column \(Self.quoted(buffer, range)); expected entity (or system, vm), time_s, cpu_cores, mem_gib"
        )
      }
      if index[column.rawValue] >= 0 {
        throw WorkloadError(
          file: file, line: lineNumber, field: name,
          message: "header column for \(column.canonicalName) appears twice")
      }
      index[column.rawValue] = position
    }
    for column in Column.allCases where index[column.rawValue] < 0 {
      throw WorkloadError(
        file: file, line: lineNumber, field: column.canonicalName,
        message: "missing header column \(column.canonicalName)")
    }
    headerNames = written
    headerLine = lineNumber
    columnIndex = index
  }

  private mutating func processRow(_ buffer: UnsafeBufferPointer<UInt8>, _ index: [Int])
    throws(WorkloadError)
  {
    let expected = headerNames.count
    guard fields.count == expected else {
      if fields.count < expected {
        throw WorkloadError(
          file: file, line: lineNumber, field: headerNames[fields.count],
          message: "line has \(fields.count) fields, expected \(expected) (truncated line?)")
      }
      throw WorkloadError(
        file: file, line: lineNumber,
        message: "line has \(fields.count) fields, expected \(expected)")
    }
    rowCount += 1
    // Entity.
    let nameRange = fields[index[Column.entity.rawValue]]
    guard !nameRange.isEmpty else {
      throw WorkloadError(
        file: file, line: lineNumber, field: headerNames[index[Column.entity.rawValue]],
        message: "empty entity name")
    }
    let row = try entityRow(buffer, nameRange)
    // Time.
    let timeField = headerNames[index[Column.time.rawValue]]
    let timeRange = fields[index[Column.time.rawValue]]
    guard let seconds = Self.number(buffer, timeRange) else {
      throw WorkloadError(
        file: file, line: lineNumber, field: timeField,
        message: "time is not a number: \(Self.quoted(buffer, timeRange))")
    }
    guard seconds.isFinite else {
      throw WorkloadError(
        file: file, line: lineNumber, field: timeField,
        message: "time must be a finite number of seconds, got \(Self.quoted(buffer, timeRange))")
    }
    guard seconds >= 0 else {
      throw WorkloadError(
        file: file, line: lineNumber, field: timeField,
        message: "time must not be negative, got \(Self.quoted(buffer, timeRange))")
    }
    // Values.
    let cpu = try value(buffer, index[Column.cpu.rawValue], what: "CPU demand")
    let memory = try value(buffer, index[Column.memory.rawValue], what: "memory demand")
    // Bucket.
    let milliseconds = (seconds * 1000).rounded()
    guard milliseconds < Double(horizonMilliseconds) else {
      rowsBeyondHorizon += 1
      return
    }
    let time = Int64(milliseconds)
    let bucket = Int(time / intervalMilliseconds)
    accumulators[row].cpuSum[bucket] += cpu
    accumulators[row].memorySum[bucket] += memory
    accumulators[row].count[bucket] &+= 1
    if let first = accumulators[row].firstTimeMilliseconds {
      if time < first { accumulators[row].firstTimeMilliseconds = time }
    } else {
      accumulators[row].firstTimeMilliseconds = time
    }
  }

  /// A CPU or memory cell: a finite non-negative number.
  private func value(_ buffer: UnsafeBufferPointer<UInt8>, _ position: Int, what: String)
    throws(WorkloadError) -> Double
  {
    let range = fields[position]
    let field = headerNames[position]
    guard let x = Self.number(buffer, range) else {
      throw WorkloadError(
        file: file, line: lineNumber, field: field,
        message: range.isEmpty
          ? "empty cell, expected a number" : "not a number: \(Self.quoted(buffer, range))")
    }
    if x.isNaN {
      throw WorkloadError(file: file, line: lineNumber, field: field, message: "\(what) is NaN")
    }
    if !x.isFinite {
      throw WorkloadError(
        file: file, line: lineNumber, field: field,
        message: "\(what) must be finite, got \(Self.quoted(buffer, range))")
    }
    if x < 0 {
      throw WorkloadError(
        file: file, line: lineNumber, field: field,
        message: "\(what) must not be negative, got \(Self.quoted(buffer, range))")
    }
    return x
  }

  /// Row of the entity named by the bytes, creating it on first appearance.
  private mutating func entityRow(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>)
    throws(WorkloadError) -> Int
  {
    let bytes = UnsafeBufferPointer(rebasing: buffer[range])
    if lastRow >= 0 && bytes.elementsEqual(lastNameBytes) { return lastRow }
    let name = String(decoding: bytes, as: UTF8.self)
    let row: Int
    if let known = rowOfName[name] {
      row = known
    } else {
      guard (names.count + 1) * sampleCount <= Self.maximumCells else {
        throw WorkloadError(
          file: file, line: lineNumber, field: headerNames[columnIndex![Column.entity.rawValue]],
          message:
            "too many entities: \(names.count + 1) × \(sampleCount) samples exceed \(Self.maximumCells) values"
        )
      }
      row = names.count
      names.append(name)
      rowOfName[name] = row
      accumulators.append(
        Accumulator(
          cpuSum: [Double](repeating: 0, count: sampleCount),
          memorySum: [Double](repeating: 0, count: sampleCount),
          count: [UInt32](repeating: 0, count: sampleCount), firstLine: lineNumber,
          firstTimeMilliseconds: nil))
    }
    lastNameBytes.removeAll(keepingCapacity: true)
    lastNameBytes.append(contentsOf: bytes)
    lastRow = row
    return row
  }

  // MARK: - Numbers

  /// 10⁰ … 10²², all exactly representable (built by exact multiplications).
  private static let exactPowersOfTen: [Double] = {
    var powers: [Double] = [1]
    for _ in 1...22 { powers.append(powers[powers.count - 1] * 10) }
    return powers
  }()

  /// Parses a decimal number (`[+-]digits[.digits][e[+-]digits]`, or `nan`, `inf`, `infinity`,
  /// case-insensitive); nil when the cell is not a number.
  static func number(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
    var i = range.lowerBound
    let end = range.upperBound
    guard i < end else { return nil }
    var negative = false
    if buffer[i] == UInt8(ascii: "+") || buffer[i] == UInt8(ascii: "-") {
      negative = buffer[i] == UInt8(ascii: "-")
      i += 1
    }
    guard i < end else { return nil }
    let first = buffer[i] | 0x20  // ASCII lowercase
    if first == UInt8(ascii: "n") || first == UInt8(ascii: "i") {
      let word = String(decoding: UnsafeBufferPointer(rebasing: buffer[i..<end]), as: UTF8.self).lowercased()
      switch word {
      case "nan": return .nan
      case "inf", "infinity": return negative ? -.infinity : .infinity
      default: return nil
      }
    }
    var mantissa: UInt64 = 0
    var significantDigits = 0
    var digits = 0
    var decimalExponent = 0
    var exact = true
    while i < end, buffer[i] >= UInt8(ascii: "0"), buffer[i] <= UInt8(ascii: "9") {
      accumulate(buffer[i], &mantissa, &significantDigits, &exact, &decimalExponent, fraction: false)
      digits += 1
      i += 1
    }
    if i < end && buffer[i] == UInt8(ascii: ".") {
      i += 1
      while i < end, buffer[i] >= UInt8(ascii: "0"), buffer[i] <= UInt8(ascii: "9") {
        accumulate(buffer[i], &mantissa, &significantDigits, &exact, &decimalExponent, fraction: true)
        digits += 1
        i += 1
      }
    }
    guard digits > 0 else { return nil }
    if i < end && (buffer[i] | 0x20) == UInt8(ascii: "e") {
      i += 1
      var exponentNegative = false
      if i < end && (buffer[i] == UInt8(ascii: "+") || buffer[i] == UInt8(ascii: "-")) {
        exponentNegative = buffer[i] == UInt8(ascii: "-")
        i += 1
      }
      var exponent = 0
      var exponentDigits = 0
      while i < end, buffer[i] >= UInt8(ascii: "0"), buffer[i] <= UInt8(ascii: "9") {
        if exponent < 100_000 { exponent = exponent * 10 + Int(buffer[i] - UInt8(ascii: "0")) }
        exponentDigits += 1
        i += 1
      }
      guard exponentDigits > 0 else { return nil }
      decimalExponent += exponentNegative ? -exponent : exponent
    }
    guard i == end else { return nil }
    let value: Double
    if mantissa == 0 {
      value = 0
    } else if exact && mantissa < (1 << 53) && abs(decimalExponent) <= 22 {
      // Both operands are exact, so one correctly rounded operation gives the correctly rounded result.
      let m = Double(mantissa)
      value =
        decimalExponent >= 0 ? m * exactPowersOfTen[decimalExponent] : m / exactPowersOfTen[-decimalExponent]
    } else {
      // Rare: many digits or a large exponent; let the standard library round correctly.
      guard let parsed = Double(String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self))
      else { return nil }
      return parsed
    }
    return negative ? -value : value
  }

  /// Adds one digit to the mantissa, tracking whether it is still exact.
  private static func accumulate(
    _ digit: UInt8, _ mantissa: inout UInt64, _ significant: inout Int, _ exact: inout Bool,
    _ exponent: inout Int, fraction: Bool
  ) {
    let d = UInt64(digit - UInt8(ascii: "0"))
    if mantissa == 0 && d == 0 {
      if fraction { exponent -= 1 }
      return
    }
    if significant < 19 {
      mantissa = mantissa * 10 + d
      significant += 1
      if fraction { exponent -= 1 }
    } else {
      if d != 0 { exact = false }
      if !fraction { exponent += 1 }
    }
  }
}
