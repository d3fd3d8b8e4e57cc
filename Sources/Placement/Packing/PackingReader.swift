import Foundation

/// The instance file formats `PackingReader` understands.
public enum PackingFormat: String, Hashable, Sendable, CaseIterable {
  /// BPPLIB "BPP format", one dimension: whitespace-separated `n`, `c`, then n weights.
  case bpp
  /// Vector packing: a line `d n`, a line of d capacities, then n lines of d sizes.
  case vbp
}

/// Reads packing instances from files. Errors name the file, the 1-based line and the field;
/// bad input never crashes.
public enum PackingReader {
  /// Reads the instance in the file at `path`, named after the file stem.
  ///
  /// - Parameter format: the format, or nil to detect it: a first line of two numbers `d n`
  ///   followed by a line of `d` numbers is vbp; anything else is BPPLIB.
  /// - Throws: `PackingError`.
  public static func read(path: String, format: PackingFormat? = nil) throws(PackingError) -> PackingInstance
  {
    let url = URL(fileURLWithPath: path)
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
      throw PackingError(.unreadable, file: path, line: nil, field: "file", "no such file")
    }
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw PackingError(
        .unreadable, file: path, line: nil, field: "file", "cannot read: \(error.localizedDescription)")
    }
    let name = url.deletingPathExtension().lastPathComponent
    return try parse(Array(data), name: name, source: path, format: format)
  }

  /// Parses an instance from the bytes of a file; `source` names it in errors.
  ///
  /// - Throws: `PackingError`.
  public static func parse(
    _ bytes: [UInt8], name: String, source: String, format: PackingFormat? = nil
  ) throws(PackingError) -> PackingInstance {
    let lines = tokenLines(bytes)
    guard let first = lines.first else {
      throw PackingError(.empty, file: source, line: nil, field: "file", "the file is empty")
    }
    let chosen = format ?? detect(lines)
    switch chosen {
    case .bpp: return try parseBPP(lines, name: name, source: source, first: first)
    case .vbp: return try parseVBP(lines, name: name, source: source)
    }
  }

  /// One non-blank line: its 1-based number and its whitespace-separated tokens.
  struct TokenLine {
    var number: Int
    var tokens: [Substring]
  }

  /// The non-blank lines of `bytes` and their tokens. Lines end at LF; CR, tab, vertical tab,
  /// form feed and space separate tokens. Works on bytes, so CRLF and invalid UTF-8 are
  /// harmless (a bad byte surfaces as part of a non-numeric token).
  static func tokenLines(_ bytes: [UInt8]) -> [TokenLine] {
    var result: [TokenLine] = []
    var number = 1
    var tokens: [Substring] = []
    var start = -1
    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0B || b == 0x0C }
    func flushToken(_ end: Int) {
      if start >= 0 {
        tokens.append(Substring(String(decoding: bytes[start..<end], as: UTF8.self)))
        start = -1
      }
    }
    for (i, b) in bytes.enumerated() {
      if b == 0x0A {
        flushToken(i)
        if !tokens.isEmpty { result.append(TokenLine(number: number, tokens: tokens)) }
        tokens.removeAll(keepingCapacity: true)
        number += 1
      } else if isSpace(b) {
        flushToken(i)
      } else if start < 0 {
        start = i
      }
    }
    flushToken(bytes.count)
    if !tokens.isEmpty { result.append(TokenLine(number: number, tokens: tokens)) }
    return result
  }

  /// vbp when the first line holds two tokens `d n` and the next line holds d tokens; else bpp.
  static func detect(_ lines: [TokenLine]) -> PackingFormat {
    guard lines.count >= 2, lines[0].tokens.count == 2, let d = Int(lines[0].tokens[0]), d >= 1,
      lines[1].tokens.count == d
    else { return .bpp }
    return .vbp
  }

  /// A finite number, else an error naming the field.
  /// `field` is built only for an error (it is an item name on every line of an instance).
  static func value(
    _ token: Substring, file: String, line: Int, field: @autoclosure () -> String
  ) throws(PackingError) -> Double {
    guard let x = parseNumber(token) else {
      throw PackingError(
        .notANumber, file: file, line: line, field: field(), "`\(printable(token))` is not a number")
    }
    guard x.isFinite else {
      throw PackingError(
        .notFinite, file: file, line: line, field: field(), "`\(token)` is not a finite number")
    }
    return x
  }

  /// A decimal number: plain digits take a fast path, anything else goes to `Double(_:)`
  /// (which also accepts exponents, "nan" and "inf"; the caller rejects the non-finite ones).
  static func parseNumber(_ token: Substring) -> Double? {
    var v = 0.0
    var digits = 0
    for u in token.utf8 {
      guard u >= 0x30 && u <= 0x39, digits < 15 else { return Double(token) }
      v = v * 10 + Double(u - 0x30)
      digits += 1
    }
    return digits > 0 ? v : nil
  }

  /// A count: a whole number ≥ 1.
  static func count(_ token: Substring, file: String, line: Int, field: String) throws(PackingError) -> Int {
    let x = try value(token, file: file, line: line, field: field)
    guard let n = Int(exactly: x) else {
      throw PackingError(.malformed, file: file, line: line, field: field, "`\(token)` is not a whole number")
    }
    guard n >= 1 else {
      throw PackingError(
        .empty, file: file, line: line, field: field, "\(field) is \(n); the instance has no items")
    }
    return n
  }

  static func parseBPP(
    _ lines: [TokenLine], name: String, source: String, first: TokenLine
  ) throws(PackingError) -> PackingInstance {
    // A stream of tokens, each with its line.
    var stream: [(token: Substring, line: Int)] = []
    for l in lines { for t in l.tokens { stream.append((t, l.number)) } }
    let n = try count(stream[0].token, file: source, line: stream[0].line, field: "n")
    guard stream.count >= 2 else {
      throw PackingError(
        .truncated, file: source, line: stream[0].line, field: "capacity", "the file ends before the capacity"
      )
    }
    let c = try value(stream[1].token, file: source, line: stream[1].line, field: "capacity")
    guard c > 0 else {
      throw PackingError(
        .nonPositiveCapacity, file: source, line: stream[1].line, field: "capacity",
        "must be positive, got \(packingNumber(c))")
    }
    guard stream.count >= 2 + n else {
      let last = stream[stream.count - 1].line
      throw PackingError(
        .truncated, file: source, line: last, field: "item \(stream.count - 1)",
        "the file ends after \(stream.count - 2) of \(n) weights")
    }
    if stream.count > 2 + n {
      let extra = stream[2 + n]
      throw PackingError(
        .malformed, file: source, line: extra.line, field: "item \(n + 1)",
        "unexpected data `\(printable(extra.token))` after the \(n) weights announced on line \(stream[0].line)"
      )
    }
    var items = [Double](repeating: 0, count: n)
    for i in 0..<n {
      let (token, line) = stream[2 + i]
      let x = try value(token, file: source, line: line, field: "item \(i + 1)")
      if let p = PackingInstance.check(item: i, sizes: [x][...], capacity: [c]) {
        throw PackingError(p.kind, file: source, line: line, field: p.field, p.message)
      }
      items[i] = x
    }
    return try PackingInstance(name: name, capacity: [c], items: items, source: source)
  }

  static func parseVBP(_ lines: [TokenLine], name: String, source: String) throws(PackingError)
    -> PackingInstance
  {
    let header = lines[0]
    guard header.tokens.count == 2 else {
      throw PackingError(
        .malformed, file: source, line: header.number, field: "header",
        "expected `d n` (2 numbers), found \(header.tokens.count) fields")
    }
    let d = try count(header.tokens[0], file: source, line: header.number, field: "d")
    guard d <= PackingInstance.maxDimensions else {
      throw PackingError(
        .dimensionMismatch, file: source, line: header.number, field: "d",
        "\(d) dimensions; 1 to \(PackingInstance.maxDimensions) are supported")
    }
    let n = try count(header.tokens[1], file: source, line: header.number, field: "n")
    guard lines.count >= 2 else {
      throw PackingError(
        .truncated, file: source, line: header.number, field: "capacity",
        "the file ends before the capacities")
    }
    let capLine = lines[1]
    guard capLine.tokens.count == d else {
      throw PackingError(
        .dimensionMismatch, file: source, line: capLine.number, field: "capacity",
        "\(capLine.tokens.count) capacities for \(d) dimensions")
    }
    var capacity = [Double](repeating: 0, count: d)
    for k in 0..<d {
      let field = d == 1 ? "capacity" : "capacity \(k + 1)"
      let c = try value(capLine.tokens[k], file: source, line: capLine.number, field: field)
      guard c > 0 else {
        throw PackingError(
          .nonPositiveCapacity, file: source, line: capLine.number, field: field,
          "must be positive, got \(packingNumber(c))")
      }
      capacity[k] = c
    }
    guard lines.count >= 2 + n else {
      throw PackingError(
        .truncated, file: source, line: lines[lines.count - 1].number, field: "item \(lines.count - 1)",
        "the file ends after \(lines.count - 2) of \(n) items")
    }
    if lines.count > 2 + n {
      let extra = lines[2 + n]
      throw PackingError(
        .malformed, file: source, line: extra.number, field: "item \(n + 1)",
        "unexpected data after the \(n) items announced on line \(header.number)")
    }
    var items = [Double](repeating: 0, count: n * d)
    for i in 0..<n {
      let line = lines[2 + i]
      guard line.tokens.count == d else {
        throw PackingError(
          .dimensionMismatch, file: source, line: line.number, field: "item \(i + 1)",
          "\(line.tokens.count) sizes for \(d) dimensions")
      }
      for k in 0..<d {
        items[i * d + k] = try value(
          line.tokens[k], file: source, line: line.number,
          field: d == 1 ? "item \(i + 1)" : "item \(i + 1) size \(k + 1)")
      }
      if let p = PackingInstance.check(item: i, sizes: items[(i * d)..<(i * d + d)], capacity: capacity) {
        throw PackingError(p.kind, file: source, line: line.number, field: p.field, p.message)
      }
    }
    return try PackingInstance(name: name, capacity: capacity, items: items, source: source)
  }

  /// A token as shown in a message: at most 20 characters, control characters escaped.
  static func printable(_ token: Substring) -> String {
    var s = ""
    for scalar in token.unicodeScalars.prefix(20) {
      if scalar.value < 0x20 || scalar.value == 0x7F {
        s += "\\u{\(String(scalar.value, radix: 16))}"
      } else {
        s.unicodeScalars.append(scalar)
      }
    }
    return token.unicodeScalars.count > 20 ? s + "…" : s
  }
}
