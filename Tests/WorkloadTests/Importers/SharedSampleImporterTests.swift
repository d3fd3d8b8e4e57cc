import Foundation
import Testing

@testable import Workload

/// Imports the full shared samples (`../shared/data/traces`) and checks the counts stated in each
/// folder's SOURCE.md. Skipped when the samples are not there.
@Suite(.enabled(if: sharedTraces != nil, "needs ../shared/data/traces"))
struct SharedSampleImporterTests {
  private func traces(_ path: String) -> URL { sharedTraces!.appendingPathComponent(path) }

  @Test func planetLab20110303() throws {
    let (sink, summary) = try importTrace(.planetlab, traces("planetlab/20110303"))
    #expect(sink.entities.count == 1052)
    #expect(summary.bytes == 713_034)
    #expect(sink.entities.allSatisfy { $0.cpu.count == 288 })
    let all = sink.entities.flatMap(\.cpu)
    let mean = all.reduce(0, +) / Double(all.count)
    #expect(abs(mean - 0.1231) < 0.00005)  // 12.31 %
    let zeros = Double(all.filter { $0 == 0 }.count) / Double(all.count)
    #expect(abs(zeros - 0.150) < 0.0005)  // 15.0 %
    // Byte order of names, as in 20110303.order.txt.
    let order = try String(contentsOf: traces("planetlab/20110303.order.txt"), encoding: .utf8)
      .split(separator: "\n").map(String.init)
    #expect(sink.entities.map(\.name) == order)
  }

  @Test func bitbrainsRnd2013_7() throws {
    let (sink, summary) = try importTrace(.bitbrains, traces("bitbrains-rnd/2013-7"))
    #expect(sink.entities.count == 39)
    // SOURCE.md says 39,463,993 bytes: that is `du -sb`, which adds the 4,096-byte folder entry.
    #expect(summary.bytes == 39_459_897)
    #expect(summary.rows == 322_409)
    #expect(summary.repairCount("duplicated timestamp") == 4158)
    #expect(summary.samples == 322_409 - 4158)
    // 19,921 all-zero rows and 3 more with cores = capacity = 0.
    #expect(summary.repairCount("VM off") == 19_924)
    // Capacities change within 28 of the 39 files.
    #expect(summary.repairs.filter { $0.kind.hasPrefix("provisioned capacity changes") }.count == 28)
    let byName = Dictionary(uniqueKeysWithValues: sink.entities.map { ($0.name, $0) })
    #expect(byName["14"]?.times.count == 428)
    #expect(byName["20"]!.times.count + 4158 == 16_553)
    #expect(sink.entities.compactMap(\.times.first).min() == 1_372_629_804_000)
    #expect(sink.entities.compactMap(\.times.last).max() == 1_375_221_457_000)
    let rows = sink.entities.filter { $0.name != "14" && $0.name != "20" }.map(\.times.count)
    #expect(rows.min()! >= 8246 && rows.max()! <= 8262)
  }

  @Test func alibabaMachineTables() throws {
    let (sink, summary) = try importTrace(.alibabaMachine, traces("alibaba-v2018"))
    #expect(summary.rows == 17_592 + 100_002)
    #expect(sink.entities.map(\.name) == (1932...1947).map { "m_\($0)" })
    #expect(summary.samples == 100_002)
    #expect(summary.repairCount("disk_io_percent") == 16)
    #expect(sink.entities.allSatisfy { $0.cpuCapacityCores == 96 })
    #expect(sink.entities[0].times.first == 386_640_000)
    #expect(sink.entities.last?.times.count == 1148)
    #expect(sink.entities.last?.times.last == 188_370_000)
    #expect(sink.entities.compactMap(\.times.last).max() == 691_180_000)
    let cpu = sink.entities.flatMap(\.cpu)
    #expect(cpu.min() == 0.03 && cpu.max() == 0.94)
  }

  @Test func googleTaskEventsPart0() throws {
    let (sink, summary) = try importTrace(
      .google2011, traces("google-2011/task_events/part-00000-of-00500.csv.gz"))
    #expect(summary.rows == 450_146)
    #expect(summary.bytes == 4_139_742)
    #expect(summary.textBytes == 48_233_029)
    #expect(sink.entities.count == 190_926)  // distinct (job ID, task index)
    #expect(summary.repairCount("event before the trace window") == 277_321)
    #expect(summary.repairCount("empty CPU or memory request") == 291)
  }

  @Test func googleTaskEventsPart1() throws {
    let (_, gzip) = try importTrace(.google2011, traces("google-2011/task_events/part-00001-of-00500.csv.gz"))
    #expect(gzip.rows == 77_776)
    #expect(gzip.bytes == 924_634)
    #expect(gzip.textBytes == 8_651_621)
  }

  @Test func alibabaGPULists() throws {
    let (nodes, nodeSummary) = try importTrace(
      .alibabaGPU2023, traces("alibaba-gpu-2023/openb_node_list_all_node.csv"))
    #expect(nodes.entities.count == 1523)
    #expect(nodeSummary.gpu?.entitiesWithGPU == 1213)  // 310 CPU-only nodes
    // G2 549, T4 404, P100 134, V100M16 55, G3 39, V100M32 30, A10 2 nodes (SOURCE.md).
    #expect(nodeSummary.gpu?.byModel.map(\.model) == ["A10", "G2", "G3", "P100", "T4", "V100M16", "V100M32"])
    let (gpuNodes, _) = try importTrace(
      .alibabaGPU2023, traces("alibaba-gpu-2023/openb_node_list_gpu_node.csv"))
    #expect(gpuNodes.entities.count == 1213)
    let (pods, podSummary) = try importTrace(
      .alibabaGPU2023, traces("alibaba-gpu-2023/openb_pod_list_default.csv"))
    #expect(pods.entities.count == 8152)
    #expect(podSummary.gpu?.entitiesWithGPU == 8152 - 1088)
    #expect(podSummary.gpu?.sharedGPUPods == 3078)
    #expect(podSummary.repairCount("pod never scheduled") == 897)
    let (spec, _) = try importTrace(.alibabaGPU2023, traces("alibaba-gpu-2023/openb_pod_list_gpuspec33.csv"))
    #expect(spec.entities.count == 8152)
    let (multi, _) = try importTrace(
      .alibabaGPU2023, traces("alibaba-gpu-2023/openb_pod_list_multigpu20.csv"))
    #expect(multi.entities.count == 8324)
  }
}
