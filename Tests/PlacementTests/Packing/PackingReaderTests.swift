import Foundation
import Testing

@testable import Placement

/// A malformed instance file, and the error it must produce.
struct MalformedInstance: Sendable, CustomTestStringConvertible {
  var name: String
  var text: String
  var format: PackingFormat?
  var kind: PackingError.Kind
  var line: Int?
  var field: String

  var testDescription: String { name }
}

/// Bad input of every kind the readers report; each names the line and field at fault.
let malformedInstances: [MalformedInstance] = [
  MalformedInstance(name: "empty file", text: "", kind: .empty, line: nil, field: "file"),
  MalformedInstance(name: "blank lines only", text: "\r\n  \n\t\n", kind: .empty, line: nil, field: "file"),
  MalformedInstance(name: "zero items", text: "0\n100\n", kind: .empty, line: 1, field: "n"),
  MalformedInstance(name: "fractional n", text: "2.5\n100\n10\n20\n", kind: .malformed, line: 1, field: "n"),
  MalformedInstance(name: "missing capacity", text: "3\n", kind: .truncated, line: 1, field: "capacity"),
  MalformedInstance(
    name: "zero capacity", text: "2\r\n0\r\n10\r\n20\r\n", kind: .nonPositiveCapacity, line: 2,
    field: "capacity"),
  MalformedInstance(
    name: "truncated weights", text: "5\n100\n10\n20\n30\n", kind: .truncated, line: 5, field: "item 4"),
  MalformedInstance(
    name: "more weights than n", text: "2\n100\n10\n20\n30\n", kind: .malformed, line: 5, field: "item 3"),
  MalformedInstance(
    name: "non-numeric weight", text: "3\n100\n10\n2O\n30\n", kind: .notANumber, line: 4, field: "item 2"),
  MalformedInstance(
    name: "NaN weight", text: "3\n100\n10\nnan\n30\n", kind: .notFinite, line: 4, field: "item 2"),
  MalformedInstance(
    name: "infinite weight", text: "2\n100\ninf\n30\n", kind: .notFinite, line: 3, field: "item 1"),
  MalformedInstance(
    name: "negative weight", text: "3\n100\n10\n-5\n30\n", kind: .nonPositiveSize, line: 4, field: "item 2"),
  MalformedInstance(
    name: "zero weight", text: "3\n100\n10\n20\n0\n", kind: .nonPositiveSize, line: 5, field: "item 3"),
  MalformedInstance(
    name: "item larger than the bin", text: "3\n100\n10\n101\n30\n", kind: .itemLargerThanBin, line: 4,
    field: "item 2"),
  MalformedInstance(
    name: "binary garbage", text: "3\n100\n10\n\u{00}\u{01}\u{FF}\n30\n", kind: .notANumber, line: 4,
    field: "item 2"),
  MalformedInstance(
    name: "vbp item with too few sizes", text: "3 2\n10 10 10\n1 2 3\n4 5\n", kind: .dimensionMismatch,
    line: 4,
    field: "item 2"),
  MalformedInstance(
    name: "vbp item with too many sizes", text: "2 2\n10 10\n1 2\n4 5 6\n", kind: .dimensionMismatch, line: 4,
    field: "item 2"),
  MalformedInstance(
    name: "vbp capacities for other dimensions", text: "3 1\n10 10\n1 2 3\n", format: .vbp,
    kind: .dimensionMismatch,
    line: 2, field: "capacity"),
  MalformedInstance(
    name: "vbp eleven dimensions",
    text: "11 1\n" + String(repeating: "9 ", count: 11) + "\n"
      + String(repeating: "1 ", count: 11) + "\n", kind: .dimensionMismatch, line: 1, field: "d"),
  MalformedInstance(
    name: "vbp item zero in every dimension", text: "2 2\n10 10\n1 0\n0 0\n", kind: .nonPositiveSize, line: 4,
    field: "item 2"),
  MalformedInstance(
    name: "vbp negative size", text: "3 2\n10 10 10\n1 2 3\n4 -1 6\n", kind: .nonPositiveSize, line: 4,
    field: "item 2 size 2"),
  MalformedInstance(
    name: "vbp size above capacity", text: "2 2\n10 20\n1 2\n4 21\n", kind: .itemLargerThanBin, line: 4,
    field: "item 2 size 2"),
  MalformedInstance(
    name: "vbp truncated", text: "2 3\n10 20\n1 2\n4 5\n", kind: .truncated, line: 4, field: "item 3"),
  MalformedInstance(
    name: "vbp trailing data", text: "2 1\n10 20\n1 2\n4 5\n", kind: .malformed, line: 4, field: "item 2"),
  MalformedInstance(
    name: "vbp negative capacity", text: "2 1\n10 -20\n1 2\n", kind: .nonPositiveCapacity, line: 2,
    field: "capacity 2"),
  MalformedInstance(
    name: "vbp header of three fields", text: "2 1 7\n10 20\n1 2\n", format: .vbp, kind: .malformed, line: 1,
    field: "header"),
]

