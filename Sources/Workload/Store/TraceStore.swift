import Foundation
import Synchronization

/// A utilisation metric held in a trace store.
public enum TraceMetric: String, Sendable, CaseIterable, Codable {
  /// CPU utilisation, a fraction of the entity's CPU capacity.
  case cpu
  /// Memory utilisation, a fraction of the entity's memory capacity.
  case memory
}

/// A trace held compactly: per-entity utilisation samples aligned to one interval, as 2-byte
/// fixed-point codes (see `FixedPoint`), in a struct of arrays.
///
/// Sample `s` covers `[originMilliseconds + s·interval, originMilliseconds + (s+1)·interval)` on
/// the trace's own clock and holds the mean of the trace's readings in it (see `TraceStoreBuilder`
/// for the resampling rules). Each entity has a contiguous run of samples `sampleRange(of:)` within
/// `0..<sampleCount`, from its first to its last reading; outside that run it has no samples, and
/// inside it a sample may be `FixedPoint.missing` (a gap longer than the forward-fill limit).
///
/// Samples are utilisation fractions of the entity's own capacity (1.0 = 100 %); capacities, when
/// the trace states them, are in `cpuCapacityCores` (cores in the trace's own units) and
/// `memoryCapacityGiB`. A store is immutable, cheap to copy, and may be backed by a memory-mapped
/// `.yt` file (see `TraceStore.open(_:verification:)`).
public struct TraceStore: Sendable {
  /// Entity names, in row order (unique).
  public let names: [String]
  /// Start of sample 0 on the trace's clock, in milliseconds.
  public let originMilliseconds: Int64
  /// Length of one sample in milliseconds (> 0).
  public let intervalMilliseconds: Int64
  /// Number of samples spanned by the whole store (the union of the entities' runs).
  public let sampleCount: Int
  /// CPU capacity of each entity in cores, when the trace states it.
  public let cpuCapacityCores: [Double?]
  /// Memory capacity of each entity in GiB, when the trace states it.
  public let memoryCapacityGiB: [Double?]
  /// What the import counted and repaired, per entity.
  public let quality: [EntityQuality]
  /// Where the store came from and how it was resampled.
  public let info: TraceStoreInfo

  /// First sample of each entity's run.
  let firstSample: [Int]
  /// Start of each entity's run in the sample columns; `entityCount + 1` values.
  let rowOffsets: [Int]
  /// CPU codes, all entities' runs concatenated.
  let cpuCodes: CodeColumn
  /// Memory codes like `cpuCodes`, or nil when the trace has no memory readings.
  let memoryCodes: CodeColumn?
  /// Row of each name, built on first use (opening a store with many entities stays fast).
  let nameIndex: NameIndex

  init(
    names: [String], originMilliseconds: Int64, intervalMilliseconds: Int64, sampleCount: Int,
    cpuCapacityCores: [Double?], memoryCapacityGiB: [Double?], quality: [EntityQuality],
    info: TraceStoreInfo, firstSample: [Int], rowOffsets: [Int], cpuCodes: CodeColumn,
    memoryCodes: CodeColumn?
  ) {
    self.names = names
    self.originMilliseconds = originMilliseconds
    self.intervalMilliseconds = intervalMilliseconds
    self.sampleCount = sampleCount
    self.cpuCapacityCores = cpuCapacityCores
    self.memoryCapacityGiB = memoryCapacityGiB
    self.quality = quality
    self.info = info
    self.firstSample = firstSample
    self.rowOffsets = rowOffsets
    self.cpuCodes = cpuCodes
    self.memoryCodes = memoryCodes
    self.nameIndex = NameIndex(names)
  }

  /// Number of entities.
  public var entityCount: Int { names.count }

  /// Whether the store holds memory utilisation.
  public var hasMemory: Bool { memoryCodes != nil }

  /// Samples held per metric, over all entities (including missing codes inside runs).
  public var storedSampleCount: Int { rowOffsets.last ?? 0 }

