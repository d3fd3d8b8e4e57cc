import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The native binary trace format `.yt`, version 1.
///
/// Little-endian throughout. Layout:
///
/// | bytes | content |
/// |---|---|
/// | 0–7 | magic `89 59 54 52 0D 0A 1A 0A` (`\x89YTR\r\n\x1a\n`: catches text-mode mangling) |
/// | 8–11 | format version, `UInt32` = 1 |
/// | 12–15 | header length, `UInt32` = 128 |
/// | 16–23 | file length in bytes, `UInt64` |
/// | 24–31 | entities, `UInt64` |
/// | 32–39 | samples spanned (`sampleCount`), `UInt64` |
/// | 40–47 | origin, `Int64` milliseconds on the trace's clock |
/// | 48–55 | interval, `Int64` milliseconds |
/// | 56–63 | stored samples per metric, `UInt64` |
/// | 64–67 | columns in the directory, `UInt32` |
/// | 68–71 | flags, `UInt32`: bit 0 = has memory |
/// | 72–79 | directory offset, `UInt64` = 128 |
/// | 80–119 | reserved, zero |
/// | 120–127 | header checksum: `StoreChecksum` of bytes 0–119 followed by the directory |
///
/// The directory has one 64-byte entry per column: name (16 bytes ASCII, NUL-padded), type
/// (`UInt32`: 1 = bytes, 2 = `UInt16` fixed-point codes, 3 = `Int64`, 4 = `Float64`), 4 reserved
/// bytes, offset, byte length and element count (`UInt64` each), quantum (`Float64`, codes only)
/// and the column's `StoreChecksum` (`UInt64`). Columns start at multiples of 64 bytes (so a mapped
/// file can be read in place) and are separated by zero padding. Version 1 has the columns
/// `names.offsets` (E+1 `Int64` byte offsets into `names.utf8`), `names.utf8`, `cpu.capacity` and
/// `mem.capacity` (E `Float64`, NaN = unknown), `run.first` (E `Int64`), `run.offsets` (E+1 `Int64`),
/// `quality` (E × 23 `Int64`, see `EntityQuality`), `info` (UTF-8 JSON of `TraceStoreInfo`), `cpu`
/// and, with flag bit 0, `memory` (`UInt16` codes, all runs concatenated).
///
/// Files are written to a temporary sibling and renamed into place, so a reader never sees a
/// half-written file.
public enum TraceFile {
  /// The magic bytes at offset 0.
  public static let magic: [UInt8] = [0x89, 0x59, 0x54, 0x52, 0x0D, 0x0A, 0x1A, 0x0A]
  /// The version this build writes and reads.
  public static let version: UInt32 = 1
  static let headerBytes = 128
  static let entryBytes = 64
  static let alignment = 64

  /// How much of a file `open` checks.
  public enum Verification: Sendable {
    /// Header, directory, metadata and every column's checksum (reads the whole file once).
    case full
    /// Header, directory and metadata columns only; the sample columns are mapped unread, so a
    /// large file opens in milliseconds. Their checksums can be checked later with `verify`.
    case metadata
  }

  enum ColumnType: UInt32 {
    case bytes = 1
    case codes = 2
    case int64 = 3
    case float64 = 4

    var elementBytes: Int {
      switch self {
      case .bytes: 1
      case .codes: 2
      case .int64, .float64: 8
      }
    }
  }

  struct Entry {
    var name: String
    var type: ColumnType
    var offset: Int
    var byteLength: Int
    var count: Int
    var quantum: Double
    var checksum: UInt64
  }
}

// MARK: - Writing

