import Foundation
import Stochastics
import Testing

@testable import Workload

/// One reading: entity name, time in seconds, CPU and memory utilisation.
typealias Reading = (entity: String, seconds: Double, cpu: Double, memory: Double)

/// Builds a store from readings (entities declared on first appearance, capacity 4 cores / 16 GiB).
func buildStore(
  _ readings: [Reading], interval: Int64 = 300, fillLimit: Int = 3, window: Int = 4,
  capacity: (Double?, Double?) = (4, 16)
) throws -> TraceStore {
  var builder = try TraceStoreBuilder(
    options: .init(
      intervalMilliseconds: interval * 1000, forwardFillLimit: fillLimit, reorderWindow: window,
      format: "test", source: "readings"))
  var ids: [String: Int] = [:]
  for r in readings {
    let id: Int
    if let known = ids[r.entity] {
      id = known
    } else {
      id = builder.declare(entity: r.entity, cpuCapacityCores: capacity.0, memoryCapacityGiB: capacity.1)
      ids[r.entity] = id
    }
    builder.append(
      entity: id, timeMilliseconds: Int64((r.seconds * 1000).rounded()), cpuUtilisation: r.cpu,
      memoryUtilisation: r.memory)
  }
  return try builder.finish()
}

/// The CPU values of an entity's run, rounded to the code quantum (nil = missing).
func cpuRun(_ store: TraceStore, _ entity: Int) -> [Double?] {
  store.utilisation(.cpu, entity: entity).map { $0.isNaN ? nil : ($0 * 10_000).rounded() / 10_000 }
}

@Suite struct TraceStoreBuilderTests {
  @Test func bucketHoldsTheMeanOfItsReadings() throws {
    let store = try buildStore([
      ("vm", 0, 0.1, 0.5), ("vm", 100, 0.2, 0.5), ("vm", 200, 0.3, 0.8), ("vm", 300, 0.4, 0.2),
    ])
    #expect(store.entityCount == 1)
    #expect(store.sampleCount == 2)
    #expect(store.originMilliseconds == 0)
    #expect(cpuRun(store, 0) == [0.2, 0.4])
    #expect(store.utilisation(.memory, entity: 0, sample: 0)! == 0.6)
    #expect(store.quality[0].averagedBuckets == 1)
    #expect(store.quality[0].readings == 4)
    #expect(store.hasMemory)
  }

