import Foundation
import SimCore
import Yams

/// Walks a composed YAML tree, reading typed fields and reporting errors with file:line:column.
struct YAMLContext {
  let file: String

  func error(_ node: Node?, _ field: String?, _ message: String, hint: String? = nil) -> ScenarioError {
    let mark = node?.mark
    return ScenarioError(
      file: file, line: mark.map { $0.line }, column: mark.map { $0.column }, field: field,
      message: message, hint: hint)
  }

  /// Describes a node's kind for "expected X, got Y" messages.
  func kind(of node: Node) -> String {
    switch node {
    case .scalar(let s): return s.style == .plain ? "`\(s.string)`" : "the string \"\(s.string)\""
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
  }

  func isNull(_ node: Node) -> Bool {
    if case .scalar(let s) = node, s.style == .plain {
      return ["", "~", "null", "Null", "NULL"].contains(s.string)
    }
    return false
  }
}

/// Reads the fields of one YAML mapping, remembering which keys were used so that unknown keys
/// can be reported with a did-you-mean.
struct MappingReader {
  let ctx: YAMLContext
  let node: Node
  let path: String
  private var pairs: [(key: String, keyNode: Node, value: Node)] = []
  private var used: Set<String> = []

  init(_ node: Node, path: String, ctx: YAMLContext) throws(ScenarioError) {
    self.ctx = ctx
    self.node = node
    self.path = path
    guard case .mapping(let m) = node else {
      throw ctx.error(node, path.isEmpty ? nil : path, "expected a mapping, got \(ctx.kind(of: node))")
    }
    var seen: Set<String> = []
    for (k, v) in m {
      guard case .scalar(let ks) = k else {
        throw ctx.error(k, path, "mapping keys must be plain words")
      }
      if seen.contains(ks.string) {
        throw ctx.error(k, fieldPath(ks.string), "duplicate key `\(ks.string)`")
      }
      seen.insert(ks.string)
      pairs.append((ks.string, k, v))
    }
  }

  func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

  /// The value node for a key, nil when absent or null.
  mutating func node(_ key: String) -> Node? {
    used.insert(key)
    guard let v = pairs.first(where: { $0.key == key })?.value else { return nil }
    return ctx.isNull(v) ? nil : v
  }

  mutating func requiredNode(_ key: String) throws(ScenarioError) -> Node {
    guard let v = node(key) else {
      throw ctx.error(node, fieldPath(key), "missing required field `\(key)`")
    }
    return v
  }

  private func scalar(_ v: Node, _ key: String, expected: String) throws(ScenarioError) -> Node.Scalar {
    guard case .scalar(let s) = v else {
      throw ctx.error(v, fieldPath(key), "expected \(expected), got \(ctx.kind(of: v))")
    }
    return s
  }

  mutating func string(_ key: String) throws(ScenarioError) -> String? {
    guard let v = node(key) else { return nil }
    let s = try scalar(v, key, expected: "a string")
    if s.string.isEmpty { throw ctx.error(v, fieldPath(key), "must not be empty") }
    return s.string
  }

  mutating func requiredString(_ key: String) throws(ScenarioError) -> String {
    _ = try requiredNode(key)
    return try string(key)!
  }

  /// A finite number within `range`.
  mutating func double(_ key: String, in range: ClosedRange<Double> = 0...Double.greatestFiniteMagnitude)
    throws(ScenarioError) -> Double?
  {
    guard let v = node(key) else { return nil }
    let s = try scalar(v, key, expected: "a number")
    let text = s.string.trimmingCharacters(in: .whitespaces)
    let lowered = text.lowercased()
    if s.style == .plain && [".nan", "nan", ".inf", "+.inf", "-.inf", "inf", "-inf"].contains(lowered) {
      throw ctx.error(v, fieldPath(key), "must be a finite number, got \(text)")
    }
    guard s.style == .plain, let x = Double(text.replacingOccurrences(of: "_", with: "")) else {
      throw ctx.error(v, fieldPath(key), "expected a number, got \(ctx.kind(of: v))")
    }
    guard x.isFinite else { throw ctx.error(v, fieldPath(key), "must be a finite number, got \(text)") }
    guard range.contains(x) else {
      throw ctx.error(v, fieldPath(key), "must be \(describe(range)), got \(text)")
    }
    return x
  }

