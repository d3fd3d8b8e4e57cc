import Foundation
import Testing

@testable import Scenario

/// The schedulers the command line registers; the corpus is loaded with exactly these.
let knownSchedulers = ["first-fit", "best-fit", "worst-fit", "first-fit-decreasing"]

/// One row of `BadInput/EXPECTED.tsv`: where the error must point and what it must say.
struct ExpectedError: Sendable {
  var file: String
  /// nil when the error has no position (`-` in the table).
  var line: Int?
  var column: Int?
  var substring: String
}

enum BadInput {
  static var folder: URL {
    get throws { try #require(Bundle.module.url(forResource: "BadInput", withExtension: nil)) }
  }

  /// Every `.yaml` file of the corpus, sorted.
  static func yamlFiles() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
  }

  /// Rows of EXPECTED.tsv: `file <TAB> line <TAB> column <TAB> substring`; `#` starts a comment line.
  static func expectations() throws -> [String: ExpectedError] {
    let text = try String(contentsOf: folder.appendingPathComponent("EXPECTED.tsv"), encoding: .utf8)
    var rows: [String: ExpectedError] = [:]
    for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
      if line.hasPrefix("#") { continue }
      let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      try #require(cells.count == 4, "EXPECTED.tsv line \(n + 1) has \(cells.count) cells, not 4")
      #expect(rows[cells[0]] == nil, "EXPECTED.tsv lists \(cells[0]) twice")
      #expect(!cells[3].isEmpty, "EXPECTED.tsv line \(n + 1) has an empty substring")
      let position = cells[1] == "-" ? nil : Int(cells[1])
      try #require((position == nil) == (cells[2] == "-"), "EXPECTED.tsv line \(n + 1): line and column")
      try #require(cells[1] == "-" || position != nil, "EXPECTED.tsv line \(n + 1): bad line number")
      rows[cells[0]] = ExpectedError(
        file: cells[0], line: position, column: cells[2] == "-" ? nil : Int(cells[2]), substring: cells[3])
    }
    return rows
  }
}

@Suite struct BadInputTests {
  @Test func corpusIsLargeEnough() throws {
    #expect(try BadInput.yamlFiles().count >= 25)
  }

  @Test func everyFileHasAnExpectationAndViceVersa() throws {
    let files = Set(try BadInput.yamlFiles())
    let rows = Set(try BadInput.expectations().keys)
    for f in files.subtracting(rows).sorted() { Issue.record("\(f) has no row in EXPECTED.tsv") }
    for r in rows.subtracting(files).sorted() {
      Issue.record("EXPECTED.tsv lists \(r), which does not exist")
    }
  }

  @Test(arguments: try BadInput.yamlFiles())
  func badFileFailsWithAPositionedOneLineError(_ name: String) throws {
    let expected = try #require(try BadInput.expectations()[name], "\(name) has no row in EXPECTED.tsv")
    let path = try BadInput.folder.appendingPathComponent(name).path
    let loader = ScenarioLoader(knownSchedulers: knownSchedulers)
    do {
      _ = try loader.load(path: path)
      Issue.record("\(name) loaded without an error")
    } catch {
      // `load` throws only ScenarioError (typed throws); check the text the user sees.
      let text = error.description
      #expect(error.file == path)
      #expect(text.hasPrefix(path), "\(text)")
      let location = expected.line.map { "\(path):\($0):\(expected.column!): error: " } ?? "\(path): error: "
      #expect(text.hasPrefix(location), "expected \(location) … in: \(text)")
      #expect(text.contains(expected.substring), "expected “\(expected.substring)” in: \(text)")
      let oneLine = !text.contains { $0.isNewline }
      #expect(oneLine, "not one paragraph: \(text)")
      #expect(!text.isEmpty && error.message.count < 600, "\(text)")
    }
  }

  /// Large hostile inputs must fail (or load) promptly rather than hang or crash; the whole test
  /// is a few megabytes of work.
  @Test func largeNestedOrRepeatedInputFailsQuickly() {
    let loader = ScenarioLoader(knownSchedulers: knownSchedulers)
    let size = 2 << 20
    let inputs: [(String, String)] = [
      ("nested-flow", String(repeating: "[", count: size)),
      ("nested-block", (0..<2_000).map { String(repeating: " ", count: $0) + "a:\n" }.joined()),
      // Distinct keys cost Yams most (about 20 µs each in a debug build): a quarter of the size.
      ("repeated-keys", (0..<(size / 64)).map { "key\($0): value\n" }.joined()),
      ("repeated-list", "name: big\nsystems:\n" + String(repeating: "  - x\n", count: size / 6)),
      ("long-scalar", "name: " + String(repeating: "x", count: size)),
      (
        "alias-bomb",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
          + (1...9).map { i in
            "l\(i): &l\(i) ["
              + Array(repeating: "*\(i == 1 ? "a" : "l\(i - 1)")", count: 10)
              .joined(separator: ", ") + "]"
          }.joined(separator: "\n")
          + "\nsystems: *l9\n"
      ),
      (
        "alias-key-bomb",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
          + (1...9).map { i in
            "l\(i): &l\(i) ["
              + Array(repeating: "*\(i == 1 ? "a" : "l\(i - 1)")", count: 10)
              .joined(separator: ", ") + "]"
          }.joined(separator: "\n")
          + "\nkeys:\n  *l9 : 1\n  *l8 : 2\n"
      ),
    ]
    for (label, text) in inputs {
      let start = ContinuousClock.now
      #expect(throws: ScenarioError.self, "\(label)") { try loader.parse(text, file: "\(label).yaml") }
      let elapsed = ContinuousClock.now - start
      #expect(elapsed < .seconds(20), "\(label) took \(elapsed)")
    }
  }

  @Test func oversizedFileIsRefusedBeforeParsing() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "yunhe-scen-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("big.yaml")
    try Data(repeating: UInt8(ascii: "#"), count: 4096).write(to: file)
    var loader = ScenarioLoader(knownSchedulers: knownSchedulers)
    loader.maximumFileSize = 1024
    let error = try #require(throws: ScenarioError.self) { try loader.load(path: file.path) }
    #expect(error.description.contains("limited to 1024 bytes"))
    #expect(error.line == nil)
  }

  @Test func missingFileAndDirectoryAreScenarioErrors() throws {
    let loader = ScenarioLoader(knownSchedulers: knownSchedulers)
    let missing = try #require(throws: ScenarioError.self) { try loader.load(path: "/no/such/scenario.yaml") }
    #expect(missing.description.hasPrefix("/no/such/scenario.yaml: error: cannot read"))
    let folder = try BadInput.folder.path
    let directory = try #require(throws: ScenarioError.self) { try loader.load(path: folder) }
    #expect(directory.message.contains("is a directory"))
    // A device has no size: reading stops at the limit instead of running forever.
    var small = loader
    small.maximumFileSize = 4096
    let endless = try #require(throws: ScenarioError.self) { try small.load(path: "/dev/zero") }
    #expect(endless.message == "file is more than 4096 bytes; scenario files are limited to 4096 bytes")
  }
}