@Suite("Packing: readers")
struct PackingReaderTests {
  @Test func readsABPPLIBFileWithCRLFLineEnds() throws {
    let instance = try PackingReader.parse(
      Array(PackingFixtures.scholl1N1C1W1A.utf8), name: "N1C1W1_A", source: "f")
    #expect(instance.dimensions == 1)
    #expect(instance.count == 50)
    #expect(instance.capacity == [100])
    #expect(instance.items.first == 99)
    #expect(instance.items.last == 3)
    #expect(instance.items.reduce(0, +) == 2434)
  }

  @Test func readsVectorFiles() throws {
    let three = try PackingReader.parse(
      Array(PackingFixtures.panigrahyClass1_20_3_0.utf8), name: "p", source: "p")
    #expect(three.dimensions == 3)
    #expect(three.count == 20)
    #expect(three.capacity == [1000, 1000, 1000])
    #expect(Array(three.items.prefix(3)) == [267, 375, 305])
    #expect(Array(three.items.suffix(3)) == [256, 147, 186])
    let two = try PackingReader.parse(Array(PackingFixtures.spieksma10_24_01.utf8), name: "s", source: "s")
    #expect(two.dimensions == 2)
    #expect(two.count == 24)
    #expect(two.capacity == [100, 100])
  }

  @Test func detectsTheFormat() {
    #expect(PackingReader.detect(PackingReader.tokenLines(Array("3\n10\n1\n2\n3\n".utf8))) == .bpp)
    #expect(PackingReader.detect(PackingReader.tokenLines(Array("2 1\n10 10\n1 2\n".utf8))) == .vbp)
    #expect(PackingReader.detect(PackingReader.tokenLines(Array("1 2\n10\n1\n2\n".utf8))) == .vbp)
  }

  @Test func aOneDimensionalVbpFileEqualsItsBPPLIBTwin() throws {
    let vbp = try PackingReader.parse(Array("1 3\n10\n4\n5\n6\n".utf8), name: "x", source: "x")
    let bpp = try PackingReader.parse(Array("3\n10\n4\n5\n6\n".utf8), name: "x", source: "x")
    #expect(vbp == bpp)
  }

  @Test(arguments: malformedInstances)
  func malformedInputNamesLineAndField(_ bad: MalformedInstance) {
    do {
      let instance = try PackingReader.parse(
        Array(bad.text.utf8), name: "bad", source: "bad.txt", format: bad.format)
      Issue.record("\(bad.name): read \(instance.count) items instead of failing")
    } catch {
      #expect(error.kind == bad.kind, "\(bad.name): \(error)")
      #expect(error.line == bad.line, "\(bad.name): \(error)")
      #expect(error.field == bad.field, "\(bad.name): \(error)")
      #expect(error.file == "bad.txt")
      #expect(error.description.hasPrefix("bad.txt"))
      #expect(!error.message.isEmpty)
    }
  }

  @Test func malformedCorpusIsLargeAndCoversEveryKind() {
    #expect(malformedInstances.count >= 10)
    let kinds = Set(malformedInstances.map(\.kind))
    for kind in [
      PackingError.Kind.empty, .truncated, .malformed, .notANumber, .notFinite, .nonPositiveSize,
      .nonPositiveCapacity, .itemLargerThanBin, .dimensionMismatch,
    ] {
      #expect(kinds.contains(kind), "\(kind)")
    }
  }

