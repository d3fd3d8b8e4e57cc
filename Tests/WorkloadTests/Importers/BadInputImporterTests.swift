import Foundation
import Testing

@testable import Workload

/// One or more malformed inputs per kind of bad input: each is a clear error naming file, line and
/// field, or a counted repair.
@Suite struct BadInputImporterTests {
  @Test func truncatedLastLine() throws {
    let error = try #require(importError(.bitbrains, "bad/bitbrains-truncated-last-line.csv"))
    #expect(error.file?.hasSuffix("bitbrains-truncated-last-line.csv") == true)
    #expect(error.line == 4)
    #expect(error.field == "CPU usage [%]")
    #expect(error.message.contains("4 fields, expected 11 (truncated line"))
  }

  @Test func lastLineWithoutLineEndIsACountedRepair() throws {
    let (sink, _) = try importTrace(.bitbrains, "bad/bitbrains-no-final-newline.csv")
    #expect(sink.entities[0].times.count == 3)
    let noLineEnd = try #require(repair(sink, "last line has no line end"))
    #expect(noLineEnd.firstLine == 4)
    #expect(noLineEnd.count == 1)
  }

  @Test func wrongSeparator() throws {
    let comma = try #require(importError(.bitbrains, "bad/bitbrains-comma-separator.csv"))
    #expect(comma.line == 1)
    #expect(comma.message.contains("separated by ','"))
    #expect(comma.message.contains("wrong separator"))
    let lone = try #require(importError(.bitbrains, "bad/bitbrains-lone-semicolon.csv"))
    #expect(lone.line == 3)
    #expect(lone.field == "CPU cores")
    #expect(lone.message.contains("wrong separator"))
    let semicolon = try #require(importError(.alibabaMachine, "bad/alibaba-semicolon"))
    #expect(semicolon.file?.hasSuffix("machine_usage.csv") == true)
    #expect(semicolon.line == 1)
    #expect(semicolon.message.contains("it seems to use ';'"))
  }

  @Test func nonNumericCell() throws {
    let alibaba = try #require(importError(.alibabaMachine, "bad/alibaba-non-numeric"))
    #expect(alibaba.line == 3)
    #expect(alibaba.field == "cpu_util_percent")
    #expect(alibaba.message == "not a number: 'abc'")
    let planetlab = try #require(importError(.planetlab, "bad/planetlab-non-numeric"))
    #expect(planetlab.file?.hasSuffix("planetlab-non-numeric/vm_a") == true)
    #expect(planetlab.line == 7)
    #expect(planetlab.message == "not a number: '12%'")
  }

  @Test func negativeOrNaNValue() throws {
    let negative = try #require(importError(.planetlab, "bad/planetlab-negative"))
    #expect(negative.line == 10)
    #expect(negative.message.contains("must not be negative"))
    let memory = try #require(importError(.bitbrains, "bad/bitbrains-negative.csv"))
    #expect(memory.line == 3)
    #expect(memory.field == "Memory usage [KB]")
    let nan = try #require(importError(.bitbrains, "bad/bitbrains-nan.csv"))
    #expect(nan.line == 4)
    #expect(nan.field == "CPU usage [MHZ]")
    #expect(nan.message == "value is NaN")
  }

  @Test func emptyFile() throws {
    for format in [TraceFormat.bitbrains, .planetlab, .google2011, .alibabaGPU2023, .native] {
      let error = try #require(importError(format, "bad/empty.csv"), "\(format)")
      #expect(error.message.contains("empty file"), "\(format): \(error)")
      #expect(error.file?.hasSuffix("empty.csv") == true)
    }
    let folder = temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    #expect(importError(.planetlab, folder)?.message.contains("empty folder") == true)
  }

  @Test func missingColumn() throws {
    let header = try #require(importError(.bitbrains, "bad/bitbrains-missing-column.csv"))
    #expect(header.line == 1)
    #expect(header.field == "CPU usage [MHZ]")
    #expect(header.message.contains("missing header column 'CPU usage [MHZ]'"))
    let row = try #require(importError(.alibabaMachine, "bad/alibaba-missing-column"))
    #expect(row.line == 4)
    #expect(row.field == "disk_io_percent")
    #expect(row.message.contains("8 fields, expected 9"))
    let folder = temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let usage = folder.appendingPathComponent("machine_usage.csv")
    try FileManager.default.copyItem(at: importerFixture("alibaba-v2018/machine_usage.csv"), to: usage)
    let noMeta = try #require(importError(.alibabaMachine, usage))
    #expect(noMeta.message.contains("machine_meta.csv (or .csv.gz) not found next to it"))
  }

  @Test func headerLineInAHeaderlessFormat() throws {
    let error = try #require(importError(.alibabaMachine, "bad/alibaba-header"))
    #expect(error.line == 1)
    #expect(error.field == "time_stamp")
    #expect(error.message.contains("no header line"))
  }

  @Test func binaryGarbage() throws {
    let nul = try #require(importError(.bitbrains, "bad/binary-nul.csv"))
    #expect(nul.line == 2)
    #expect(nul.message.contains("binary data: a NUL byte"))
    let png = try #require(importError(.planetlab, "bad/binary-invalid-utf8.csv"))
    #expect(png.line == 1)
    #expect(png.message.contains("binary data: invalid UTF-8 at byte 0"))
    let gzip = try #require(importError(.google2011, "bad/google-truncated.csv.gz"))
    #expect(gzip.message.contains("gzip data ends early"))
  }