  mutating func requiredDouble(
    _ key: String, in range: ClosedRange<Double> = 0...Double.greatestFiniteMagnitude
  )
    throws(ScenarioError) -> Double
  {
    _ = try requiredNode(key)
    return try double(key, in: range)!
  }

  mutating func int(_ key: String, in range: ClosedRange<Int> = 0...Int.max) throws(ScenarioError) -> Int? {
    guard let v = node(key) else { return nil }
    let s = try scalar(v, key, expected: "a whole number")
    guard s.style == .plain, let x = Int(s.string.replacingOccurrences(of: "_", with: "")) else {
      throw ctx.error(v, fieldPath(key), "expected a whole number, got \(ctx.kind(of: v))")
    }
    guard range.contains(x) else {
      let r =
        range.upperBound == Int.max
        ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
      throw ctx.error(v, fieldPath(key), "must be \(r), got \(x)")
    }
    return x
  }

  mutating func requiredInt(_ key: String, in range: ClosedRange<Int> = 0...Int.max) throws(ScenarioError)
    -> Int
  {
    _ = try requiredNode(key)
    return try int(key, in: range)!
  }

  mutating func bool(_ key: String) throws(ScenarioError) -> Bool? {
    guard let v = node(key) else { return nil }
    let s = try scalar(v, key, expected: "true or false")
    switch s.string {
    case "true", "True", "TRUE", "yes": return true
    case "false", "False", "FALSE", "no": return false
    default: throw ctx.error(v, fieldPath(key), "expected true or false, got \(ctx.kind(of: v))")
    }
  }

  /// One of a fixed set of words.
  mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type)
    throws(ScenarioError) -> T?
  where T.RawValue == String {
    guard let v = node(key) else { return nil }
    let s = try scalar(v, key, expected: "a word")
    if let value = T(rawValue: s.string) { return value }
    let names = T.allCases.map(\.rawValue)
    throw ctx.error(
      v, fieldPath(key), "unknown value `\(s.string)`; expected one of \(names.joined(separator: ", "))",
      hint: didYouMean(s.string, among: names).map { "did you mean `\($0)`?" })
  }

  /// A duration such as `7d`, `5m`, `300s`, `300.1s`, `250ms`, in milliseconds (`SimDuration(parsing:)`).
  mutating func duration(_ key: String) throws(ScenarioError) -> Int64? {
    guard let v = node(key) else { return nil }
    let s = try scalar(v, key, expected: "a duration such as 5m or 7d")
    let text = s.string.trimmingCharacters(in: .whitespaces)
    guard let duration = SimDuration(parsing: text) else {
      throw ctx.error(
        v, fieldPath(key), "expected a duration such as 300s, 5m, 1h or 7d, got \(ctx.kind(of: v))",
        hint: Double(text) != nil ? "a duration needs a unit: ms, s, m, h or d, e.g. `\(text)s`" : nil)
    }
    return duration.milliseconds
  }

  mutating func list(_ key: String) throws(ScenarioError) -> [Node]? {
    guard let v = node(key) else { return nil }
    guard case .sequence(let seq) = v else {
      throw ctx.error(v, fieldPath(key), "expected a list, got \(ctx.kind(of: v))")
    }
    return Array(seq)
  }

  mutating func stringList(_ key: String) throws(ScenarioError) -> [(String, Node)]? {
    guard let items = try list(key) else { return nil }
    var out: [(String, Node)] = []
    for (i, item) in items.enumerated() {
      guard case .scalar(let s) = item, !s.string.isEmpty else {
        throw ctx.error(item, "\(fieldPath(key))[\(i)]", "expected a name, got \(ctx.kind(of: item))")
      }
      out.append((s.string, item))
    }
    return out
  }

  /// Fails on the first key that was never read, suggesting the closest known key.
  func finish(known extra: [String] = []) throws(ScenarioError) {
    for p in pairs where !used.contains(p.key) && !extra.contains(p.key) {
      let known = Array(used).sorted()
      throw ctx.error(
        p.keyNode, fieldPath(p.key), "unknown field `\(p.key)`",
        hint: didYouMean(p.key, among: known).map { "did you mean `\($0)`?" }
          ?? "known fields here: \(known.joined(separator: ", "))")
    }
  }