  @Test func readsFromAFileAndNamesTheInstanceAfterIt() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("packing-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let good = folder.appendingPathComponent("N1C1W1_A.txt")
    try Data(PackingFixtures.scholl1N1C1W1A.utf8).write(to: good)
    let instance = try PackingReader.read(path: good.path)
    #expect(instance.name == "N1C1W1_A")
    #expect(instance.count == 50)

    let bad = folder.appendingPathComponent("bad.txt")
    try Data("2\n100\n10\nx\n".utf8).write(to: bad)
    #expect(
      throws: PackingError(.notANumber, file: bad.path, line: 4, field: "item 2", "`x` is not a number")
    ) {
      try PackingReader.read(path: bad.path)
    }
    #expect(throws: PackingError.self) {
      try PackingReader.read(path: folder.appendingPathComponent("none.txt").path)
    }
    do {
      _ = try PackingReader.read(path: folder.path)
      Issue.record("a folder was read as an instance")
    } catch {
      #expect(error.kind == .unreadable)
    }
  }

  @Test func validatingInitialiserRejectsBadInstances() {
    func kind(_ capacity: [Double], _ items: [Double]) -> PackingError.Kind? {
      do {
        _ = try PackingInstance(name: "x", capacity: capacity, items: items)
        return nil
      } catch {
        return error.kind
      }
    }
    #expect(kind([10], [1, 2]) == nil)
    #expect(kind([], [1]) == .dimensionMismatch)
    #expect(kind(Array(repeating: 10, count: 11), Array(repeating: 1, count: 11)) == .dimensionMismatch)
    #expect(kind([10, 10], [1, 2, 3]) == .dimensionMismatch)
    #expect(kind([10], []) == .empty)
    #expect(kind([0], [1]) == .nonPositiveCapacity)
    #expect(kind([.nan], [1]) == .notFinite)
    #expect(kind([10], [.nan]) == .notFinite)
    #expect(kind([10], [-1]) == .nonPositiveSize)
    #expect(kind([10], [0]) == .nonPositiveSize)
    #expect(kind([10, 10], [0, 1]) == nil)
    #expect(kind([10, 10], [0, 0]) == .nonPositiveSize)
    #expect(kind([10], [11]) == .itemLargerThanBin)
  }

  @Test func readsBenchmarkIndexes() throws {
    let optima = """
      instance,n,capacity,lower_bound,optimum_or_best,proven,class,subclass,path,l2_bound,ffd_bins,bfd_bins
      N1C1W1_A,50,100,25,25,yes,Scholl_1,N1C1W1,Scholl_1/N1C1W1_A.txt,25,25,25
      1002_80000_DI_0,1003,65088,332,333,no,AI,1002_80000,AI/1002_80000_DI_0.txt,332,333,333\r

      """
    let index = try PackingIndex(csv: optima, folder: "/data/bpp1d", source: "optima.csv")
    let scholl = try #require(index.bounds(forFile: "/data/bpp1d/Scholl_1/N1C1W1_A.txt"))
    #expect(scholl == KnownBounds(lowerBound: 25, optimumOrBest: 25, proven: true, instanceClass: "Scholl_1"))
    #expect(scholl.optimum == 25)
    let ai = try #require(index.bounds(forFile: "/elsewhere/1002_80000_DI_0.txt"))
    #expect(ai.optimum == nil)
    #expect(ai.optimumOrBest == 333)
    #expect(ai.lowerBound == 332)

    let vbp = """
      instance,d,n,lower_bound,optimum_or_best,proven,class,family,best_published_heuristic,path
      SPIEKSMA10_24_01,2,24,8,8,yes,class10,CapraraToth2D,,CapraraToth2D/class10/SPIEKSMA10_24_01.txt
      Panigrahy_class1_20_3_0,3,20,6,6,yes,class1,Panigrahy,6,Panigrahy/class1/Panigrahy_class1_20_3_0.txt
      """
    let vectors = try PackingIndex(csv: vbp, folder: "/v", source: "index.csv")
    let p = try #require(vectors.bounds(forFile: "/v/Panigrahy/class1/Panigrahy_class1_20_3_0.txt"))
    #expect(p.instanceClass == "Panigrahy/class1")
    #expect(p.bestPublishedHeuristic == 6)
    #expect(vectors.byName["SPIEKSMA10_24_01"]?.bestPublishedHeuristic == nil)

    #expect(throws: PackingError.self) {
      try PackingIndex(csv: "name,n\nx,1\n", folder: "/", source: "i.csv")
    }
    #expect(throws: PackingError.self) {
      try PackingIndex(csv: "instance,lower_bound\nx,one\n", folder: "/", source: "i.csv")
    }
  }
}
