import Foundation
import Testing

@testable import Workload

@Suite struct Google2011ImporterTests {
  @Test func readsAGzipPart() throws {
    let (sink, summary) = try importTrace(.google2011, "google-2011/task_events/part-00000-of-00500.csv.gz")
    #expect(summary.rows == 12)
    #expect(summary.textBytes > summary.bytes)  // inflated
    #expect(
      sink.entities.map(\.name) == [
        "3418309-0", "3418309-1", "3418314-0", "3418314-1", "6251687275-568",
      ])
    #expect(sink.entities.allSatisfy { $0.cpuCapacityCores == nil && $0.memoryCapacityGiB == nil })
    // Missing info: no request known, pending → 0.
    #expect(sink.entities[0].times == [0])
    #expect(sink.entities[0].cpu == [0])
    // SUBMIT then SCHEDULE at t = 0: the later event wins, with the SCHEDULE row's request.
    #expect(sink.entities[2].times == [0])
    #expect(sink.entities[2].cpu == [0.0625])
    #expect(sink.entities[2].memory == [0.09473])
    // SUBMIT, SCHEDULE, EVICT, re-SUBMIT (same ms), SCHEDULE, KILL; µs → ms after the 600 s offset.
    let task = sink.entities[4]
    #expect(task.times == [270_117, 272_251, 784_976, 786_875, 1_483_549])
    #expect(task.cpu == [0, 0.02499, 0, 0.02499, 0])
    #expect(task.memory == [0, 0.03339, 0, 0.03339, 0])
    #expect(repair(sink, "event before the trace window")?.count == 6)
    #expect(repair(sink, "empty CPU or memory request")?.count == 2)
  }

  @Test func readsAFolderOfPartsAndSkipsPlainCopies() throws {
    let (sink, summary) = try importTrace(.google2011, "google-2011/task_events")
    #expect(summary.files == 2)
    #expect(summary.rows == 15)
    #expect(sink.entities.count == 8)
    #expect(summary.samples == 12)
    #expect(sink.entities[5].name == "6251812952-1761")
    #expect(sink.entities[5].times == [5_011_824])
    let skipped = repair(sink, "part present as .csv.gz and .csv")
    #expect(skipped?.count == 1)
    #expect(skipped?.file.hasSuffix("part-00001-of-00500.csv") == true)
  }

  @Test func plainAndGzipPartsAgree() throws {
    let plain = try importTrace(.google2011, "google-2011/task_events/part-00001-of-00500.csv").sink
    let gzip = try importTrace(.google2011, "google-2011/task_events/part-00001-of-00500.csv.gz").sink
    #expect(plain.entities == gzip.entities)
  }

  @Test func rejectsUnknownEventTypes() throws {
    let folder = temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("part-00000-of-00001.csv")
    try "600000000,,1,0,,9,user,0,0,0.1,0.1,0,0\n".write(to: url, atomically: true, encoding: .utf8)
    let error = importError(.google2011, url)
    #expect(error?.line == 1)
    #expect(error?.field == "event type")
  }
}