  @Test func overlongLineAndEntityBoundKeepMemoryBounded() throws {
    let folder = temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("one-line.csv")
    try Data(repeating: UInt8(ascii: "7"), count: 5000).write(to: url)
    var options = ImportOptions()
    options.maximumLineBytes = 1024
    options.chunkBytes = 512
    let long = try #require(importError(.planetlab, url, options: options))
    #expect(long.line == 1)
    #expect(long.message.contains("line longer than 1024 bytes"))
    var few = ImportOptions()
    few.maximumEntities = 2
    let entities = try #require(importError(.planetlab, "planetlab/20110303", options: few))
    #expect(entities.message.contains("more than 2 entities"))
  }

  @Test func truncatedPlanetLabFile() throws {
    let error = try #require(importError(.planetlab, "bad/planetlab-truncated"))
    #expect(error.line == 200)
    #expect(error.message == "200 samples, expected 288 (one day at 300 s): truncated file?")
  }
}

/// Low-level reading: chunk boundaries, gzip members, UTF-8, numbers.
@Suite struct ImporterMachineryTests {
  @Test func tinyChunksGiveTheSameSamples() throws {
    var tiny = ImportOptions()
    tiny.chunkBytes = 7
    tiny.maximumLineBytes = 300
    for (format, path) in [
      (TraceFormat.bitbrains, "bitbrains/2013-7"), (.google2011, "google-2011/task_events"),
      (.alibabaMachine, "alibaba-v2018"),
    ] {
      let normal = try importTrace(format, path).sink
      let chunked = try importTrace(format, path, options: tiny).sink
      #expect(normal.entities == chunked.entities, "\(format)")
    }
  }

  @Test func readsConcatenatedGzipMembersByteOrderMarkAndCRLF() throws {
    let folder = temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let part = try Data(contentsOf: importerFixture("google-2011/task_events/part-00001-of-00500.csv.gz"))
    let url = folder.appendingPathComponent("part-00000-of-00001.csv.gz")
    try (part + part).write(to: url)
    let (sink, summary) = try importTrace(.google2011, url)
    #expect(summary.rows == 6)
    #expect(sink.entities.count == 3)

    let native = folder.appendingPathComponent("native.csv")
    let text = "\u{FEFF}entity,time_s,cpu_cores,mem_gib\r\n网站,0,1,2\r\n网站,1.5,2,2\r\n"
    try text.write(to: native, atomically: true, encoding: .utf8)
    var tiny = ImportOptions()
    tiny.chunkBytes = 5  // splits the multi-byte name across chunks
    let (nativeSink, _) = try importTrace(.native, native, options: tiny)
    #expect(nativeSink.entities.map(\.name) == ["网站"])
    #expect(nativeSink.entities[0].times == [0, 1500])
  }

  @Test func parsesNumbersExactly() {
    let cases: [(String, Double?)] = [
      ("0", 0), ("12", 12), ("-1", -1), ("0.24", 0.24), ("29.259994499999998", 29.259994499999998),
      ("1034592.8", 1_034_592.8), ("8218624.0", 8_218_624), ("1e3", 1000), ("2.5E-3", 0.0025),
      ("12345678901234567890123", Double("12345678901234567890123")), ("", nil), ("-", nil), ("1.2.3", nil),
      ("12%", nil), ("0x10", nil), ("1e", nil), ("inf", .infinity),
    ]
    for (text, expected) in cases {
      var bytes = Array(text.utf8)
      let value = bytes.withUnsafeMutableBufferPointer { b in
        Cells.double(UnsafeBufferPointer(b), 0..<b.count)
      }
      #expect(value == expected, "\(text)")
    }
    var nan = Array("NaN".utf8)
    #expect(
      nan.withUnsafeMutableBufferPointer { Cells.double(UnsafeBufferPointer($0), 0..<3) }?.isNaN == true)
  }

  @Test func naturalOrderComparesNumbers() {
    let names = ["file-10-of-125", "file-2-of-125", "file-1-of-125", "file-02-of-125"]
    #expect(
      names.sorted(by: TraceFiles.naturalOrder) == [
        "file-1-of-125", "file-02-of-125", "file-2-of-125", "file-10-of-125",
      ])
  }
}

/// The byte-level number parser agrees with the standard library on many decimals.
@Suite struct NumberParsingTests {
  @Test func agreesWithTheStandardLibrary() {
    var generator = SystemRandomNumberGenerator()
    var texts: [String] = []
    for digits in 1...19 {
      for _ in 0..<400 {
        var text = ""
        for _ in 0..<digits { text.append(Character(String(Int.random(in: 0...9, using: &generator)))) }
        let point = Int.random(in: 0...digits, using: &generator)
        let index = text.index(text.startIndex, offsetBy: point)
        text.insert(".", at: index)
        texts.append(text)
      }
    }
    texts += [
      "0.1", "0.3", "29.259994499999998", "9007199254740993", "18446744073709551615", "0.30000000000000004",
    ]
    var mismatches: [String] = []
    for text in texts {
      var bytes = Array(text.utf8)
      let parsed = bytes.withUnsafeMutableBufferPointer {
        Cells.double(UnsafeBufferPointer($0), 0..<$0.count)
      }
      if parsed != Double(text) { mismatches.append(text) }
    }
    #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
  }
}
