import Foundation
import Testing

@testable import Workload

/// The importers' fixtures (read only).
private let storeImporterFixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
  .appendingPathComponent("importers")

/// Imports `path` (relative to the importers' fixtures) into a store at `interval` seconds.
private func importFixture(_ format: TraceFormat, _ path: String, interval: Int64 = 300) throws -> TraceStore
{
  var builder = try TraceStoreBuilder(
    options: .init(intervalMilliseconds: interval * 1000, format: format.rawValue, source: path))
  try TraceImporters.read(format, storeImporterFixtures.appendingPathComponent(path), into: &builder)
  return try builder.finish()
}

@Suite struct TraceInspectionTests {
  @Test func importedTracesRoundTripThroughYT() throws {
    let folder = try storeTemporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let cases: [(TraceFormat, String, Int64)] = [
      (.native, "native/native.csv", 60), (.bitbrains, "bitbrains/2013-7", 300),
      (.planetlab, "planetlab/20110303", 300),
    ]
    for (format, path, interval) in cases {
      let store = try importFixture(format, path, interval: interval)
      #expect(store.entityCount > 0, "\(path)")
      let url = folder.appendingPathComponent("\(format.rawValue).yt")
      try store.write(to: url)
      let loaded = try TraceStore.open(url)
      #expect(loaded == store, "\(path)")
      for e in 0..<store.entityCount {
        for metric in TraceMetric.allCases {
          let a = store.withCodes(metric, entity: e) { Array($0) }
          let b = loaded.withCodes(metric, entity: e) { Array($0) }
          #expect(a == b, "\(path) entity \(e) \(metric)")
        }
      }
      #expect(loaded.info.repairs == store.info.repairs)
    }
  }

  @Test func inspectionCountsEveryProblem() throws {
    // 2 entities: "vm" with a gap, a duplicate, values out of range; "idle" all zero.
    var builder = try TraceStoreBuilder(options: .init(forwardFillLimit: 1, format: "test", source: "t"))
    let vm = builder.declare(entity: "vm", cpuCapacityCores: 4, memoryCapacityGiB: 8)
    let idle = builder.declare(entity: "idle", cpuCapacityCores: 2, memoryCapacityGiB: 4)
    for (k, x) in [(0, 0.1), (1, 0.2), (1, 0.4), (2, -0.1), (6, 1.5), (7, .nan), (8, 0.5)] {
      builder.append(
        entity: vm, timeMilliseconds: Int64(k) * 300_000, cpuUtilisation: x, memoryUtilisation: 0.5)
    }
    for k in 0..<9 {
      builder.append(
        entity: idle, timeMilliseconds: Int64(k) * 300_000, cpuUtilisation: 0, memoryUtilisation: 0.25)
    }
    builder.repair(TraceRepair(kind: "VM off row", file: "t", firstLine: 3, count: 2))
    let report = try builder.finish().inspect(normalisation: CPUNormalisation(sourceSpeed: 3, targetSpeed: 2))
    #expect(report.entities == 2)
    #expect(report.readings == 16)
    #expect(report.totals.duplicateTimes == 1)
    #expect(report.totals.negativeValues == 1)
    #expect(report.totals.nonFiniteValues == 1)
    #expect(report.totals.cpuAboveCapacity == 1)
    #expect(report.totals.gaps == 1)
    #expect(report.totals.gapBuckets == 3)
    #expect(report.storedSamples == 18)
    #expect(report.presentSamples == 14)  // vm: 9 − 3 gap − 1 NaN-only bucket
    #expect(report.bytesPerSamplePerMetric == 2)
    #expect(report.repairs.count == 1)
    #expect(report.suspicions.contains { $0.contains("CPU 0 in every sample") })
    let v = report.vms[0]
    #expect(v.samples == 9)
    #expect(v.missing == 4)
    #expect(v.cpuUtilisation!.max == 1.5)
    #expect(abs(v.cpuCores!.max - 1.5 * 4 * 1.5) < 1e-9)
    #expect(abs(v.memoryGiB!.p95 - 4) < 1e-9)
    #expect(report.vms[1].cpuUtilisation!.p99 == 0)
    // The report encodes as JSON.
    let json = try JSONEncoder().encode(report)
    #expect(try JSONDecoder().decode(TraceInspection.self, from: json) == report)
  }

  @Test func unitSuspicionsAreReported() throws {
    // Fractions read as percent: every value ≤ 1 %.
    var tiny = try TraceStoreBuilder()
    let a = tiny.declare(entity: "a", cpuCapacityCores: nil, memoryCapacityGiB: nil)
    for k in 0..<200 {
      tiny.append(
        entity: a, timeMilliseconds: Int64(k) * 300_000, cpuUtilisation: 0.004 + Double(k % 5) / 1000,
        memoryUtilisation: .nan)
    }
    let small = try tiny.finish().inspect()
    #expect(small.suspicions.contains { $0.contains("at most 1 %") })
    #expect(small.suspicions.contains { $0.contains("no CPU capacity") })
    // Percent read as fractions, and readings every 0.3 s (seconds read as milliseconds).
    var huge = try TraceStoreBuilder()
    let b = huge.declare(entity: "b", cpuCapacityCores: 1, memoryCapacityGiB: nil)
    for k in 0..<200 {
      huge.append(
        entity: b, timeMilliseconds: Int64(k) * 300, cpuUtilisation: 40 + Double(k % 7),
        memoryUtilisation: .nan)
    }
    let big = try huge.finish().inspect()
    #expect(big.suspicions.contains { $0.contains("percent read as a fraction") })
    #expect(big.suspicions.contains { $0.contains("clipped") })
    #expect(big.suspicions.contains { $0.contains("far more often") })
  }

  @Test func bitbrainsFixtureInspectionMatchesTheSource() throws {
    let store = try bitbrainsFixtureStore()
    let report = store.inspect()
    #expect(report.entities == 8)
    #expect(report.readings == 45_414)
    #expect(report.startUTC == "2013-06-30T22:00:00Z")
    #expect(report.intervalSeconds == 300)
    #expect(report.totals.cpuAboveCapacity == 0)
    // VM 2 is almost idle, VM 1 the busiest.
    #expect(report.vms[1].cpuUtilisation!.p95 < 0.001)
    #expect(report.vms[0].cpuUtilisation!.mean > 0.1)
    #expect(report.vms[0].cpuCores!.max <= 2 * 0.63)
  }
}
