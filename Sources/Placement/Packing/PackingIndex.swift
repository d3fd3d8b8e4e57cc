import Foundation

/// Known bounds of benchmark instances, read from a benchmark index: `optima.csv` (bpp1d) or
/// `index.csv` (vbp) of `shared/data/benchmarks`.
///
/// Columns used (by header name, in any order): `instance`, `path` (relative to the index's
/// folder), `lower_bound`, `optimum_or_best`, `proven` (`yes`/`no`), `class`, and when present
/// `family` (the class becomes `family/class`) and `best_published_heuristic`. Other columns are
/// ignored; a missing or empty value leaves that fact unknown.
public struct PackingIndex: Sendable {
  /// The folder the index's `path` column is relative to.
  public var folder: String
  /// Bounds by the `path` column, as written.
  public private(set) var byPath: [String: KnownBounds] = [:]
  /// Bounds by the `instance` column.
  public private(set) var byName: [String: KnownBounds] = [:]

  /// File names recognised as indexes, in the order they are looked for.
  public static let fileNames = ["optima.csv", "index.csv"]

  /// Parses an index; `folder` is the folder its paths are relative to.
  ///
  /// - Throws: `PackingError` when a required column (`instance`) is missing or a number is
  ///   not a whole number.
  public init(csv text: String, folder: String, source: String) throws(PackingError) {
    self.folder = folder
    var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map {
      $0.hasSuffix("\r") ? $0.dropLast() : $0
    }
    while let last = lines.last, last.isEmpty { lines.removeLast() }
    guard let headerLine = lines.first else {
      throw PackingError(.empty, file: source, line: 1, field: "header", "the index is empty")
    }
    let header = headerLine.split(separator: ",", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    func column(_ name: String) -> Int? { header.firstIndex(of: name) }
    guard let instanceColumn = column("instance") else {
      throw PackingError(.malformed, file: source, line: 1, field: "header", "no `instance` column")
    }
    let pathColumn = column("path")
    let lbColumn = column("lower_bound")
    let optColumn = column("optimum_or_best")
    let provenColumn = column("proven")
    let classColumn = column("class")
    let familyColumn = column("family")
    let publishedColumn = column("best_published_heuristic")
    for (offset, line) in lines.enumerated().dropFirst() where !line.isEmpty {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      func field(_ c: Int?) -> String? {
        guard let c, c < fields.count else { return nil }
        let s = fields[c].trimmingCharacters(in: .whitespaces)
        return s.isEmpty ? nil : s
      }
      func integer(_ c: Int?, _ name: String) throws(PackingError) -> Int? {
        guard let s = field(c) else { return nil }
        guard let v = Int(s) else {
          throw PackingError(
            .notANumber, file: source, line: offset + 1, field: name, "`\(s)` is not a whole number")
        }
        return v
      }
      var known = KnownBounds()
      known.lowerBound = try integer(lbColumn, "lower_bound")
      known.optimumOrBest = try integer(optColumn, "optimum_or_best")
      known.proven = field(provenColumn) == "yes"
      if let published = try integer(publishedColumn, "best_published_heuristic"), published > 0 {
        known.bestPublishedHeuristic = published
      }
      if let c = field(classColumn) {
        known.instanceClass = field(familyColumn).map { "\($0)/\(c)" } ?? c
      }
      if let name = field(instanceColumn) { byName[name] = known }
      if let path = field(pathColumn) { byPath[path] = known }
    }
  }

  /// Reads the index file at `path`.
  ///
  /// - Throws: `PackingError`.
  public static func read(path: String) throws(PackingError) -> PackingIndex {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw PackingError(.unreadable, file: path, line: nil, field: "file", "cannot read the index")
    }
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    return try PackingIndex(csv: String(decoding: data, as: UTF8.self), folder: folder, source: path)
  }

  /// The index governing `path` (a file or folder): the first `optima.csv` or `index.csv` found
  /// in its folder or up to three folders above; nil when there is none.
  ///
  /// - Throws: `PackingError` when an index is found but cannot be parsed.
  public static func find(near path: String) throws(PackingError) -> PackingIndex? {
    var isFolder: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
    var folder = URL(fileURLWithPath: path).standardizedFileURL
    if !(exists && isFolder.boolValue) { folder = folder.deletingLastPathComponent() }
    for _ in 0..<4 {
      for name in fileNames {
        let candidate = folder.appendingPathComponent(name).path
        if FileManager.default.fileExists(atPath: candidate) { return try read(path: candidate) }
      }
      let parent = folder.deletingLastPathComponent()
      if parent.path == folder.path { break }
      folder = parent
    }
    return nil
  }

  /// The bounds of the instance in the file at `path`: by its path relative to `folder`, else
  /// by its file stem; nil when the index does not list it.
  public func bounds(forFile path: String) -> KnownBounds? {
    let file = URL(fileURLWithPath: path).standardizedFileURL
    let base = URL(fileURLWithPath: folder).standardizedFileURL.path
    let full = file.path
    if full.hasPrefix(base + "/") {
      let relative = String(full.dropFirst(base.count + 1))
      if let known = byPath[relative] { return known }
    }
    return byName[file.deletingPathExtension().lastPathComponent]
  }
}
