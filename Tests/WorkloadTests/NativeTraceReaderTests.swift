import Foundation
import Testing

@testable import Workload

private let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

private func fixture(_ name: String) -> URL { fixtures.appendingPathComponent(name) }

/// Reads a fixture with 60 s buckets over `horizon` seconds.
private func readFixture(_ name: String, horizonSeconds: Int64 = 180) throws(WorkloadError) -> TraceImport {
  try NativeTraceReader.readWithReport(
    contentsOf: fixture(name), intervalMilliseconds: 60_000, horizonMilliseconds: horizonSeconds * 1000)
}

/// The error of reading a fixture, or nil when it reads.
private func failure(_ name: String, horizonSeconds: Int64 = 180) -> WorkloadError? {
  do {
    _ = try readFixture(name, horizonSeconds: horizonSeconds)
    return nil
  } catch {
    return error
  }
}

@Suite struct NativeTraceReaderTests {
  @Test func readsAValidFile() throws {
    let trace = try readFixture("valid.csv")
    let s = trace.series
    #expect(s.names == ["approval", "portal", "archive"])
    #expect(s.sampleCount == 3)
    #expect(s.intervalMilliseconds == 60_000)
    #expect(s.startMilliseconds == 0)
    #expect(Array(s.cpu(0)) == [1.5, 2.5, 1])
    #expect(Array(s.memory(0)) == [4, 4.5, 4])
    #expect(Array(s.cpu(1)) == [0.5, 0.75, 1.25])
    #expect(Array(s.cpu(2)) == [3, 3.25, 2])
    #expect(Array(s.memory(2)) == [8, 8.5, 9])
    #expect(trace.rowCount == 9)
    #expect(trace.forwardFilledBuckets == [0, 0, 0])
    #expect(trace.rowsBeyondHorizon == 0)
  }

  @Test func readAndParseAgree() throws {
    let url = fixture("valid.csv")
    let text = try String(contentsOf: url, encoding: .utf8)
    let parsed = try NativeTraceReader.parse(
      text, file: "valid.csv", intervalMilliseconds: 60_000, horizonMilliseconds: 180_000)
    let read = try NativeTraceReader.read(
      contentsOf: url, intervalMilliseconds: 60_000, horizonMilliseconds: 180_000)
    #expect(parsed == read)
  }

  @Test func acceptsByteOrderMarkCRLFAndReorderedColumns() throws {
    let s = try readFixture("crlf_bom_vm.csv", horizonSeconds: 60).series
    #expect(s.names == ["vm-1", "vm-2"])
    #expect(Array(s.cpu(0)) == [2])  // mean of 1 and 3 in the same bucket
    #expect(Array(s.memory(0)) == [2])
    #expect(Array(s.cpu(1)) == [0.5])
    #expect(Array(s.memory(1)) == [4])
  }

  @Test func bucketsAreMeansAndGapsAreForwardFilled() throws {
    let trace = try readFixture("bucketing.csv", horizonSeconds: 300)
    let s = trace.series
    #expect(s.names == ["db"])
    #expect(s.sampleCount == 5)
    #expect(Array(s.cpu(0)) == [3, 3, 3, 3, 5])
    #expect(Array(s.memory(0)) == [11, 8, 8, 8, 9])
    #expect(trace.forwardFilledBuckets == [2])
    #expect(trace.totalForwardFilledBuckets == 2)
    #expect(trace.rowCount == 7)
    #expect(trace.rowsBeyondHorizon == 1)  // the row at exactly 300 s
  }

  @Test func shorterHorizonDropsLaterRows() throws {
    let trace = try readFixture("bucketing.csv", horizonSeconds: 90)
    #expect(trace.series.sampleCount == 2)  // ⌈90 / 60⌉
    // The last bucket is cut to [60 s, 90 s): only the row at 60 s is in it.
    #expect(Array(trace.series.cpu(0)) == [3, 4])
    #expect(Array(trace.series.memory(0)) == [11, 8])
    #expect(trace.rowsBeyondHorizon == 3)
  }

