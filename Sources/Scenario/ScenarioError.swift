/// A problem with a scenario file: where it is, which field, what is wrong and how to fix it.
public struct ScenarioError: Error, Hashable, Sendable, CustomStringConvertible {
  /// Path of the scenario file as the user gave it.
  public var file: String
  /// 1-based line, when known.
  public var line: Int?
  /// 1-based column, when known.
  public var column: Int?
  /// Dotted path of the field, e.g. `systems[3].load.peak_cores`.
  public var field: String?
  /// What is wrong.
  public var message: String
  /// How to fix it, when there is something useful to say.
  public var hint: String?

  /// Creates an error.
  public init(
    file: String, line: Int? = nil, column: Int? = nil, field: String? = nil, message: String,
    hint: String? = nil
  ) {
    self.file = file
    self.line = line
    self.column = column
    self.field = field
    self.message = message
    self.hint = hint
  }

  /// `file:line:column`, as far as known.
  public var location: String {
    var s = file
    if let line {
      s += ":\(line)"
      if let column { s += ":\(column)" }
    }
    return s
  }

  /// One paragraph: location, field, message and hint.
  public var description: String { formatted(severity: "error") }

  /// The same paragraph with another severity word, e.g. `warning`.
  public func formatted(severity: String) -> String {
    var s = "\(location): \(severity): "
    if let field { s += "`\(field)`: " }
    s += message
    if let hint { s += " (\(hint))" }
    // Text quoted from the file may hold line breaks; keep the message on one line.
    return s.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).joined(separator: "\\n")
  }
}

/// Edit distance used for did-you-mean suggestions.
func levenshtein(_ a: String, _ b: String) -> Int {
  let a = Array(a.unicodeScalars)
  let b = Array(b.unicodeScalars)
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous = Array(0...b.count)
  var current = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
    }
    swap(&previous, &current)
  }
  return previous[b.count]
}

/// The closest candidate to `word`, if it is close enough to be a likely typo.
public func didYouMean(_ word: String, among candidates: [String]) -> String? {
  var best: (String, Int)?
  for c in candidates {
    let d = levenshtein(word.lowercased(), c.lowercased())
    if best == nil || d < best!.1 { best = (c, d) }
  }
  guard let (name, distance) = best else { return nil }
  let limit = max(2, min(word.count, name.count) / 3)
  return distance <= limit ? name : nil
}