  /// Bytes of sample codes held (2 per sample per metric).
  public var sampleBytes: Int { storedSampleCount * MemoryLayout<UInt16>.size * (hasMemory ? 2 : 1) }

  /// End of the last sample (exclusive) on the trace's clock, in milliseconds.
  public var endMilliseconds: Int64 { originMilliseconds + Int64(sampleCount) * intervalMilliseconds }

  /// Row of the entity called `name`, or nil.
  public func index(of name: String) -> Int? { nameIndex.rows[name] }

  /// The samples (of `0..<sampleCount`) that entity `entity` covers.
  public func sampleRange(of entity: Int) -> Range<Int> {
    let first = firstSample[entity]
    return first..<first + (rowOffsets[entity + 1] - rowOffsets[entity])
  }

  /// The quantum of a metric's codes.
  public func quantum(_ metric: TraceMetric) -> Double {
    metric == .cpu ? info.cpuQuantum : info.memoryQuantum
  }

  /// Calls `body` with the codes of one entity's run of a metric (empty when the store has no
  /// memory and `metric` is `.memory`).
  public func withCodes<R>(
    _ metric: TraceMetric, entity: Int, _ body: (UnsafeBufferPointer<UInt16>) throws -> R
  ) rethrows -> R {
    let range = rowOffsets[entity]..<rowOffsets[entity + 1]
    guard let column = metric == .cpu ? cpuCodes : memoryCodes else {
      return try body(UnsafeBufferPointer(start: nil, count: 0))
    }
    return try body(UnsafeBufferPointer(rebasing: column.buffer[range]))
  }

  /// One entity's utilisation over its run, as fractions; NaN where the sample is missing.
  public func utilisation(_ metric: TraceMetric, entity: Int) -> [Double] {
    let q = quantum(metric)
    return withCodes(metric, entity: entity) { codes in
      codes.map { $0 == FixedPoint.missing ? .nan : Double($0) * q }
    }
  }

  /// The utilisation of one entity in sample `sample` of the store; nil when the entity has no
  /// reading there (outside its run, or a missing code).
  public func utilisation(_ metric: TraceMetric, entity: Int, sample: Int) -> Double? {
    let range = sampleRange(of: entity)
    guard range.contains(sample) else { return nil }
    return withCodes(metric, entity: entity) { codes in
      codes.isEmpty ? nil : FixedPoint.decode(codes[sample - range.lowerBound], quantum: quantum(metric))
    }
  }
}

extension TraceStore: Equatable {
  /// Stores are equal when every name, time, capacity, quality count, info field and sample code
  /// is equal (whatever backs them: memory or a mapped file).
  public static func == (a: TraceStore, b: TraceStore) -> Bool {
    guard
      a.names == b.names && a.originMilliseconds == b.originMilliseconds
        && a.intervalMilliseconds == b.intervalMilliseconds && a.sampleCount == b.sampleCount
        && a.cpuCapacityCores == b.cpuCapacityCores && a.memoryCapacityGiB == b.memoryCapacityGiB
        && a.quality == b.quality && a.info == b.info && a.firstSample == b.firstSample
        && a.rowOffsets == b.rowOffsets && (a.memoryCodes == nil) == (b.memoryCodes == nil)
    else { return false }
    guard a.cpuCodes.buffer.elementsEqual(b.cpuCodes.buffer) else { return false }
    if let m = a.memoryCodes, let n = b.memoryCodes { return m.buffer.elementsEqual(n.buffer) }
    return true
  }
}

/// Where a store came from and how it was built.
public struct TraceStoreInfo: Sendable, Equatable, Codable {
  /// Format the trace was read from (`TraceFormat` raw value, or e.g. "synthetic").
  public var format: String
  /// Path of the source, as given.
  public var source: String
  /// Empty buckets filled with the previous value at most in a row; longer runs are gaps.
  public var forwardFillLimit: Int
  /// Buckets held open for late (out-of-order) readings.
  public var reorderWindow: Int
  /// Quantum of the CPU codes.
  public var cpuQuantum: Double
  /// Quantum of the memory codes.
  public var memoryQuantum: Double
  /// Repairs the importer reported.
  public var repairs: [TraceRepair]

