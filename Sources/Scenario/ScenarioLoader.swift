import CapacityModel
import Foundation
import Workload
import Yams

/// Reads, overrides and validates scenario files.
public struct ScenarioLoader: Sendable {
  /// Placement policy names the scenario may use (from the placement registry).
  public var knownSchedulers: [String]
  /// Largest scenario file accepted, in bytes.
  public var maximumFileSize = 16 << 20

  /// Creates a loader that accepts the given scheduler names.
  public init(knownSchedulers: [String]) {
    self.knownSchedulers = knownSchedulers
  }

  /// Loads a scenario file, applies `--set` overrides and validates it.
  public func load(path: String, overrides: [String] = []) throws(ScenarioError) -> Scenario {
    let text = try Self.readText(path: path, maximumFileSize: maximumFileSize)
    return try parse(text, file: path, overrides: overrides)
  }

  /// Parses scenario text; `file` is used in messages and to resolve relative trace paths.
  public func parse(_ text: String, file: String, overrides: [String] = []) throws(ScenarioError) -> Scenario
  {
    var root = try Self.composeRoot(text, file: file)
    for o in overrides {
      try Overrides.apply(o, to: &root, file: file)
    }
    var decoder = ScenarioDecoder(ctx: YAMLContext(file: file), knownSchedulers: knownSchedulers)
    return try decoder.decode(root)
  }

  static func translate(_ e: YamlError, file: String) -> ScenarioError {
    switch e {
    case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      var message = "YAML syntax error: \(problem)"
      if let context { message += " \(context.text)" }
      return ScenarioError(file: file, line: mark.line, column: mark.column, message: message)
    case .reader(let problem, let offset, _, let yaml):
      // `offset` counts characters; report it as a 1-based line and column (in Unicode scalars).
      var line: Int?
      var column: Int?
      if let offset, offset >= 0, offset <= yaml.count {
        let before = yaml.prefix(offset)
        let lineStart =
          before.lastIndex(where: \.isNewline).map { before.index(after: $0) } ?? before.startIndex
        line = before.reduce(1) { $1.isNewline ? $0 + 1 : $0 }
        column = before[lineStart...].unicodeScalars.count + 1
      }
      return ScenarioError(
        file: file, line: line, column: column, message: "cannot read the YAML text: \(problem)")
    case .duplicatedKeysInMapping(let duplicates, let context):
      let keys = duplicates.sorted().map { "`\($0)`" }.joined(separator: ", ")
      return ScenarioError(
        file: file, line: context.mark.line, column: context.mark.column,
        message:
          "duplicate key\(duplicates.count == 1 ? "" : "s") \(keys) in one mapping (the position is the first occurrence)",
        hint: "each key may appear only once")
    default:
      return ScenarioError(file: file, message: "YAML error: \(e)")
    }
  }
}

/// Applies `path.to.field=value` overrides to the YAML tree before decoding.
enum Overrides {
  static func apply(_ assignment: String, to root: inout Node, file: String) throws(ScenarioError) {
    guard let eq = assignment.firstIndex(of: "=") else {
      throw ScenarioError(
        file: file, field: assignment, message: "--set needs the form path.to.field=value",
        hint: "for example --set workload.demand_scale=2")
    }
    let path = String(assignment[..<eq])
    let value = String(assignment[assignment.index(after: eq)...])
    let segments = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard !segments.isEmpty, !segments.contains(where: \.isEmpty) else {
      throw ScenarioError(file: file, field: path, message: "--set: empty segment in the field path")
    }
    let scalar = Node.scalar(.init(value, .implicit, .plain))
    root = try set(scalar, at: segments[...], in: root, walked: [], file: file, whole: path)
  }

