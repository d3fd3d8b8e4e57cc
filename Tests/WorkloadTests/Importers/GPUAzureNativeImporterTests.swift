import Foundation
import Testing

@testable import Workload

@Suite struct AlibabaGPU2023ImporterTests {
  @Test func readsAPodListAsRequestsOverTime() throws {
    let (sink, summary) = try importTrace(.alibabaGPU2023, "alibaba-gpu-2023/openb_pod_list_default.csv")
    #expect(sink.entities.count == 8)
    #expect(summary.samples == 17)
    let first = sink.entities[0]
    #expect(first.name == "openb-pod-0000")
    #expect(first.cpuCapacityCores == 12)  // 12000 milli-cores
    #expect(first.memoryCapacityGiB == 16)  // 16384 MiB
    // Created and scheduled at 0 (the later event wins), deleted at 12537496 s.
    #expect(first.times == [0, 12_537_496_000])
    #expect(first.cpu == [1, 0])
    #expect(first.memory == [1, 0])
    let cpuOnly = sink.entities[5]
    #expect(cpuOnly.name == "openb-pod-0005")
    #expect(cpuOnly.times == [2_759_674_000, 2_759_676_000, 12_902_960_000])
    #expect(cpuOnly.cpu == [0, 1, 0])
    let pending = sink.entities[7]
    #expect(pending.name == "openb-pod-0061")
    #expect(pending.cpu == [0, 0])
    #expect(repair(sink, "pod never scheduled")?.count == 1)
    let gpu = try #require(summary.gpu)
    #expect(gpu.entitiesWithGPU == 7)
    #expect(gpu.gpus == 12.92)  // 1 + 0.46 + 1 + 0.46 + 1 + 8 + 1
    #expect(gpu.sharedGPUPods == 2)
    #expect(repair(sink, "GPU request not imported")?.count == 7)
  }

  @Test func readsTheFiveColumnVariant() throws {
    let (sink, summary) = try importTrace(.alibabaGPU2023, "alibaba-gpu-2023/openb_pod_list_multigpu20.csv")
    #expect(sink.entities.count == 4)
    #expect(sink.entities.allSatisfy { $0.times == [0] && $0.cpu == [1] })
    #expect(summary.gpu?.sharedGPUPods == 2)
  }

  @Test func readsANodeListAsCapacities() throws {
    let (sink, summary) = try importTrace(.alibabaGPU2023, "alibaba-gpu-2023/openb_node_list_all_node.csv")
    #expect(sink.entities.map(\.cpuCapacityCores) == [32, 32, 64, 64, 64])
    #expect(sink.entities.allSatisfy { $0.memoryCapacityGiB == 256 && $0.times.isEmpty })
    #expect(summary.gpu?.gpus == 6)
    #expect(summary.gpu?.byModel == [GPUModelCount(model: "P100", gpus: 6)])
  }

  @Test func aFolderMeansTheDefaultPodList() throws {
    let (sink, _) = try importTrace(.alibabaGPU2023, "alibaba-gpu-2023")
    #expect(sink.entities.count == 8)
  }
}

@Suite struct AzureV1ImporterTests {
  @Test func readsHandMadeRowsInFileNumberOrder() throws {
    let (sink, summary) = try importTrace(.azureV1, "azure-v1")
    #expect(summary.files == 4)
    #expect(sink.entities.map(\.name) == ["vm1hash", "vm3hash", "vm2hash", "vm4hash"])
    #expect(sink.entities.map(\.cpuCapacityCores) == [2, 1, 4, nil])
    #expect(sink.entities.map(\.memoryCapacityGiB) == [3.5, 0.75, 24, nil])
    let vm1 = sink.entities[0]
    // file-10 comes after file-2, so vm1's times increase.
    #expect(vm1.times == [0, 300_000, 600_000, 900_000, 1_200_000])
    #expect(vm1.cpu == [0.1, 0.125, 0.08, 0.09, 0.075])
    #expect(vm1.memory.allSatisfy { $0.isNaN })
    #expect(repair(sink, "decreasing") == nil)
    #expect(summary.repairCount("vm memory (gb) is a bucket bound") == 1)
    #expect(summary.repairCount("VM not in vmtable") == 1)
  }
}

@Suite struct NativeImporterTests {
  @Test func declaresPeaksAsCapacity() throws {
    let (sink, summary) = try importTrace(.native, "native/native.csv")
    #expect(sink.entities.map(\.name) == ["web", "db"])
    #expect(sink.entities[0].cpuCapacityCores == 4)
    #expect(sink.entities[0].memoryCapacityGiB == 6)
    #expect(sink.entities[0].times == [0, 60_000, 120_000])
    #expect(sink.entities[0].cpu == [0.5, 1, 0.25])
    #expect(sink.entities[0].memory == [4.0 / 6, 1, 0.5])
    #expect(sink.entities[1].cpu == [1, 0.5])
    #expect(summary.rows == 5)
  }

  @Test func reportsTheNativeReadersErrors() {
    let error = importError(.native, "bad/empty.csv")
    #expect(error?.message.contains("empty file") == true)
  }
}
