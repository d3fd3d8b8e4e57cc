import Foundation
import Stochastics
import Testing

@testable import Workload

/// A fresh temporary folder, removed by the caller.
func storeTemporaryFolder() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("yunhe-store-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// A small store with two entities, gaps, a late starter, capacities and repairs.
func sampleStore(memory: Bool = true) throws -> TraceStore {
  var builder = try TraceStoreBuilder(
    options: .init(forwardFillLimit: 1, format: "native", source: "sample.csv"))
  let a = builder.declare(entity: "web-1", cpuCapacityCores: 4, memoryCapacityGiB: 8)
  let b = builder.declare(entity: "数据库", cpuCapacityCores: nil, memoryCapacityGiB: 32)
  for k in 0..<50 where k % 7 != 3 && !(20..<24).contains(k) {
    builder.append(
      entity: a, timeMilliseconds: Int64(k) * 300_000, cpuUtilisation: Double(k % 10) / 10,
      memoryUtilisation: memory ? 0.5 : .nan)
  }
  for k in 10..<30 {
    builder.append(
      entity: b, timeMilliseconds: Int64(k) * 300_000 + 1_000, cpuUtilisation: 0.25 + Double(k) / 100,
      memoryUtilisation: memory ? Double(k) / 40 : .nan)
  }
  builder.repair(
    TraceRepair(kind: "all-zero VM-off row kept as 0", file: "sample.csv", firstLine: 12, count: 3))
  return try builder.finish()
}

/// The error of opening `url`, or nil.
func openFailure(_ url: URL, _ verification: TraceFile.Verification = .full) -> WorkloadError? {
  do {
    _ = try TraceStore.open(url, verification: verification)
    return nil
  } catch {
    return error
  }
}

/// Rewrites `count` bytes of a file at `offset` (XOR with 0x5A) or truncates it.
func damage(_ url: URL, at offset: Int, count: Int = 1) throws {
  var data = try Data(contentsOf: url)
  for i in offset..<offset + count { data[i] ^= 0x5A }
  try data.write(to: url)
}

@Suite struct TraceFileTests {
  @Test func roundTripGivesIdenticalSamples() throws {
    let folder = try storeTemporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    for memory in [true, false] {
      let store = try sampleStore(memory: memory)
      let url = folder.appendingPathComponent("sample-\(memory).yt")
      try store.write(to: url)
      let loaded = try TraceStore.open(url)
      #expect(loaded == store)
      #expect(loaded.names == ["web-1", "数据库"])
      #expect(loaded.hasMemory == memory)
      #expect(loaded.cpuCapacityCores == [4, nil])
      #expect(loaded.info.repairs.count == 1)
      #expect(loaded.quality == store.quality)
      for e in 0..<store.entityCount {
        #expect(
          loaded.utilisation(.cpu, entity: e).map(\.bitPattern)
            == store.utilisation(.cpu, entity: e).map(\.bitPattern))
      }
      let quick = try TraceStore.open(url, verification: .metadata)
      #expect(quick == store)
    }
  }

  @Test func writingIsAtomicAndReplacesAnOldFile() throws {
    let folder = try storeTemporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("t.yt")
    try Data("old".utf8).write(to: url)
    try sampleStore().write(to: url)
    #expect(try TraceStore.open(url) == sampleStore())
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path)
    #expect(leftovers == ["t.yt"])
    #expect(throws: WorkloadError.self) {
      try sampleStore().write(to: folder.appendingPathComponent("no/such/folder/t.yt"))
    }
  }

  @Test func randomStoresRoundTrip() throws {
    let folder = try storeTemporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let stream = RandomStream(runSeed: 5, name: "store/round-trip")
    for trial in 0..<30 {
      var builder = try TraceStoreBuilder(
        options: .init(
          intervalMilliseconds: Int64(1 + stream.int(below: 600)) * 1000,
          forwardFillLimit: stream.int(below: 4), reorderWindow: 1 + stream.int(below: 6)))
      let entities = stream.int(below: 6)
      for e in 0..<entities {
        let id = builder.declare(
          entity: "vm-\(e)",
          cpuCapacityCores: stream.bernoulli(0.5) ? Double(1 + stream.int(below: 64)) : nil,
          memoryCapacityGiB: stream.bernoulli(0.5) ? stream.uniform(1, 512) : nil)
        var t = Int64(stream.int(below: 5_000_000)) - 2_500_000
        for _ in 0..<stream.int(below: 300) {
          t += Int64(stream.int(below: 900_000)) - 100_000
          let cpu = stream.bernoulli(0.02) ? Double.nan : stream.uniform(-0.1, 8)
          let memory = stream.bernoulli(0.5) ? Double.nan : stream.uniform(0, 1.1)
          builder.append(entity: id, timeMilliseconds: t, cpuUtilisation: cpu, memoryUtilisation: memory)
        }
      }
      let store = try builder.finish()
      let url = folder.appendingPathComponent("r\(trial).yt")
      try store.write(to: url)
      let loaded = try TraceStore.open(url)
      #expect(loaded == store, "trial \(trial)")
    }
  }

  @Test func everyCorruptionIsAClearErrorNamingTheFile() throws {
    let folder = try storeTemporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let good = folder.appendingPathComponent("good.yt")
    try sampleStore().write(to: good)
    let bytes = try Data(contentsOf: good)
    func variant(_ name: String, _ edit: (inout Data) -> Void) throws -> URL {
      var data = bytes
      edit(&data)
      let url = folder.appendingPathComponent(name)
      try data.write(to: url)
      return url
    }
    func expectFailure(_ url: URL, _ fragment: String, _ verification: TraceFile.Verification = .full) {
      let error = openFailure(url, verification)
      #expect(error != nil, "\(url.lastPathComponent) opened")
      #expect(error?.file == url.path)
      #expect(
        error?.message.contains(fragment) == true, "\(url.lastPathComponent): \(String(describing: error))")
    }
    expectFailure(try variant("magic.yt") { $0[1] = UInt8(ascii: "X") }, "bad magic")
    expectFailure(
      try variant("text.yt") { $0 = Data("entity,time_s,cpu_cores,mem_gib\n".utf8) + $0 }, "bad magic")
    expectFailure(try variant("version.yt") { $0[8] = 2 }, "unsupported .yt version 2")
    expectFailure(try variant("truncated.yt") { $0 = $0.prefix($0.count - 10) }, "truncated")
    expectFailure(try variant("short.yt") { $0 = $0.prefix(40) }, "truncated: 40 bytes")
    expectFailure(try variant("empty.yt") { $0 = Data() }, "empty file")
    expectFailure(try variant("trailing.yt") { $0.append(contentsOf: [1, 2, 3]) }, "3 unexpected bytes")
    expectFailure(try variant("header.yt") { $0[33] ^= 0x01 }, "header checksum mismatch")
    expectFailure(
      try variant("directory.yt") { $0[TraceFile.headerBytes + 30] ^= 0x01 }, "header checksum mismatch")
    // A flipped bit in the last sample code: caught by a full check, not by a metadata-only one.
    let sampleDamage = try variant("sample.yt") { $0[$0.count - 1] ^= 0x04 }
    expectFailure(sampleDamage, "checksum mismatch in column `memory`")
    #expect(openFailure(sampleDamage, .metadata) == nil)
    #expect(throws: WorkloadError.self) { try TraceStore.verify(sampleDamage) }
    expectFailure(folder.appendingPathComponent("missing.yt"), "cannot open")
    expectFailure(folder, "not a regular file")
  }

  @Test func checksumDetectsEverySingleByteChange() {
    let stream = RandomStream(runSeed: 3, name: "store/checksum")
    var bytes = (0..<257).map { _ in UInt8(stream.int(below: 256)) }
    let base = bytes.withUnsafeBytes { StoreChecksum.hash($0) }
    for i in bytes.indices {
      let old = bytes[i]
      bytes[i] = old ^ UInt8(1 + stream.int(below: 255))
      #expect(bytes.withUnsafeBytes { StoreChecksum.hash($0) } != base, "byte \(i)")
      bytes[i] = old
    }
    // Length matters even for zero bytes.
    let zeros7 = [UInt8](repeating: 0, count: 7).withUnsafeBytes { StoreChecksum.hash($0) }
    let zeros8 = [UInt8](repeating: 0, count: 8).withUnsafeBytes { StoreChecksum.hash($0) }
    #expect(zeros7 != zeros8)
  }
}
