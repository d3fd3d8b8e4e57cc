/// A problem with workload input: a trace file, a demand series or a synthetic load.
///
/// The location is as precise as known: the file (path or name given by the caller), the
/// 1-based line, and the field (CSV column or parameter name). `description` renders it as
/// `file:line: field: message`, leaving out the parts that are unknown.
public struct WorkloadError: Error, Equatable, Sendable, CustomStringConvertible {
  /// File the problem was found in, if any.
  public var file: String?
  /// 1-based line number within `file`, if the problem belongs to one line.
  public var line: Int?
  /// Column or parameter the problem concerns, if any.
  public var field: String?
  /// What is wrong, in words.
  public var message: String

  /// Creates an error; every location part is optional.
  public init(file: String? = nil, line: Int? = nil, field: String? = nil, message: String) {
    self.file = file
    self.line = line
    self.field = field
    self.message = message
  }

  /// `file:line: field: message`, with unknown parts left out.
  public var description: String {
    var location = ""
    if let file {
      location = file
      if let line { location += ":\(line)" }
    } else if let line {
      location = "line \(line)"
    }
    var parts: [String] = []
    if !location.isEmpty { parts.append(location) }
    if let field { parts.append(field) }
    parts.append(message)
    return parts.joined(separator: ": ")
  }
}