  /// Creates a description.
  public init(
    format: String, source: String, forwardFillLimit: Int, reorderWindow: Int, cpuQuantum: Double,
    memoryQuantum: Double, repairs: [TraceRepair]
  ) {
    self.format = format
    self.source = source
    self.forwardFillLimit = forwardFillLimit
    self.reorderWindow = reorderWindow
    self.cpuQuantum = cpuQuantum
    self.memoryQuantum = memoryQuantum
    self.repairs = repairs
  }
}

extension TraceRepair: Codable {
  enum CodingKeys: String, CodingKey {
    case kind
    case file
    case firstLine = "first_line"
    case count
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      kind: try c.decode(String.self, forKey: .kind), file: try c.decode(String.self, forKey: .file),
      firstLine: try c.decode(Int.self, forKey: .firstLine), count: try c.decode(Int.self, forKey: .count))
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(kind, forKey: .kind)
    try c.encode(file, forKey: .file)
    try c.encode(firstLine, forKey: .firstLine)
    try c.encode(count, forKey: .count)
  }
}

/// The row of each entity name, computed once on first use.
final class NameIndex: Sendable {
  private let names: [String]
  private let cache = Mutex<[String: Int]?>(nil)

  init(_ names: [String]) { self.names = names }

  /// Name → first row with it.
  var rows: [String: Int] {
    cache.withLock { cached in
      if let cached { return cached }
      var rows: [String: Int] = [:]
      rows.reserveCapacity(names.count)
      for (i, name) in names.enumerated() where rows[name] == nil { rows[name] = i }
      cached = rows
      return rows
    }
  }
}

/// Immutable memory that outlives the stores viewing it: an allocation or a mapped file.
final class StoreMemory: @unchecked Sendable {
  /// Start of the memory.
  let base: UnsafeRawPointer
  /// Its length in bytes.
  let byteCount: Int
  private let release: @Sendable (UnsafeRawPointer, Int) -> Void

  /// Takes ownership of `base`; `release` is called once, when the last view goes away.
  init(base: UnsafeRawPointer, byteCount: Int, release: @escaping @Sendable (UnsafeRawPointer, Int) -> Void) {
    self.base = base
    self.byteCount = byteCount
    self.release = release
  }

  /// Allocates `byteCount` bytes (64-byte aligned), lets `fill` write them, and owns them.
  static func allocate(byteCount: Int, fill: (UnsafeMutableRawBufferPointer) -> Void) -> StoreMemory {
    let memory = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(byteCount, 1), alignment: 64)
    fill(UnsafeMutableRawBufferPointer(start: memory, count: byteCount))
    return StoreMemory(base: UnsafeRawPointer(memory), byteCount: byteCount) { pointer, _ in
      UnsafeMutableRawPointer(mutating: pointer).deallocate()
    }
  }

  deinit { release(base, byteCount) }
}

/// A column of `UInt16` codes viewing a `StoreMemory`.
struct CodeColumn: Sendable {
  /// Keeps the memory alive.
  let memory: StoreMemory
  /// Byte offset of the column in the memory (even).
  let offset: Int
  /// Number of codes.
  let count: Int

  /// The codes.
  var buffer: UnsafeBufferPointer<UInt16> {
    UnsafeBufferPointer(
      start: (memory.base + offset).assumingMemoryBound(to: UInt16.self), count: count)
  }

  /// A column holding a copy of `codes`.
  init(copying codes: [UInt16]) {
    self.memory = StoreMemory.allocate(byteCount: codes.count * 2) { raw in
      codes.withUnsafeBytes { raw.copyMemory(from: $0) }
    }
    self.offset = 0
    self.count = codes.count
  }

  /// A column viewing `count` codes at `offset` in `memory`.
  init(memory: StoreMemory, offset: Int, count: Int) {
    self.memory = memory
    self.offset = offset
    self.count = count
  }
}