  private func describe(_ r: ClosedRange<Double>) -> String {
    if r.upperBound == Double.greatestFiniteMagnitude {
      return r.lowerBound == 0 ? "a non-negative number" : "at least \(r.lowerBound)"
    }
    return "between \(r.lowerBound) and \(r.upperBound)"
  }
}

/// The position of the first mapping key that is not a plain word — an alias (`*name:`), a flow
/// list or mapping (`[a]:`), or an explicit key (`? …`) — found by a quick scan of the text that
/// skips quoted strings, comments and block scalars.
///
/// Scenarios never need such keys, and Yams hashes every key node in full while composing (to
/// find duplicates), so a key that is an alias of a nested, alias-expanded list (the "billion
/// laughs" pattern) would take practically forever. This check runs before Yams.
func complexKeyPosition(in text: String) -> (line: Int, column: Int)? {
  let s = Array(text.unicodeScalars)
  var line = 1
  var lineStart = 0
  var quote: Unicode.Scalar?
  var nodeStart = true  // only indentation or indicators (`- `, `: `, `? `, `[`, `{`, `,`) so far
  var open: [(line: Int, column: Int)] = []  // unclosed `[` and `{`
  func isBlank(_ j: Int) -> Bool {
    j >= s.count || s[j] == " " || s[j] == "\t" || s[j] == "\n" || s[j] == "\r"
  }
  func isNameCharacter(_ c: Unicode.Scalar) -> Bool {
    c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "-" || c == "_")
  }
  /// Whether a key indicator (`:` then a blank or a flow indicator) follows position `j`, after spaces.
  func keyFollows(_ j: Int) -> Bool {
    var j = j
    while j < s.count, s[j] == " " || s[j] == "\t" { j += 1 }
    guard j < s.count, s[j] == ":" else { return false }
    return isBlank(j + 1) || ",[]{}".unicodeScalars.contains(s[j + 1])
  }
  func indentation(from start: Int) -> Int {
    var j = start
    while j < s.count, s[j] == " " { j += 1 }
    return j - start
  }
  var i = 0
  while i < s.count {
    let c = s[i]
    if c == "\n" {
      line += 1
      lineStart = i + 1
      nodeStart = true
      i += 1
      continue
    }
    if let q = quote {
      if c == "\\" && q == "\"" {
        i += 2
        continue
      }
      if c == q {
        if q == "'" && i + 1 < s.count && s[i + 1] == "'" {
          i += 2  // '' is a quote inside a single-quoted string
          continue
        }
        quote = nil
      }
      i += 1
      continue
    }
    let here = (line: line, column: i - lineStart + 1)
    switch c {
    case " ", "\t", "\r":
      i += 1
      continue
    case "#" where i == lineStart || s[i - 1] == " " || s[i - 1] == "\t":
      while i < s.count, s[i] != "\n" { i += 1 }
      continue
    case "'" where nodeStart, "\"" where nodeStart:
      quote = c
    case "?" where nodeStart && isBlank(i + 1):
      return here
    case "*" where nodeStart && i + 1 < s.count && isNameCharacter(s[i + 1]):
      var j = i + 1
      while j < s.count, isNameCharacter(s[j]) { j += 1 }
      if keyFollows(j) { return here }
      i = j
      nodeStart = false
      continue
    case "[", "{":
      open.append(here)
      i += 1
      nodeStart = true
      continue
    case "]", "}":
      let start = open.popLast() ?? here
      if keyFollows(i + 1) { return start }
    case ",":
      i += 1
      nodeStart = !open.isEmpty
      continue
    case "-" where isBlank(i + 1), ":" where isBlank(i + 1):
      i += 1
      nodeStart = true
      continue
    case "|" where nodeStart && open.isEmpty, ">" where nodeStart && open.isEmpty:
      // A block scalar: skip the lines indented more than the line that introduces it.
      let parent = indentation(from: lineStart)
      while i < s.count, s[i] != "\n" { i += 1 }
      while i < s.count {
        let next = i + 1
        var end = next
        while end < s.count, s[end] != "\n" { end += 1 }
        let blank = s[next..<end].allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard blank || indentation(from: next) > parent else { break }
        line += 1
        i = end
      }
      continue
    default:
      break
    }
    nodeStart = false
    i += 1
  }
  return nil
}
