import Foundation
import PropertyBased
import Testing

@testable import Workload

/// One reading of a generated entity: CPU and memory as codes (1/10 000 of the capacity), the
/// empty 5-minute buckets before it, and where in its bucket it falls.
struct GeneratedReading: Sendable {
  var cpu: Int
  var memory: Int
  var emptyBefore: Int
  var offsetMilliseconds: Int
}

/// A generated entity of a native trace: whole-number capacities, a first bucket and readings.
struct GeneratedEntity: Sendable {
  var cpuCores: Int
  var memoryGiB: Int
  var firstBucket: Int
  var readings: [GeneratedReading]
}

/// Readings: codes 0…10 000; mostly no gap, otherwise 1–4 empty buckets (the default forward-fill
/// limit is 3, so a gap of 4 stays missing); anywhere in the bucket, to the millisecond.
let generatedReading = zip(
  Gen.int(in: 0...10_000), Gen.int(in: 0...10_000), Gen.int(in: 0...9), Gen.int(in: 0...299_999)
).map { cpu, memory, gap, offset in
  GeneratedReading(cpu: cpu, memory: memory, emptyBefore: max(0, gap - 5), offsetMilliseconds: offset)
}

/// An entity; one of its readings (chosen by `peak`) is at full capacity, so that the native
/// importer, which takes each entity's peak as its capacity, declares exactly `cpuCores` and
/// `memoryGiB`.
let generatedEntity = zip(
  Gen.int(in: 1...64), Gen.int(in: 1...512), Gen.int(in: 0...2_000), generatedReading.array(of: 1...40),
  Gen.int(in: 0...1_000)
).map { cores, gib, first, readings, peak in
  var readings = readings
  readings[0].emptyBefore = 0
  readings[peak % readings.count].cpu = 10_000
  readings[peak % readings.count].memory = 10_000
  return GeneratedEntity(cpuCores: cores, memoryGiB: gib, firstBucket: first, readings: readings)
}

/// `n / 10 000` written exactly, e.g. 123457 → `12.3457`.
func tenThousandths(_ n: Int) -> String {
  let fraction = String(n % 10_000)
  return "\(n / 10_000)." + String(repeating: "0", count: 4 - fraction.count) + fraction
}

/// `n / 1 000` written exactly.
func thousandths(_ n: Int) -> String {
  let fraction = String(n % 1_000)
  return "\(n / 1_000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}

@Suite struct NativeRoundTripPropertyTests {
  /// Random native long-form CSV (values on the store's grid of 1/10 000 of each entity's peak,
  /// rows of all entities merged by time, gaps shorter and longer than the fill limit) → native
  /// importer → store → `.yt` → open: the opened store holds exactly the generated samples.
  @Test func nativeSamplesSurviveImportWriteAndLoad() async throws {
    let folder = try storeTemporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let interval = 300_000
    await propertyCheck(count: 60, input: generatedEntity.array(of: 1...5)) { entities in
      // The CSV: one row per reading, merged by time (ties in entity order).
      var rows: [(time: Int, entity: Int, text: String)] = []
      var expected: [[UInt16]] = []
      var expectedMemory: [[UInt16]] = []
      var names: [String] = []
      for (e, entity) in entities.enumerated() {
        let name = e % 2 == 0 ? "vm-\(e)" : "数据库 \(e)"
        names.append(name)
        var bucket = entity.firstBucket - 1
        var cpu: [UInt16] = []
        var memory: [UInt16] = []
        for r in entity.readings {
          // Short gaps repeat the previous sample; longer ones are missing.
          let fill = r.emptyBefore <= 3
          cpu += Array(repeating: fill ? cpu.last ?? 0 : FixedPoint.missing, count: r.emptyBefore)
          memory += Array(repeating: fill ? memory.last ?? 0 : FixedPoint.missing, count: r.emptyBefore)
          bucket += 1 + r.emptyBefore
          cpu.append(UInt16(r.cpu))
          memory.append(UInt16(r.memory))
          let time = bucket * interval + r.offsetMilliseconds
          rows.append(
            (
              time, e,
              "\(name),\(thousandths(time)),\(tenThousandths(r.cpu * entity.cpuCores)),"
                + "\(tenThousandths(r.memory * entity.memoryGiB))"
            ))
        }
        expected.append(cpu)
        expectedMemory.append(memory)
      }
      rows.sort { ($0.time, $0.entity) < ($1.time, $1.entity) }
      let csv =
        "# generated\nentity,time_s,cpu_cores,mem_gib\n" + rows.map(\.text).joined(separator: "\n") + "\n"
      let source = folder.appendingPathComponent("trace.csv")
      let file = folder.appendingPathComponent("trace.yt")
      try csv.write(to: source, atomically: true, encoding: .utf8)

      var builder = try TraceStoreBuilder(options: .init(format: "native", source: source.path))
      try TraceImporters.read(.native, source, into: &builder)
      let store = try builder.finish()
      try store.write(to: file)
      let loaded = try TraceStore.open(file)
      #expect(loaded == store)

      // Entities in order of their first row.
      let order = rows.reduce(into: [Int]()) { seen, row in
        if !seen.contains(row.entity) { seen.append(row.entity) }
      }
      #expect(loaded.names == order.map { names[$0] })
      let origin = entities.map(\.firstBucket).min()!
      #expect(loaded.originMilliseconds == Int64(origin * interval))
      #expect(loaded.intervalMilliseconds == Int64(interval))
      for (row, e) in order.enumerated() {
        let entity = entities[e]
        #expect(loaded.cpuCapacityCores[row] == Double(entity.cpuCores))
        #expect(loaded.memoryCapacityGiB[row] == Double(entity.memoryGiB))
        #expect(loaded.sampleRange(of: row).lowerBound == entity.firstBucket - origin)
        let cpu = loaded.withCodes(.cpu, entity: row) { Array($0) }
        let memory = loaded.withCodes(.memory, entity: row) { Array($0) }
        #expect(cpu == expected[e], "entity \(names[e])")
        #expect(memory == expectedMemory[e], "entity \(names[e])")
        // Decoded, a sample is the value written (to rounding): utilisation × capacity.
        for (k, u) in loaded.utilisation(.cpu, entity: row).enumerated()
        where expected[e][k] != FixedPoint.missing {
          let written = Double(Int(expected[e][k]) * entity.cpuCores) / 10_000
          #expect(abs(u * Double(entity.cpuCores) - written) <= 1e-12 * max(1, written))
        }
      }
    }
  }
}