  @Test(
    arguments: [
      ("missing_column.csv", 2, "mem_gib"),
      ("unknown_column.csv", 2, "disk_gib"),
      ("non_numeric_cpu.csv", 4, "cpu_cores"),
      ("negative_memory.csv", 6, "mem_gib"),
      ("nan_cpu.csv", 3, "cpu_cores"),
      ("bad_time.csv", 4, "time_s"),
      ("negative_time.csv", 3, "time_s"),
      ("truncated_last_line.csv", 5, "cpu_cores"),
      ("empty_entity.csv", 4, "entity"),
      ("leading_gap.csv", 5, "time_s"),
    ] as [(String, Int, String)])
  func malformedFileNamesLineAndField(name: String, line: Int, field: String) throws {
    let error = try #require(failure(name))
    #expect(error.line == line, "\(error)")
    #expect(error.field == field, "\(error)")
    #expect(error.file == fixture(name).path)
    #expect(error.description.hasPrefix("\(fixture(name).path):\(line): \(field): "))
  }

  @Test func malformedCellsExplainThemselves() throws {
    #expect(try #require(failure("nan_cpu.csv")).message.contains("NaN"))
    #expect(try #require(failure("negative_memory.csv")).message.contains("negative"))
    #expect(try #require(failure("bad_time.csv")).message.contains("'noon'"))
    #expect(try #require(failure("unknown_column.csv")).message.contains("unknown header column"))
    #expect(try #require(failure("truncated_last_line.csv")).message.contains("2 fields, expected 4"))
    #expect(try #require(failure("leading_gap.csv")).message.contains("'late'"))
  }

  @Test func lineWithTooManyFields() throws {
    let error = try #require(failure("too_many_fields.csv"))
    #expect(error.line == 3)
    #expect(error.field == nil)
    #expect(error.message.contains("5 fields, expected 4"))
  }

  @Test func emptyFilesAndFilesWithoutData() throws {
    let empty = try #require(failure("empty.csv"))
    #expect(empty.line == 1 && empty.field == nil && empty.message.contains("empty file"))
    let comments = try #require(failure("comments_only.csv"))
    #expect(comments.line == 3 && comments.message.contains("no header"))
    let headerOnly = try #require(failure("header_only.csv"))
    #expect(headerOnly.line == 2 && headerOnly.message.contains("no data rows"))
  }

  @Test func entityWithoutSamplesBeforeTheHorizon() throws {
    let error = try #require(failure("beyond_horizon.csv", horizonSeconds: 600))
    #expect(error.line == 4)
    #expect(error.field == "time_s")
    #expect(error.message.contains("'future'") && error.message.contains("horizon"))
    // With a long enough horizon the same file still fails, now on the leading gap.
    let later = try #require(failure("beyond_horizon.csv", horizonSeconds: 7_260))
    #expect(later.line == 4 && later.message.contains("first interval"))
  }

