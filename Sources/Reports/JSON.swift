/// A JSON value that renders deterministically: object keys keep their insertion order and
/// numbers have one fixed textual form, so equal results give byte-identical files.
public indirect enum JSONValue: Sendable, Equatable {
  case object([(String, JSONValue)])
  case array([JSONValue])
  case string(String)
  case number(Double)
  case integer(Int)
  case bool(Bool)
  case null

  public static func == (l: JSONValue, r: JSONValue) -> Bool { l.rendered() == r.rendered() }

  /// Pretty-printed text with two-space indentation and a final newline.
  public func rendered() -> String {
    var out = ""
    write(into: &out, indent: 0)
    out += "\n"
    return out
  }

  private func write(into out: inout String, indent: Int) {
    let pad = String(repeating: "  ", count: indent + 1)
    let closePad = String(repeating: "  ", count: indent)
    switch self {
    case .object(let pairs):
      if pairs.isEmpty {
        out += "{}"
        return
      }
      out += "{\n"
      for (i, (k, v)) in pairs.enumerated() {
        out += pad + JSONValue.quote(k) + ": "
        v.write(into: &out, indent: indent + 1)
        out += i + 1 < pairs.count ? ",\n" : "\n"
      }
      out += closePad + "}"
    case .array(let items):
      if items.isEmpty {
        out += "[]"
        return
      }
      out += "[\n"
      for (i, v) in items.enumerated() {
        out += pad
        v.write(into: &out, indent: indent + 1)
        out += i + 1 < items.count ? ",\n" : "\n"
      }
      out += closePad + "]"
    case .string(let s): out += JSONValue.quote(s)
    case .number(let x): out += formatNumber(x)
    case .integer(let n): out += String(n)
    case .bool(let b): out += b ? "true" : "false"
    case .null: out += "null"
    }
  }

  /// JSON string literal with the mandatory escapes.
  public static func quote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where u.value < 0x20:
        let hex = String(u.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(u)
      }
    }
    return out + "\""
  }
}

/// Fixed textual form of a measured number: rounded to 6 decimals, shortest round-trip text,
/// no trailing `.0`; non-finite values (which JSON cannot hold) become 0 and never occur in
/// validated runs.
public func formatNumber(_ x: Double) -> String {
  guard x.isFinite else { return "0" }
  let r = (x * 1_000_000).rounded() / 1_000_000
  if r == r.rounded() && abs(r) < 1e15 { return String(Int64(r)) }
  return String(r)
}