  private static func set(
    _ value: Node, at segments: ArraySlice<String>, in node: Node, walked: [String], file: String,
    whole: String
  ) throws(ScenarioError) -> Node {
    guard let head = segments.first else {
      if case .scalar = node { return value }
      throw ScenarioError(
        file: file, line: node.mark?.line, column: node.mark?.column, field: whole,
        message: "--set can only replace a single value, but `\(whole)` is a mapping or a list")
    }
    let rest = segments.dropFirst()
    switch node {
    case .mapping(var m):
      let key = Node(head)
      let child = m[key] ?? (rest.isEmpty ? Node("") : Node([(Node, Node)]()))
      m[key] = try set(value, at: rest, in: child, walked: walked + [head], file: file, whole: whole)
      return .mapping(m)
    case .sequence(var s):
      let items = Array(s)
      var index: Int?
      if let i = Int(head) {
        guard items.indices.contains(i) else {
          throw ScenarioError(
            file: file, line: node.mark?.line, column: node.mark?.column, field: whole,
            message:
              "--set: index \(i) is out of range; `\(walked.joined(separator: "."))` has \(items.count) items"
          )
        }
        index = i
      } else {
        index = items.firstIndex { $0["name"]?.string == head }
      }
      guard let i = index else {
        let names = items.compactMap { $0["name"]?.string }
        throw ScenarioError(
          file: file, line: node.mark?.line, column: node.mark?.column, field: whole,
          message: "--set: no item named `\(head)` in `\(walked.joined(separator: "."))`",
          hint: didYouMean(head, among: names).map { "did you mean `\($0)`?" })
      }
      var newItems = items
      newItems[i] = try set(value, at: rest, in: items[i], walked: walked + [head], file: file, whole: whole)
      s = Node.Sequence(newItems, s.tag, s.style, s.mark)
      return .sequence(s)
    case .scalar(let s) where s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string):
      // An empty field such as `workload:` is filled in like a missing one.
      return try set(
        value, at: segments, in: Node([(Node, Node)]()), walked: walked, file: file, whole: whole)
    default:
      throw ScenarioError(
        file: file, line: node.mark?.line, column: node.mark?.column, field: whole,
        message: "--set: `\(walked.joined(separator: "."))` is a single value and has no field `\(head)`")
    }
  }
}

extension ScenarioLoader {
  /// The UTF-8 text of the scenario file at `path`; refuses folders, files over
  /// `maximumFileSize` bytes and unreadable or non-UTF-8 files. Shared by the scenario loaders.
  static func readText(path: String, maximumFileSize: Int) throws(ScenarioError) -> String {
    // Plain POSIX calls: FileManager's attributes look up the owner's user and group names
    // (nsswitch, /etc/passwd, /etc/group, about 2 M instructions and 20 system calls per run).
    func failure() -> ScenarioError {
      ScenarioError(file: path, message: "cannot read the scenario file: \(String(cString: strerror(errno)))")
    }
    func tooLarge(_ size: String) -> ScenarioError {
      ScenarioError(
        file: path, message: "file is \(size) bytes; scenario files are limited to \(maximumFileSize) bytes")
    }
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { throw failure() }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw failure() }
    if info.st_mode & S_IFMT == S_IFDIR {
      throw ScenarioError(file: path, message: "is a directory, not a scenario file")
    }
    if info.st_mode & S_IFMT == S_IFREG && Int(info.st_size) > maximumFileSize {
      throw tooLarge("\(info.st_size)")
    }
    // Read to the end, but never more than the limit (a device or a pipe has no size).
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Swift.min(Int(info.st_size), maximumFileSize) + 1)
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
      if got < 0 {
        if errno == EINTR { continue }
        throw failure()
      }
      if got == 0 { break }
      bytes += chunk[0..<got]
      if bytes.count > maximumFileSize { throw tooLarge("more than \(maximumFileSize)") }
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw ScenarioError(file: path, message: "the file is not UTF-8 text")
    }
    return text
  }

  /// The YAML node tree of scenario `text`, after the hostile-input checks (NUL bytes, complex
  /// keys); YAML errors become `ScenarioError`s with file, line and column.
  static func composeRoot(_ text: String, file: String) throws(ScenarioError) -> Node {
    if text.utf8.contains(0) {
      throw ScenarioError(file: file, message: "the file contains NUL bytes; it is not a YAML text file")
    }
    if let (line, column) = complexKeyPosition(in: text) {
      throw ScenarioError(
        file: file, line: line, column: column,
        message: "mapping keys must be plain words, not aliases, lists, mappings or `?` keys")
    }
    do {
      // The basic resolver: the reader interprets scalars itself and never reads their tags, and
      // the default resolver compiles seven regular expressions (~1 ms of every run) to set them.
      guard let node = try Yams.compose(yaml: text, .basic) else {
        throw ScenarioError(file: file, line: 1, column: 1, message: "the scenario file is empty")
      }
      return node
    } catch let e as ScenarioError {
      throw e
    } catch let e as YamlError {
      throw translate(e, file: file)
    } catch {
      throw ScenarioError(file: file, message: "YAML error: \(error)")
    }
  }
}
