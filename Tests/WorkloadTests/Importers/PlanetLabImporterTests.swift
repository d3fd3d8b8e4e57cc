import Foundation
import Testing

@testable import Workload

@Suite struct PlanetLabImporterTests {
  @Test func readsAFolderInByteOrder() throws {
    let (sink, summary) = try importTrace(.planetlab, "planetlab/20110303")
    #expect(
      sink.entities.map(\.name) == [
        "146-179_surfsnel_dsl_internl_net_colostate_557", "75-130-96-12_static_oxfr_ma_charter_com_root",
        "aladdin_planetlab_extranet_uni-passau_de_ rnp_dcc_ufjf",
      ])
    #expect(summary.files == 3)
    #expect(summary.rows == 864)
    #expect(summary.samples == 864)
    #expect(sink.repairs.isEmpty)
    for entity in sink.entities {
      #expect(entity.times.count == 288)
      #expect(entity.times.first == 0)
      #expect(entity.times.last == Int64(287 * 300_000))
      #expect(entity.cpuCapacityCores == nil)
      #expect(entity.memoryCapacityGiB == nil)
      #expect(entity.memory.allSatisfy { $0.isNaN })
    }
    // First and last lines: 24/51, 4/11, 62/77 percent.
    #expect(sink.entities[0].cpu.first == 0.24)
    #expect(sink.entities[0].cpu.last == 0.51)
    #expect(sink.entities[1].cpu.first == 0.04)
    #expect(sink.entities[1].cpu.last == 0.11)
    #expect(sink.entities[2].cpu.first == 0.62)
    #expect(sink.entities[2].cpu.last == 0.77)
    let total = sink.entities.flatMap(\.cpu).reduce(0, +)
    #expect(abs(total - 301.91) < 1e-9)  // awk: 30191 percent in all
  }

  @Test func readsOneFile() throws {
    let (sink, _) = try importTrace(
      .planetlab, "planetlab/20110303/75-130-96-12_static_oxfr_ma_charter_com_root")
    #expect(sink.entities.map(\.name) == ["75-130-96-12_static_oxfr_ma_charter_com_root"])
    #expect(sink.entities[0].cpu.count == 288)
  }

  @Test func sampleCountCanBeRelaxed() throws {
    var options = ImportOptions()
    options.planetLabSamplesPerFile = nil
    let (sink, _) = try importTrace(.planetlab, "bad/planetlab-truncated", options: options)
    #expect(sink.entities[0].cpu.count == 200)
  }

  @Test func dispatchFindsEveryImporter() {
    for format in TraceFormat.allCases {
      #expect(TraceImporters.importer(for: format).format == format)
    }
  }
}
