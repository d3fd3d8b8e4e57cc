import Foundation
import Testing

@testable import Workload

@Suite struct TraceStoreDemandTests {
  /// vm: 4 cores / 16 GiB, samples 0.5, 0.25, missing (gap), 1.0; late: no capacity, starts at 2.
  func store() throws -> TraceStore {
    var builder = try TraceStoreBuilder(options: .init(forwardFillLimit: 0, source: "t.csv"))
    let vm = builder.declare(entity: "vm", cpuCapacityCores: 4, memoryCapacityGiB: 16)
    let late = builder.declare(entity: "late", cpuCapacityCores: nil, memoryCapacityGiB: nil)
    for (k, x) in [(0, 0.5), (1, 0.25), (3, 1.0)] {
      builder.append(
        entity: vm, timeMilliseconds: Int64(k) * 300_000, cpuUtilisation: x, memoryUtilisation: x / 2)
    }
    builder.append(entity: late, timeMilliseconds: 600_000, cpuUtilisation: 0.8, memoryUtilisation: .nan)
    return try builder.finish()
  }

  @Test func capacitySizingMultipliesUtilisation() throws {
    let s = try store().demandSeries(entities: [0], sampleCount: 5)
    #expect(Array(s.cpu(0)) == [2, 1, 0, 4, 0])
    #expect(Array(s.memory(0)) == [4, 2, 0, 8, 0])
    #expect(s.names == ["vm"])
    #expect(s.intervalMilliseconds == 300_000)
  }

  @Test func holdPreviousFillsMissingSamples() throws {
    let s = try store().demandSeries(
      entities: [0], sampleCount: 5, conversion: DemandConversion(missing: .holdPrevious))
    #expect(Array(s.cpu(0)) == [2, 1, 1, 4, 4])
  }

  @Test func fixedSizingAndRenamingAndNormalisation() throws {
    let normalisation = CPUNormalisation(sourceSpeed: 2.6, targetSpeed: 2.0)
    #expect(normalisation.validate().isEmpty)
    #expect(CPUNormalisation(sourceSpeed: 0, targetSpeed: 1).validate().count == 1)
    let s = try store().demandSeries(
      entities: [1, 0, 1], names: ["a", "b", "c"], startSample: 1, sampleCount: 3,
      conversion: DemandConversion(
        sizing: .fixed(cpuCores: 2, memoryGiB: 8), cpuFactor: normalisation.factor))
    #expect(s.names == ["a", "b", "c"])
    #expect(abs(Double(s.cpu(entity: 0, sample: 1)) - 0.8 * 2 * 1.3) < 1e-5)
    #expect(Array(s.cpu(0))[0] == 0)
    #expect(abs(Double(s.cpu(entity: 1, sample: 0)) - 0.25 * 2 * 1.3) < 1e-5)
    #expect(Array(s.memory(1)) == [1, 0, 4])
  }

  @Test func coarserIntervalsAverageThePresentSamples() throws {
    let s = try store().demandSeries(entities: [0], sampleCount: 2, intervalMilliseconds: 600_000)
    #expect(Array(s.cpu(0)) == [1.5, 4])
  }

  @Test func problemsAreErrorsNamingTheSource() throws {
    let st = try store()
    #expect(throws: WorkloadError.self) { _ = try st.demandSeries(entities: [1], sampleCount: 3) }
    #expect(throws: WorkloadError.self) {
      _ = try st.demandSeries(entities: [0], sampleCount: 3, intervalMilliseconds: 450_000)
    }
    #expect(throws: WorkloadError.self) {
      _ = try st.demandSeries(entities: [0, 0], sampleCount: 3)
    }
    do {
      _ = try st.demandSeries(entities: [1], sampleCount: 3)
    } catch {
      #expect(error.file == "t.csv")
      #expect(error.message.contains("CPU capacity of 'late'"))
    }
  }
}
