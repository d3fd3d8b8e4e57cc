import Foundation
import Testing

@testable import Workload

/// Counts what an importer sends, keeping nothing (so the figure is the importer's, not a store's).
private struct CountingSink: TraceSink {
  var entities = 0
  var samples = 0
  var checksum = 0.0

  mutating func declare(entity name: String, cpuCapacityCores: Double?, memoryCapacityGiB: Double?) -> Int {
    entities += 1
    return entities - 1
  }

  mutating func append(
    entity: Int, timeMilliseconds: Int64, cpuUtilisation: Double, memoryUtilisation: Double
  ) {
    samples += 1
    checksum += cpuUtilisation
  }

  mutating func repair(_ repair: TraceRepair) {}
}

/// CSV ingest throughput on one core, beside `wc -l` on the same files in the same session.
/// Runs only with `YUNHE_IMPORT_THROUGHPUT=1` and the shared samples; build in release:
/// `YUNHE_IMPORT_THROUGHPUT=1 swift test -c release --filter ImportThroughput`.
@Suite(
  .serialized,
  .enabled(
    if: sharedTraces != nil && ProcessInfo.processInfo.environment["YUNHE_IMPORT_THROUGHPUT"] == "1",
    "set YUNHE_IMPORT_THROUGHPUT=1 (release build) and provide ../shared/data/traces"))
struct ImportThroughputTests {
  static let repetitions = 7

  /// Best wall time of `repetitions` runs of `body`, in seconds.
  private func best(_ body: () throws -> Void) rethrows -> Double {
    var fastest = Double.infinity
    for _ in 0..<Self.repetitions {
      let start = DispatchTime.now().uptimeNanoseconds
      try body()
      fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return fastest
  }

  /// Best wall time of `wc -l` over `files` (one process, as a shell would run it).
  private func wordCount(_ files: [String]) throws -> Double {
    try best {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/usr/bin/wc")
      process.arguments = ["-l"] + files
      process.standardOutput = FileHandle.nullDevice
      try process.run()
      process.waitUntilExit()
    }
  }

  private func measure(_ format: TraceFormat, _ folder: URL) throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }
      .map { folder.path + "/" + $0 }
    var summary = ImportSummary()
    var counted = CountingSink()
    let seconds = try best {
      var sink = CountingSink()
      summary = try TraceImporters.read(format, folder, into: &sink)
      counted = sink
    }
    let wc = try wordCount(files)
    let megabytes = Double(summary.bytes) / 1e6
    print(
      String(
        format:
          "THROUGHPUT %@: %d files, %.2f MB, %d rows, %d samples: importer %.1f ms = %.1f MB/s; wc -l %.1f ms = %.1f MB/s; ratio %.2f",
        format.rawValue, summary.files, megabytes, summary.rows, counted.samples, seconds * 1000,
        megabytes / seconds,
        wc * 1000, megabytes / wc, seconds / wc))
    #expect(counted.samples == summary.samples)
  }

  @Test func bitbrains() throws {
    try measure(.bitbrains, sharedTraces!.appendingPathComponent("bitbrains-rnd/2013-7"))
  }

  @Test func planetLab() throws {
    try measure(.planetlab, sharedTraces!.appendingPathComponent("planetlab/20110303"))
  }
}