extension TraceStore {
  /// Writes the store as a `.yt` file, atomically (a temporary sibling renamed into place).
  ///
  /// - Throws: `WorkloadError` naming `url` when the file cannot be written.
  public func write(to url: URL) throws(WorkloadError) {
    let path = url.path
    var columns: [(name: String, type: TraceFile.ColumnType, quantum: Double, bytes: ColumnBytes)] = []
    var nameOffsets: [Int64] = [0]
    var utf8: [UInt8] = []
    for name in names {
      utf8.append(contentsOf: name.utf8)
      nameOffsets.append(Int64(utf8.count))
    }
    let info: [UInt8]
    do {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      info = Array(try encoder.encode(self.info))
    } catch {
      throw WorkloadError(file: path, message: "cannot encode the store description: \(error)")
    }
    columns.append(("names.offsets", .int64, 0, .init(nameOffsets)))
    columns.append(("names.utf8", .bytes, 0, .init(utf8)))
    columns.append(("cpu.capacity", .float64, 0, .init(cpuCapacityCores.map { $0 ?? .nan })))
    columns.append(("mem.capacity", .float64, 0, .init(memoryCapacityGiB.map { $0 ?? .nan })))
    columns.append(("run.first", .int64, 0, .init(firstSample.map(Int64.init))))
    columns.append(("run.offsets", .int64, 0, .init(rowOffsets.map(Int64.init))))
    columns.append(("quality", .int64, 0, .init(quality.flatMap(\.fields))))
    columns.append(("info", .bytes, 0, .init(info)))
    columns.append(("cpu", .codes, self.info.cpuQuantum, .init(cpuCodes)))
    if let memoryCodes {
      columns.append(("memory", .codes, self.info.memoryQuantum, .init(memoryCodes)))
    }
    // Lay out.
    var entries: [TraceFile.Entry] = []
    var offset = TraceFile.headerBytes + columns.count * TraceFile.entryBytes
    for column in columns {
      offset = TraceFile.aligned(offset)
      let length = column.bytes.count
      entries.append(
        TraceFile.Entry(
          name: column.name, type: column.type, offset: offset, byteLength: length,
          count: length / column.type.elementBytes, quantum: column.quantum,
          checksum: column.bytes.withBytes { StoreChecksum.hash($0) }))
      offset += length
    }
    let fileBytes = offset
    var header = [UInt8](repeating: 0, count: TraceFile.headerBytes)
    header.replaceSubrange(0..<8, with: TraceFile.magic)
    TraceFile.put(TraceFile.version, at: 8, in: &header)
    TraceFile.put(UInt32(TraceFile.headerBytes), at: 12, in: &header)
    TraceFile.put(UInt64(fileBytes), at: 16, in: &header)
    TraceFile.put(UInt64(entityCount), at: 24, in: &header)
    TraceFile.put(UInt64(sampleCount), at: 32, in: &header)
    TraceFile.put(originMilliseconds, at: 40, in: &header)
    TraceFile.put(intervalMilliseconds, at: 48, in: &header)
    TraceFile.put(UInt64(storedSampleCount), at: 56, in: &header)
    TraceFile.put(UInt32(columns.count), at: 64, in: &header)
    TraceFile.put(UInt32(hasMemory ? 1 : 0), at: 68, in: &header)
    TraceFile.put(UInt64(TraceFile.headerBytes), at: 72, in: &header)
    var directory: [UInt8] = []
    for entry in entries { directory.append(contentsOf: TraceFile.encode(entry)) }
    let headerChecksum = TraceFile.headerChecksum(header: header, directory: directory)
    TraceFile.put(headerChecksum, at: 120, in: &header)

    // Write a temporary sibling, then rename it into place.
    let folder = url.deletingLastPathComponent()
    let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
      throw WorkloadError(file: path, message: "cannot create a temporary file in \(folder.path)")
    }
    do {
      let handle = try FileHandle(forWritingTo: temporary)
      defer { try? handle.close() }
      var written = 0
      func write(_ data: Data) throws {
        try handle.write(contentsOf: data)
        written += data.count
      }
      try write(Data(header))
      try write(Data(directory))
      for (i, column) in columns.enumerated() {
        let pad = entries[i].offset - written
        if pad > 0 { try write(Data(count: pad)) }
        try column.bytes.withBytes { raw in
          // Large columns go out in 16 MiB pieces without copying the whole column.
          let piece = 16 << 20
          var start = 0
          while start < raw.count {
            let end = Swift.min(start + piece, raw.count)
            try write(Data(UnsafeRawBufferPointer(rebasing: raw[start..<end])))
            start = end
          }
        }
      }
      try handle.synchronize()
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw WorkloadError(file: path, message: "cannot write the trace store: \(error.localizedDescription)")
    }
    guard rename(temporary.path, path) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: temporary)
      throw WorkloadError(file: path, message: "cannot move the trace store into place: \(reason)")
    }
  }
}

/// The bytes of one column to write: an array or a code column.
enum ColumnBytes {
  case array([UInt8])
  case codes(CodeColumn)

  init(_ values: [UInt8]) { self = .array(values) }
  init(_ values: [Int64]) { self = .array(values.flatMap { TraceFile.bytes(of: $0) }) }
  init(_ values: [Double]) { self = .array(values.flatMap { TraceFile.bytes(of: $0.bitPattern) }) }
  init(_ codes: CodeColumn) { self = .codes(codes) }