  @Test func missingFileAndBadParameters() {
    #expect(failure("no_such_file.csv")?.message.contains("cannot open") == true)
    #expect(
      throws: WorkloadError.self,
      performing: {
        try NativeTraceReader.parse(
          "entity,time_s,cpu_cores,mem_gib\na,0,1,1\n", file: "x", intervalMilliseconds: 0,
          horizonMilliseconds: 1000)
      })
    do {
      _ = try NativeTraceReader.parse("", file: "x", intervalMilliseconds: 1000, horizonMilliseconds: 0)
      Issue.record("a zero horizon was accepted")
    } catch {
      #expect(error.field == "horizonMilliseconds")
    }
  }

  @Test func headerNamesAreCaseInsensitiveAndSystemIsAccepted() throws {
    let s = try NativeTraceReader.parse(
      "SYSTEM,Time_S,cpu_cores,MEM_GIB\nweb,0,1,2\n", file: "x", intervalMilliseconds: 1000,
      horizonMilliseconds: 1000)
    #expect(s.names == ["web"] && s.cpu(entity: 0, sample: 0) == 1)
  }

  @Test func repeatedHeaderColumnIsAnError() {
    do {
      _ = try NativeTraceReader.parse(
        "# c\nvm,system,time_s,cpu_cores,mem_gib\n", file: "x", intervalMilliseconds: 1000,
        horizonMilliseconds: 1000)
      Issue.record("a repeated entity column was accepted")
    } catch {
      #expect(error.line == 2 && error.field == "system")
    }
  }

  /// Every way of cutting the input into two chunks gives the same result as one chunk.
  @Test func chunkBoundariesDoNotMatter() throws {
    let text =
      "\u{FEFF}# c\r\nentity,time_s,cpu_cores,mem_gib\r\nab,0,1,2\r\ncd,0.5,3,4\r\nab,1.5,5,6\r\ncd,1,7,8"
    let bytes = Array(text.utf8)
    func run(_ cuts: [Int]) throws -> TraceImport {
      var parser = try TraceParser(file: "x", intervalMilliseconds: 1000, horizonMilliseconds: 2000)
      var start = 0
      for cut in cuts + [bytes.count] {
        let piece = Array(bytes[start..<cut])
        let result = piece.withUnsafeBufferPointer { buffer in
          Result { () throws(WorkloadError) in try parser.consume(buffer) }
        }
        try result.get()
        start = cut
      }
      return try parser.finish()
    }
    let whole = try run([])
    #expect(Array(whole.series.cpu(0)) == [1, 5])
    #expect(Array(whole.series.cpu(1)) == [3, 7])
    for cut in 0...bytes.count {
      #expect(try run([cut]) == whole, "cut at \(cut)")
    }
    #expect(try run(Array(1..<bytes.count)) == whole)  // one byte at a time
  }

  /// A file larger than the reader's chunk size reads the same as the parsed text.
  @Test func largeFileIsStreamedInChunks() throws {
    let entities = ["alpha", "beta", "gamma", "delta"]
    var lines = ["# generated", "entity,time_s,cpu_cores,mem_gib"]
    lines.reserveCapacity(60_000)
    for t in 0..<14_400 {
      for (i, e) in entities.enumerated() {
        lines.append("\(e),\(t * 10),\(Double((t * 7 + i) % 50) / 8),\(16 + i)")
      }
    }
    let text = lines.joined(separator: "\n") + "\n"
    #expect(text.utf8.count > NativeTraceReader.chunkSize)
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "workload-\(UUID().uuidString).csv")
    try Data(text.utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let read = try NativeTraceReader.readWithReport(
      contentsOf: url, intervalMilliseconds: 60_000, horizonMilliseconds: 144_000_000)
    let parsed = try NativeTraceReader.parseWithReport(
      text, file: url.path, intervalMilliseconds: 60_000, horizonMilliseconds: 144_000_000)
    #expect(read == parsed)
    #expect(read.series.names == entities)
    #expect(read.series.sampleCount == 2_400)
    #expect(read.rowCount == 57_600)
    #expect(read.forwardFilledBuckets == [0, 0, 0, 0])
    // Bucket 0 of alpha: t = 0…50 s, cpu (7t mod 50)/8 for t = 0…5.
    let firstBucket: [Double] = (0..<6).map { (t: Int) -> Double in Double((t * 7) % 50) / 8 }
    let expected = firstBucket.reduce(0, +) / 6
    #expect(abs(Double(read.series.cpu(entity: 0, sample: 0)) - expected) < 1e-5)
  }

  @Test func numbersAreParsedExactly() {
    func number(_ s: String) -> Double? {
      let bytes = Array(s.utf8)
      return bytes.withUnsafeBufferPointer { TraceParser.number($0, 0..<$0.count) }
    }
    #expect(number("0") == 0)
    #expect(number("42") == 42)
    #expect(number("-1.25") == -1.25)
    #expect(number("+3") == 3)
    #expect(number(".5") == 0.5)
    #expect(number("5.") == 5)
    #expect(number("1e3") == 1000)
    #expect(number("2.5E-2") == 0.025)
    #expect(number("0.1") == 0.1)
    #expect(number("3600.001") == 3600.001)
    #expect(number("0.000000000000000000000000001") == 1e-27)
    #expect(number("123456789012345678901234567890") == 123456789012345678901234567890.0)
    #expect(number("1e400") == .infinity)
    #expect(number("NaN")?.isNaN == true)
    #expect(number("-inf") == -.infinity)
    #expect(number("") == nil)
    #expect(number("-") == nil)
    #expect(number(".") == nil)
    #expect(number("1.2.3") == nil)
    #expect(number("1e") == nil)
    #expect(number("0x10") == nil)
    #expect(number("12a") == nil)
    #expect(number("nano") == nil)
  }
}
