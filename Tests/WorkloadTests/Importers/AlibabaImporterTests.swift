import Foundation
import Testing

@testable import Workload

@Suite struct AlibabaMachineImporterTests {
  @Test func readsUsageWithMetaCapacities() throws {
    let (sink, summary) = try importTrace(.alibabaMachine, "alibaba-v2018")
    #expect(sink.entities.map(\.name) == ["m_1932", "m_1933", "m_1934"])
    #expect(sink.entities.allSatisfy { $0.cpuCapacityCores == 96 && $0.memoryCapacityGiB == nil })
    #expect(sink.entities.map(\.times.count) == [5, 5, 5])
    #expect(summary.rows == 15 + 15)  // meta + usage
    let m = sink.entities[0]
    #expect(m.times.first == 386_640_000)  // relative seconds → ms
    #expect(m.cpu.first == 0.41)
    #expect(m.memory.first == 0.92)
    #expect(m.times.last == 386_930_000)
    #expect(m.cpu.last == 0.44)
    #expect(m.memory.last == 0.93)
    // Irregular sampling passes through as is.
    #expect(sink.entities[1].times == [140_000, 180_000, 250_000, 430_000, 500_000])
    let sentinel = repair(sink, "disk_io_percent is -1 or 101")
    #expect(sentinel?.count == 1)
    #expect(sentinel?.firstLine == 13)
    #expect(sink.entities[2].times.count == 5)  // that row is kept
  }

  @Test func acceptsTheUsageFileWithItsMetaAlongside() throws {
    let (sink, _) = try importTrace(.alibabaMachine, "alibaba-v2018/machine_usage.csv")
    #expect(sink.entities.count == 3)
  }

  @Test func decreasingTimesAreDroppedOrRejected() throws {
    let (sink, _) = try importTrace(.alibabaMachine, "bad/alibaba-decreasing")
    #expect(sink.entities[0].times.count == 5)
    #expect(repair(sink, "decreasing timestamp")?.firstLine == 4)
    let error = importError(.alibabaMachine, "bad/alibaba-decreasing", options: rejectingOptions)
    #expect(error?.line == 4)
    #expect(error?.field == "time_stamp")
  }

  @Test func sentinelsAndEmptyCellsDropRows() throws {
    let folder = temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try FileManager.default.copyItem(
      at: importerFixture("alibaba-v2018/machine_meta.csv"),
      to: folder.appendingPathComponent("machine_meta.csv"))
    let rows = """
      m_1932,10,41,92,,,43.04,33.08,5
      m_1932,20,-1,92,,,43.04,33.08,5
      m_1932,30,50,101,,,43.04,33.08,5
      m_1932,40,,90,,,43.04,33.08,5
      ,50,10,10,,,43.04,33.08,5
      m_9999,60,10,20,,,1,1,101

      """
    try rows.write(to: folder.appendingPathComponent("machine_usage.csv"), atomically: true, encoding: .utf8)
    let (sink, summary) = try importTrace(.alibabaMachine, folder)
    #expect(sink.entities.map(\.name) == ["m_1932", "m_9999"])
    #expect(sink.entities[0].times == [10_000])
    #expect(sink.entities[1].cpuCapacityCores == nil)
    #expect(summary.repairCount("cpu_util_percent is -1 or 101") == 1)
    #expect(summary.repairCount("mem_util_percent is -1 or 101") == 1)
    #expect(summary.repairCount("empty cpu_util_percent") == 1)
    #expect(summary.repairCount("empty machine_id") == 1)
    #expect(summary.repairCount("machine not in machine_meta") == 1)
    #expect(summary.repairCount("disk_io_percent") == 1)
  }
}

@Suite struct AlibabaContainerImporterTests {
  @Test func readsHandMadeRowsFromTheSchema() throws {
    let (sink, summary) = try importTrace(.alibabaContainer, "alibaba-container")
    #expect(sink.entities.map(\.name) == ["c_1", "c_2", "c_3", "c_9"])
    #expect(sink.entities.map(\.cpuCapacityCores) == [4, 4, 1, nil])  // largest cpu_request / 100
    #expect(sink.entities.allSatisfy { $0.memoryCapacityGiB == nil })
    let c1 = sink.entities[0]
    #expect(c1.times == [100_000, 110_000, 120_000])
    #expect(c1.cpu == [0.2, 0.4, 0.3])
    #expect(c1.memory == [0.5, 0.51, 0.52])
    // c_2's request doubles at 300000 s: 50 % of 200 then of 400, against a capacity of 400.
    let c2 = sink.entities[1]
    #expect(c2.times == [100_000, 300_010_000])
    #expect(c2.cpu == [0.25, 0.5])
    #expect(sink.entities[2].times == [110_000])  // the 101 row is dropped
    #expect(sink.entities[3].cpu == [0.1])
    #expect(summary.repairCount("container_meta: cpu_request changes") == 1)
    #expect(summary.repairCount("cpu_util_percent is -1 or 101") == 1)
    #expect(summary.repairCount("empty container_id") == 1)
    #expect(summary.repairCount("container not in container_meta") == 1)
    #expect(summary.repairCount("disk_io_percent") == 1)
    #expect(summary.samples == 7)
  }

  @Test func needsTheMetaTable() {
    let error = importError(.alibabaContainer, "alibaba-v2018")
    #expect(error?.message.contains("no container_usage.csv") == true)
  }
}
