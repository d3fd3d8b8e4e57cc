import Foundation
import Testing

@testable import DynamicConsolidation

/// The direct PlanetLab reader against Workload's importer on small folders: a regular day
/// (288 samples per file, read straight into the flat buffer), files of other lengths and CRLF
/// line ends (per-row fallback), and content only the importer understands.
@Suite struct TraceReaderTests {
  func folder(_ files: [String: String]) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "yunhe-trace-reader-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    for (name, text) in files {
      try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    return url
  }

  func same(_ a: DynamicWorkload, _ b: DynamicWorkload) -> Bool {
    a.names == b.names && a.samplesPerVM == b.samplesPerVM && a.samples == b.samples
      && a.intervalSeconds == b.intervalSeconds
  }

  @Test func regularDayMatchesTheImporter() throws {
    var files: [String: String] = [:]
    for (i, name) in ["b_host", "a_host", "B_host", "a_host_2", "_x"].enumerated() {
      files[name] = (0..<288).map { String(($0 * 7 + i * 13) % 101) }.joined(separator: "\n") + "\n"
    }
    let url = try folder(files)
    defer { try? FileManager.default.removeItem(at: url) }
    let direct = try DynamicWorkload.planetLab(folder: url)
    #expect(direct.names == ["B_host", "_x", "a_host", "a_host_2", "b_host"])
    #expect(direct.samplesPerVM == 289)
    #expect(same(direct, try DynamicWorkload.viaImporter(folder: url)))
  }

  @Test func lineEndsMatchTheImporter() throws {
    let url = try folder([
      "crlf": (0..<288).map { String($0 % 100) }.joined(separator: "\r\n") + "\r\n",
      "no-final-newline": (0..<288).map { String($0 % 50) }.joined(separator: "\n"),
    ])
    defer { try? FileManager.default.removeItem(at: url) }
    #expect(same(try DynamicWorkload.planetLab(folder: url), try DynamicWorkload.viaImporter(folder: url)))
  }

  /// Days of another length (the importer wants 288 samples) take the per-row path, when every
  /// file of the folder has that length: rows of that length plus one (the last sample again).
  @Test func anotherLengthForEveryFileIsRead() throws {
    let long = (0..<300).map { Double($0 % 100) }
    let other = (0..<300).map { Double(($0 * 3) % 100) }
    let url = try folder([
      "a": long.map { String(Int($0)) }.joined(separator: "\n") + "\n",
      "b": other.map { String(Int($0)) }.joined(separator: "\n") + "\n",
    ])
    defer { try? FileManager.default.removeItem(at: url) }
    let direct = try DynamicWorkload.planetLab(folder: url)
    let expected = DynamicWorkload(
      names: ["a", "b"], rows: [long.map { $0 / 100 }, other.map { $0 / 100 }])
    #expect(direct.samplesPerVM == 301)
    #expect(same(direct, expected))
  }

  /// A file shorter than the others of its folder (a truncated download, say) is an error that
  /// names it and its last line, not a row padded to the others' length.
  @Test func aShorterFileIsReportedAsTruncated() throws {
    let day = (0..<288).map { String($0 % 100) }.joined(separator: "\n") + "\n"
    let url = try folder(["a": day, "b": "5\n10\n15\n", "c": day])
    defer { try? FileManager.default.removeItem(at: url) }
    #expect {
      try DynamicWorkload.planetLab(folder: url)
    } throws: { error in
      let text = "\(error)"
      return text.contains(url.appendingPathComponent("b").path + ":3:")
        && text.contains("3 samples, while other files of this folder have 288")
        && text.contains("truncated file?")
    }
  }

  @Test func unusualContentGoesThroughTheImporter() throws {
    let url = try folder(["a": "1\n2\n", "b": "1\n\n3\n"])
    defer { try? FileManager.default.removeItem(at: url) }
    let importer = Result { try DynamicWorkload.viaImporter(folder: url) }
    let direct = Result { try DynamicWorkload.planetLab(folder: url) }
    switch (importer, direct) {
    case (.success(let a), .success(let b)): #expect(same(a, b))
    case (.failure(let a), .failure(let b)): #expect("\(a)" == "\(b)")
    default: Issue.record("the direct reader and the importer disagree: \(importer) vs \(direct)")
    }
  }
}