  @Test func shortGapsAreForwardFilledAndLongOnesStayMissing() throws {
    // Buckets 0, 3 (gap of 2), 7 (gap of 3), 12 (gap of 4) with a limit of 3.
    let store = try buildStore(
      [("vm", 0, 0.1, .nan), ("vm", 900, 0.2, .nan), ("vm", 2100, 0.3, .nan), ("vm", 3600, 0.4, .nan)],
      fillLimit: 3)
    #expect(
      cpuRun(store, 0) == [0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.2, 0.3, nil, nil, nil, nil, 0.4])
    let q = store.quality[0]
    #expect(q.forwardFilledBuckets == 5)
    #expect(q.gaps == 1)
    #expect(q.gapBuckets == 4)
    #expect(q.longestGapBuckets == 4)
    #expect(!store.hasMemory)
  }

  @Test func aZeroFillLimitLeavesEveryGapMissing() throws {
    let store = try buildStore([("vm", 0, 0.5, .nan), ("vm", 600, 0.25, .nan)], fillLimit: 0)
    #expect(cpuRun(store, 0) == [0.5, nil, 0.25])
    #expect(store.quality[0].gaps == 1)
  }

  @Test func outOfOrderReadingsInsideTheWindowAreKept() throws {
    let store = try buildStore(
      [("vm", 0, 0.1, .nan), ("vm", 600, 0.3, .nan), ("vm", 300, 0.2, .nan), ("vm", 310, 0.4, .nan)])
    #expect(cpuRun(store, 0) == [0.1, 0.3, 0.3])
    #expect(store.quality[0].decreasingTimes == 1)
    #expect(store.quality[0].lateDropped == 0)
  }

  @Test func readingsOlderThanTheWindowAreDroppedAndCounted() throws {
    let store = try buildStore(
      [("vm", 0, 0.1, .nan), ("vm", 1500, 0.3, .nan), ("vm", 300, 0.9, .nan)], fillLimit: 10, window: 2)
    #expect(cpuRun(store, 0) == [0.1, 0.1, 0.1, 0.1, 0.1, 0.3])
    #expect(store.quality[0].lateDropped == 1)
    #expect(store.quality[0].decreasingTimes == 1)
  }

  @Test func anEarlierFirstBucketMovesTheWindowBack() throws {
    let store = try buildStore([("vm", 900, 0.3, .nan), ("vm", 0, 0.1, .nan)], fillLimit: 3, window: 4)
    #expect(cpuRun(store, 0) == [0.1, 0.1, 0.1, 0.3])
    #expect(store.quality[0].lateDropped == 0)
  }

  @Test func duplicatedTimesAreAveragedAndCounted() throws {
    let store = try buildStore([("vm", 0, 0.2, 0.1), ("vm", 0, 0.4, 0.3), ("vm", 300, 0.5, 0.5)])
    #expect(cpuRun(store, 0) == [0.3, 0.5])
    #expect(store.quality[0].duplicateTimes == 1)
    #expect(store.quality[0].averagedBuckets == 1)
  }

  @Test func outOfRangeValuesAreCountedNeverSilent() throws {
    let store = try buildStore([
      ("vm", 0, -0.5, 0.2), ("vm", 300, .nan, 0.3), ("vm", 600, 1.5, 1.2), ("vm", 900, 9, .infinity),
      ("vm", 1200, .infinity, .nan),
    ])
    let q = store.quality[0]
    #expect(cpuRun(store, 0) == [0, nil, 1.5, 6.5534])
    #expect(q.negativeValues == 1)
    #expect(q.nonFiniteValues == 3)  // NaN CPU, infinite memory, infinite CPU
    #expect(q.cpuAboveCapacity == 2)
    #expect(q.memoryAboveCapacity == 1)
    #expect(q.saturatedBuckets == 1)
    #expect(q.minimumCPU == -0.5)
    #expect(q.maximumCPU == 9)
    // The reading at 1200 s had no valid value: the run ends at 900 s.
    #expect(store.sampleRange(of: 0) == 0..<4)
  }

  @Test func entitiesStartingLaterAreOffsetFromTheCommonOrigin() throws {
    let store = try buildStore([
      ("late", 3_000, 0.5, .nan), ("early", 1_200, 0.1, .nan), ("early", 1_500, 0.2, .nan),
      ("late", 3_300, 0.6, .nan),
    ])
    #expect(store.names == ["late", "early"])
    #expect(store.originMilliseconds == 1_200_000)
    #expect(store.sampleCount == 8)
    #expect(store.sampleRange(of: 0) == 6..<8)
    #expect(store.sampleRange(of: 1) == 0..<2)
    #expect(store.utilisation(.cpu, entity: 0, sample: 6)! == 0.5)
    #expect(store.utilisation(.cpu, entity: 0, sample: 0) == nil)
    #expect(store.endMilliseconds == 1_200_000 + 8 * 300_000)
  }

  @Test func negativeTimesAlignOnTheGrid() throws {
    let store = try buildStore([("vm", -450, 0.1, .nan), ("vm", -10, 0.3, .nan)])
    #expect(store.originMilliseconds == -600_000)
    #expect(cpuRun(store, 0) == [0.1, 0.3])
  }

  @Test func timestampsInTheWrongUnitAreAnError() throws {
    #expect(throws: WorkloadError.self) {
      _ = try buildStore([("vm", 0, 0.1, .nan), ("vm", 1e14, 0.1, .nan)], interval: 1)
    }
  }

  @Test func declaringANameTwiceMergesAndReports() throws {
    var builder = try TraceStoreBuilder(options: .init(source: "x.csv"))
    let a = builder.declare(entity: "vm", cpuCapacityCores: 2, memoryCapacityGiB: nil)
    let b = builder.declare(entity: "vm", cpuCapacityCores: 4, memoryCapacityGiB: nil)
    let c = builder.declare(entity: "", cpuCapacityCores: -1, memoryCapacityGiB: .nan)
    #expect(a == b)
    builder.append(entity: a, timeMilliseconds: 0, cpuUtilisation: 0.5, memoryUtilisation: .nan)
    builder.append(entity: c, timeMilliseconds: 0, cpuUtilisation: 0.5, memoryUtilisation: .nan)
    builder.repair(TraceRepair(kind: "duplicated timestamp dropped", file: "x.csv", firstLine: 9, count: 2))
    builder.repair(TraceRepair(kind: "duplicated timestamp dropped", file: "x.csv", firstLine: 4, count: 1))
    let store = try builder.finish()
    #expect(store.names == ["vm", "entity-2"])
    #expect(store.cpuCapacityCores == [2, nil])
    #expect(store.memoryCapacityGiB == [nil, nil])
    let dropped = store.info.repairs.first { $0.kind == "duplicated timestamp dropped" }
    #expect(dropped?.count == 3)
    #expect(dropped?.firstLine == 4)
    #expect(store.info.repairs.count == 3)
  }

  @Test func anEntityWithoutReadingsHasAnEmptyRun() throws {
    var builder = try TraceStoreBuilder()
    _ = builder.declare(entity: "silent", cpuCapacityCores: 1, memoryCapacityGiB: 1)
    let b = builder.declare(entity: "busy", cpuCapacityCores: 1, memoryCapacityGiB: 1)
    builder.append(entity: b, timeMilliseconds: 600_000, cpuUtilisation: 0.5, memoryUtilisation: 0.5)
    let store = try builder.finish()
    #expect(store.sampleRange(of: 0).isEmpty)
    #expect(store.sampleRange(of: 1) == 0..<1)
    #expect(store.storedSampleCount == 1)
    #expect(store.sampleBytes == 4)
  }

  @Test func badOptionsAreRejected() {
    #expect(throws: WorkloadError.self) { _ = try TraceStoreBuilder(options: .init(intervalMilliseconds: 0)) }
    #expect(throws: WorkloadError.self) { _ = try TraceStoreBuilder(options: .init(forwardFillLimit: -1)) }
    #expect(throws: WorkloadError.self) { _ = try TraceStoreBuilder(options: .init(reorderWindow: 0)) }
    #expect(throws: WorkloadError.self) { _ = try TraceStoreBuilder(options: .init(cpuQuantum: .nan)) }
  }

  @Test func fixedPointCodesRoundAndSaturate() {
    #expect(FixedPoint.encode(0.12345, quantum: 1e-4).code == 1235)
    #expect(FixedPoint.encode(0, quantum: 1e-4).code == 0)
    #expect(FixedPoint.encode(6.5534, quantum: 1e-4) == (FixedPoint.saturated, false))
    #expect(FixedPoint.encode(7, quantum: 1e-4) == (FixedPoint.saturated, true))
    #expect(FixedPoint.decode(FixedPoint.missing, quantum: 1e-4) == nil)
    #expect(FixedPoint.decode(5000, quantum: 1e-4) == 0.5)
  }

  /// Random regular series: every bucket mean survives within half a quantum.
  @Test func randomSeriesKeepTheirBucketMeans() throws {
    let stream = RandomStream(runSeed: 11, name: "store/random-series")
    for trial in 0..<40 {
      let entities = 1 + stream.int(below: 5)
      let buckets = 1 + stream.int(below: 200)
      let perBucket = 1 + stream.int(below: 3)
      var readings: [Reading] = []
      var expected: [[Double]] = Array(repeating: [], count: entities)
      for b in 0..<buckets {
        for e in 0..<entities {
          var sum = 0.0
          for k in 0..<perBucket {
            let x = stream.uniform() * 1.2
            sum += x
            readings.append(("e\(e)", Double(b * 300 + k * (300 / perBucket)), x, x / 2))
          }
          expected[e].append(sum / Double(perBucket))
        }
      }
      let store = try buildStore(readings)
      #expect(store.sampleCount == buckets, "trial \(trial)")
      for e in 0..<entities {
        let got = store.utilisation(.cpu, entity: e)
        for (g, x) in zip(got, expected[e]) { #expect(abs(g - x) <= 0.5e-4 + 1e-12, "trial \(trial)") }
        let memory = store.utilisation(.memory, entity: e)
        for (g, x) in zip(memory, expected[e]) { #expect(abs(g - x / 2) <= 0.5e-4 + 1e-12) }
      }
    }
  }
}