  var count: Int {
    switch self {
    case .array(let a): a.count
    case .codes(let c): c.count * 2
    }
  }

  func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    switch self {
    case .array(let a): return try a.withUnsafeBytes(body)
    case .codes(let c): return try body(UnsafeRawBufferPointer(c.buffer))
    }
  }
}

// MARK: - Reading

extension TraceStore {
  /// Opens a `.yt` file by mapping it into memory (it is not read whole); the store's sample
  /// columns view the mapping.
  ///
  /// Every problem is a `WorkloadError` naming the file: missing or unreadable, too short for a
  /// header, bad magic (not a `.yt` file), unsupported version, truncated or with trailing bytes,
  /// header or column checksum mismatch, or an inconsistent directory.
  ///
  /// - Parameter verification: `.full` (default) also checks the sample columns' checksums;
  ///   `.metadata` leaves them unread, so a large file opens in milliseconds.
  public static func open(_ url: URL, verification: TraceFile.Verification = .full) throws(WorkloadError)
    -> TraceStore
  {
    let memory = try TraceFile.map(url)
    return try TraceFile.decode(memory, path: url.path, verification: verification)
  }

  /// Checks the checksums of the sample columns of a store opened from `url` (for stores opened
  /// with `.metadata`); throws the same errors as `open`.
  public static func verify(_ url: URL) throws(WorkloadError) {
    _ = try open(url, verification: .full)
  }
}

extension TraceFile {
  /// Maps a whole file read-only.
  static func map(_ url: URL) throws(WorkloadError) -> StoreMemory {
    let path = url.path
    #if canImport(Glibc)
      let fd = Glibc.open(path, O_RDONLY)
    #else
      let fd = Darwin.open(path, O_RDONLY)
    #endif
    guard fd >= 0 else {
      throw WorkloadError(
        file: path, message: "cannot open the trace store: \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      throw WorkloadError(
        file: path, message: "cannot read the trace store: \(String(cString: strerror(errno)))")
    }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
      throw WorkloadError(file: path, message: "not a regular file")
    }
    let size = Int(info.st_size)
    guard size >= headerBytes else {
      throw WorkloadError(
        file: path,
        message: size == 0
          ? "empty file, not a Yunhe trace store (.yt)"
          : "truncated: \(size) bytes, shorter than the \(headerBytes)-byte .yt header")
    }
    guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
      throw WorkloadError(
        file: path, message: "cannot map the trace store: \(String(cString: strerror(errno)))")
    }
    return StoreMemory(base: UnsafeRawPointer(mapped), byteCount: size) { base, count in
      munmap(UnsafeMutableRawPointer(mutating: base), count)
    }
  }

  /// Decodes and checks a `.yt` image.
  static func decode(_ memory: StoreMemory, path: String, verification: Verification) throws(WorkloadError)
    -> TraceStore
  {
    let raw = UnsafeRawBufferPointer(start: memory.base, count: memory.byteCount)
    func fail(_ message: String) -> WorkloadError { WorkloadError(file: path, message: message) }
    guard raw.count >= headerBytes else {
      throw fail("truncated: \(raw.count) bytes, shorter than the \(headerBytes)-byte .yt header")
    }
    guard Array(raw[0..<8]) == magic else {
      throw fail("not a Yunhe trace store (.yt): bad magic bytes at the start of the file")
    }
    let version: UInt32 = load(raw, 8)
    guard version == TraceFile.version else {
      throw fail(
        "unsupported .yt version \(version) (this Yunhe reads version \(TraceFile.version)); re-import the trace"
      )
    }
    let declaredHeader: UInt32 = load(raw, 12)
    guard declaredHeader == UInt32(headerBytes) else {
      throw fail("corrupt header: header length \(declaredHeader), expected \(headerBytes)")
    }
    let fileBytes: UInt64 = load(raw, 16)
    guard fileBytes == UInt64(raw.count) else {
      if fileBytes > UInt64(raw.count) {
        throw fail("truncated: the header says \(fileBytes) bytes, the file has \(raw.count)")
      }
      throw fail("\(UInt64(raw.count) - fileBytes) unexpected bytes after the end given in the header")
    }
    let columnCount: UInt32 = load(raw, 64)
    let directoryOffset: UInt64 = load(raw, 72)
    guard directoryOffset == UInt64(headerBytes), columnCount <= 64,
      headerBytes + Int(columnCount) * entryBytes <= raw.count
    else {
      throw fail(
        "corrupt header: directory of \(columnCount) columns at \(directoryOffset) does not fit the file")
    }
    let directory = UnsafeRawBufferPointer(
      rebasing: raw[headerBytes..<headerBytes + Int(columnCount) * entryBytes])
    let expected: UInt64 = load(raw, 120)
    let actual = headerChecksum(header: Array(raw[0..<headerBytes]), directory: Array(directory))
    guard expected == actual else {
      throw fail(
        "header checksum mismatch: the file is corrupt (stored \(hex(expected)), computed \(hex(actual)))")
    }
    let entityCount = Int(clamping: load(raw, 24) as UInt64)
    let sampleCount = Int(clamping: load(raw, 32) as UInt64)
    let origin: Int64 = load(raw, 40)
    let interval: Int64 = load(raw, 48)
    let stored = Int(clamping: load(raw, 56) as UInt64)
    let flags: UInt32 = load(raw, 68)
    guard interval > 0 else { throw fail("corrupt header: interval \(interval) ms") }
    // Directory.
    var entries: [String: Entry] = [:]
    for i in 0..<Int(columnCount) {
      let e = UnsafeRawBufferPointer(rebasing: directory[i * entryBytes..<(i + 1) * entryBytes])
      let nameBytes = Array(e[0..<16]).prefix { $0 != 0 }
      let name = String(decoding: nameBytes, as: UTF8.self)
      guard let type = ColumnType(rawValue: load(e, 16)) else {
        throw fail("corrupt directory: column `\(name)` has unknown type \(load(e, 16) as UInt32)")
      }
      let offset = Int(clamping: load(e, 24) as UInt64)
      let length = Int(clamping: load(e, 32) as UInt64)
      let count = Int(clamping: load(e, 40) as UInt64)
      guard offset % alignment == 0, offset >= headerBytes, length <= raw.count, offset <= raw.count - length,
        count.multipliedReportingOverflow(by: type.elementBytes) == (length, false)
      else {
        throw fail("corrupt directory: column `\(name)` (\(length) bytes at \(offset)) does not fit the file")
      }
      entries[name] = Entry(
        name: name, type: type, offset: offset, byteLength: length, count: count, quantum: load(e, 48),
        checksum: load(e, 56))
    }
    func column(_ name: String, _ type: ColumnType, count: Int?) throws(WorkloadError) -> Entry {
      guard let entry = entries[name] else { throw fail("corrupt file: column `\(name)` is missing") }
      guard entry.type == type else { throw fail("corrupt directory: column `\(name)` has the wrong type") }
      if let count, entry.count != count {
        throw fail("corrupt directory: column `\(name)` has \(entry.count) values, expected \(count)")
      }
      return entry
    }
    func checked(_ entry: Entry) throws(WorkloadError) -> UnsafeRawBufferPointer {
      let bytes = UnsafeRawBufferPointer(rebasing: raw[entry.offset..<entry.offset + entry.byteLength])
      let sum = StoreChecksum.hash(bytes)
      guard sum == entry.checksum else {
        throw fail(
          "checksum mismatch in column `\(entry.name)`: the file is corrupt (stored \(hex(entry.checksum)), computed \(hex(sum)))"
        )
      }
      return bytes
    }
    guard entityCount < raw.count else { throw fail("corrupt header: \(entityCount) entities") }
    let nameOffsets = try int64s(checked(column("names.offsets", .int64, count: entityCount + 1)))
    let utf8 = try checked(column("names.utf8", .bytes, count: nil))
    let cpuCapacity = try float64s(checked(column("cpu.capacity", .float64, count: entityCount)))
    let memoryCapacity = try float64s(checked(column("mem.capacity", .float64, count: entityCount)))
    let first = try int64s(checked(column("run.first", .int64, count: entityCount)))
    let offsets = try int64s(checked(column("run.offsets", .int64, count: entityCount + 1)))
    let qualityBytes = try checked(column("quality", .int64, count: entityCount * EntityQuality.fieldCount))
    let infoBytes = try checked(column("info", .bytes, count: nil))
    let cpuEntry = try column("cpu", .codes, count: stored)
    let memoryEntry = flags & 1 != 0 ? try column("memory", .codes, count: stored) : nil
    if verification == .full {
      _ = try checked(cpuEntry)
      if let memoryEntry { _ = try checked(memoryEntry) }
    }
    // Consistency.
    // Names are unique by construction and covered by the column checksums; they are not hashed
    // here, so that a store with many entities opens fast.
    var names: [String] = []
    names.reserveCapacity(entityCount)
    for i in 0..<entityCount {
      let a = nameOffsets[i]
      let b = nameOffsets[i + 1]
      guard a >= 0, a <= b, b <= Int64(utf8.count) else {
        throw fail("corrupt names: offsets of entity \(i) are out of order")
      }
      names.append(String(decoding: UnsafeRawBufferPointer(rebasing: utf8[Int(a)..<Int(b)]), as: UTF8.self))
    }
    guard offsets.first == 0, offsets.last == Int64(stored) else {
      throw fail("corrupt runs: the entities' runs do not add up to the \(stored) stored samples")
    }
    var firstSample: [Int] = []
    var rowOffsets: [Int] = [0]
    firstSample.reserveCapacity(entityCount)
    rowOffsets.reserveCapacity(entityCount + 1)
    for i in 0..<entityCount {
      let length = offsets[i + 1] - offsets[i]
      guard length >= 0, first[i] >= 0, first[i] <= Int64(sampleCount) - length else {
        throw fail("corrupt runs: the run of `\(names[i])` lies outside the \(sampleCount) samples")
      }
      firstSample.append(Int(first[i]))
      rowOffsets.append(Int(offsets[i + 1]))
    }
    let info: TraceStoreInfo
    do {
      info = try JSONDecoder().decode(TraceStoreInfo.self, from: Data(infoBytes))
    } catch {
      throw fail("corrupt store description (info column): \(error)")
    }
    guard info.cpuQuantum == cpuEntry.quantum, memoryEntry.map({ $0.quantum == info.memoryQuantum }) ?? true
    else {
      throw fail("corrupt directory: code quantum disagrees with the store description")
    }
    var quality: [EntityQuality] = []
    quality.reserveCapacity(entityCount)
    qualityBytes.withMemoryRebound(to: Int64.self) { all in
      for i in 0..<entityCount {
        let start = i * EntityQuality.fieldCount
        quality.append(
          EntityQuality(fields: UnsafeBufferPointer(rebasing: all[start..<start + EntityQuality.fieldCount])))
      }
    }
    return TraceStore(
      names: names, originMilliseconds: origin, intervalMilliseconds: interval, sampleCount: sampleCount,
      cpuCapacityCores: cpuCapacity.map { $0.isNaN ? nil : $0 },
      memoryCapacityGiB: memoryCapacity.map { $0.isNaN ? nil : $0 }, quality: quality, info: info,
      firstSample: firstSample, rowOffsets: rowOffsets,
      cpuCodes: CodeColumn(memory: memory, offset: cpuEntry.offset, count: stored),
      memoryCodes: memoryEntry.map { CodeColumn(memory: memory, offset: $0.offset, count: stored) })
  }

  // MARK: Helpers

  static func aligned(_ offset: Int) -> Int { (offset + alignment - 1) / alignment * alignment }

  static func bytes<T: FixedWidthInteger>(of value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
  }

  static func put<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
    bytes.replaceSubrange(offset..<offset + MemoryLayout<T>.size, with: Self.bytes(of: value))
  }

  static func load<T: FixedWidthInteger>(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> T {
    T(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))
  }

  static func load(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> Double {
    Double(bitPattern: load(raw, offset) as UInt64)
  }

  static func int64s(_ raw: UnsafeRawBufferPointer) -> [Int64] {
    (0..<raw.count / 8).map { load(raw, $0 * 8) }
  }

  static func float64s(_ raw: UnsafeRawBufferPointer) -> [Double] {
    (0..<raw.count / 8).map { load(raw, $0 * 8) }
  }

  static func encode(_ e: Entry) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: entryBytes)
    let name = Array(e.name.utf8.prefix(16))
    out.replaceSubrange(0..<name.count, with: name)
    put(e.type.rawValue, at: 16, in: &out)
    put(UInt64(e.offset), at: 24, in: &out)
    put(UInt64(e.byteLength), at: 32, in: &out)
    put(UInt64(e.count), at: 40, in: &out)
    put(e.quantum.bitPattern, at: 48, in: &out)
    put(e.checksum, at: 56, in: &out)
    return out
  }

  static func headerChecksum(header: [UInt8], directory: [UInt8]) -> UInt64 {
    (Array(header[0..<120]) + directory).withUnsafeBytes { StoreChecksum.hash($0) }
  }

  static func hex(_ x: UInt64) -> String {
    let digits = String(x, radix: 16)
    return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
  }
}
