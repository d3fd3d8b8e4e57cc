import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Counted repairs, keyed by kind and file, in order of first occurrence.
struct RepairLog {
  private(set) var entries: [TraceRepair] = []

  /// Counts one occurrence (or `count`) of `kind` in `file` at `line`.
  mutating func note(_ kind: String, file: String, line: Int, count: Int = 1) {
    for i in entries.indices.reversed() where entries[i].kind == kind && entries[i].file == file {
      entries[i].count += count
      return
    }
    entries.append(TraceRepair(kind: kind, file: file, firstLine: line, count: count))
  }
}

/// How two samples of one entity at the same time become one.
enum DuplicateRule {
  /// Keep the larger value of each metric (a conservative choice for sizing); counted as a repair.
  case maximum
  /// The later row wins: the state after every event at that instant (event logs); not a repair.
  case last
}

/// The per-entity sample state of an import: one pending sample per entity, sent to the sink once
/// a later time arrives for that entity (or at `flushAll`). Keeps times strictly increasing per
/// entity, merging duplicates and dropping (or rejecting) decreasing times. Entities are numbered
/// densely from 0 in declaration order; `sinkIDs` maps them to the sink's ids.
struct SampleGate {
  /// One entity's state.
  struct Slot {
    var sinkID: Int
    /// Time of the pending sample (or of the last one sent), `Int64.min` when none yet.
    var time = Int64.min
    var hasPending = false
    var cpu = 0.0
    var memory = 0.0
  }

  private var slots: [Slot] = []
  /// Samples sent to the sink.
  private(set) var appended = 0

  /// Adds an entity with the sink's id; returns its dense index.
  mutating func add(sinkID: Int) -> Int {
    slots.append(Slot(sinkID: sinkID))
    return slots.count - 1
  }

  /// What happened to an offered sample.
  enum Outcome {
    case accepted, merged, older
  }

  /// Offers a sample of entity `id` (a dense index); on `.older` nothing changed.
  @inline(__always)
  mutating func offer(
    _ id: Int, time: Int64, cpu: Double, memory: Double, rule: DuplicateRule, sink: inout some TraceSink
  ) -> Outcome {
    slots.withUnsafeMutableBufferPointer { slots in
      let slot = slots[id]
      if time > slot.time {
        if slot.hasPending {
          sink.append(
            entity: slot.sinkID, timeMilliseconds: slot.time, cpuUtilisation: slot.cpu,
            memoryUtilisation: slot.memory)
          appended += 1
        }
        slots[id] = Slot(sinkID: slot.sinkID, time: time, hasPending: true, cpu: cpu, memory: memory)
        return .accepted
      }
      if time == slot.time && slot.hasPending {
        switch rule {
        case .maximum:
          slots[id].cpu = Self.maximum(slot.cpu, cpu)
          slots[id].memory = Self.maximum(slot.memory, memory)
        case .last:
          slots[id].cpu = cpu
          slots[id].memory = memory
        }
        return .merged
      }
      return .older
    }
  }

  /// Sends a sample straight to the sink, for an importer whose times increase by construction
  /// (no pending sample may be held for `id`).
  @inline(__always)
  mutating func append(_ id: Int, time: Int64, cpu: Double, memory: Double, sink: inout some TraceSink) {
    sink.append(
      entity: slots[id].sinkID, timeMilliseconds: time, cpuUtilisation: cpu, memoryUtilisation: memory)
    appended += 1
  }

  /// Sends entity `id`'s pending sample.
  mutating func flush(_ id: Int, sink: inout some TraceSink) {
    guard id < slots.count, slots[id].hasPending else { return }
    let slot = slots[id]
    sink.append(
      entity: slot.sinkID, timeMilliseconds: slot.time, cpuUtilisation: slot.cpu,
      memoryUtilisation: slot.memory)
    appended += 1
    slots[id].hasPending = false
  }

  /// Sends every pending sample, in entity order.
  mutating func flushAll(sink: inout some TraceSink) {
    for id in slots.indices { flush(id, sink: &sink) }
  }

  /// The larger of two values, NaN counting as absent.
  @inline(__always)
  static func maximum(_ a: Double, _ b: Double) -> Double {
    if a.isNaN { return b }
    if b.isNaN { return a }
    return a >= b ? a : b
  }
}

/// Shared bookkeeping of one import: repairs, the summary, the entity bound and the timestamp policy.
struct ImportContext {
  let options: ImportOptions
  var repairs = RepairLog()
  var summary = ImportSummary()
  var gate = SampleGate()

  init(options: ImportOptions) { self.options = options }

  /// Declares an entity, checking the entity bound; returns its dense index for `sample`.
  mutating func declare(
    _ name: String, cpuCores: Double?, memoryGiB: Double?, file: String, line: Int, sink: inout some TraceSink
  ) throws(WorkloadError) -> Int {
    guard summary.entities < options.maximumEntities else {
      throw WorkloadError(
        file: file, line: line,
        message:
          "more than \(options.maximumEntities) entities (ImportOptions.maximumEntities); the trace is too large for one import"
      )
    }
    let sinkID = sink.declare(entity: name, cpuCapacityCores: cpuCores, memoryCapacityGiB: memoryGiB)
    summary.entities += 1
    return gate.add(sinkID: sinkID)
  }

  /// Offers a sample through the gate, counting duplicates and dropping or rejecting older times.
  @inline(__always)
  mutating func sample(
    _ id: Int, time: Int64, cpu: Double, memory: Double, rule: DuplicateRule, row: Row, timeField: Int,
    entityName: @autoclosure () -> String, sink: inout some TraceSink
  ) throws(WorkloadError) {
    try sample(
      id, time: time, cpu: cpu, memory: memory, rule: rule, file: row.file, line: row.line.number,
      field: row.name(timeField), timeText: row.text(timeField), entityName: entityName(), sink: &sink)
  }

  /// Offers a sample through the gate; `file`, `line`, `field` and `timeText` locate it in errors.
  @inline(__always)
  mutating func sample(
    _ id: Int, time: Int64, cpu: Double, memory: Double, rule: DuplicateRule, file: @autoclosure () -> String,
    line: Int, field: @autoclosure () -> String, timeText: @autoclosure () -> String,
    entityName: @autoclosure () -> String, sink: inout some TraceSink
  ) throws(WorkloadError) {
    switch gate.offer(id, time: time, cpu: cpu, memory: memory, rule: rule, sink: &sink) {
    case .accepted:
      return
    case .merged:
      guard rule == .maximum else { return }
      if options.timestamps == .reject {
        throw WorkloadError(
          file: file(), line: line, field: field(),
          message: "duplicated time \(timeText()) for \(entityName()) (ImportOptions.timestamps = .reject)")
      }
      repairs.note(
        "duplicated timestamp: rows merged, keeping the larger value of each metric", file: file(), line: line
      )
    case .older:
      if options.timestamps == .reject {
        throw WorkloadError(
          file: file(), line: line, field: field(),
          message:
            "time \(timeText()) goes backwards for \(entityName()) (ImportOptions.timestamps = .reject)")
      }
      repairs.note("decreasing timestamp: row dropped", file: file(), line: line)
    }
  }

  /// Notes a last line without line end (accepted, but it may have been cut short).
  mutating func noteScan(_ scan: ScanResult, file: String) {
    summary.files += 1
    summary.bytes += scan.rawBytes
    summary.textBytes += scan.textBytes
    if scan.missingFinalNewline {
      repairs.note(
        "last line has no line end (accepted; check the file is complete)", file: file, line: scan.lines)
    }
  }

  /// Flushes pending samples and reports the repairs to the sink.
  mutating func finish(sink: inout some TraceSink) -> ImportSummary {
    gate.flushAll(sink: &sink)
    summary.samples = gate.appended
    summary.repairs = repairs.entries
    for repair in repairs.entries { sink.repair(repair) }
    return summary
  }
}

/// Helpers on paths and folders.
enum TraceFiles {
  /// The path of a file URL, or its absolute string.
  static func path(_ url: URL) -> String { url.isFileURL ? url.path : url.absoluteString }

  /// Whether `url` is an existing folder; throws when it does not exist.
  static func isFolder(_ url: URL) throws(WorkloadError) -> Bool {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path(url), isDirectory: &isDirectory) else {
      throw WorkloadError(file: path(url), message: "no such file or folder")
    }
    return isDirectory.boolValue
  }

  /// Entries of a folder (hidden ones left out), sorted by their UTF-8 bytes (as `LC_ALL=C ls`),
  /// with whether each is a folder (from `readdir`'s type, or `stat` when the file system does not say).
  static func entries(_ url: URL) throws(WorkloadError) -> [(name: String, isFolder: Bool)] {
    let folder = path(url)
    guard let directory = opendir(folder) else {
      throw WorkloadError(
        file: folder, message: "cannot list the folder: \(String(cString: strerror(errno)))")
    }
    defer { closedir(directory) }
    var found: [(name: [UInt8], isFolder: Bool)] = []
    while let entry = readdir(directory) {
      // The name is read in place: `readdir` records are only as long as their name, so
      // copying the whole `d_name` array would read past the record.
      let start = UnsafeRawPointer(entry) + MemoryLayout<dirent>.offset(of: \dirent.d_name)!
      let name = Array(
        UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: strlen(start)))
      guard let first = name.first, first != UInt8(ascii: ".") else { continue }
      var isFolder = entry.pointee.d_type == UInt8(DT_DIR)
      if entry.pointee.d_type == UInt8(DT_UNKNOWN) || entry.pointee.d_type == UInt8(DT_LNK) {
        var info = stat()
        let full = folder + "/" + String(decoding: name, as: UTF8.self)
        isFolder = stat(full, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
      }
      found.append((name, isFolder))
    }
    return found.sorted { $0.name.lexicographicallyPrecedes($1.name) }
      .map { (String(decoding: $0.name, as: UTF8.self), $0.isFolder) }
  }

  /// Natural order: runs of digits compare as numbers (`file-2` before `file-10`), the rest by bytes.
  static func naturalOrder(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    var i = 0
    var j = 0
    func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    while i < x.count && j < y.count {
      if isDigit(x[i]) && isDigit(y[j]) {
        var i2 = i
        var j2 = j
        while i2 < x.count && isDigit(x[i2]) { i2 += 1 }
        while j2 < y.count && isDigit(y[j2]) { j2 += 1 }
        // Compare without leading zeros: longer is larger, then digit by digit.
        var p = i
        var q = j
        while p < i2 - 1 && x[p] == 48 { p += 1 }
        while q < j2 - 1 && y[q] == 48 { q += 1 }
        if i2 - p != j2 - q { return i2 - p < j2 - q }
        while p < i2 {
          if x[p] != y[q] { return x[p] < y[q] }
          p += 1
          q += 1
        }
        i = i2
        j = j2
        continue
      }
      if x[i] != y[j] { return x[i] < y[j] }
      i += 1
      j += 1
    }
    if x.count - i != y.count - j { return x.count - i < y.count - j }
    return a.utf8.lexicographicallyPrecedes(b.utf8)
  }

  /// The first of `names` that exists in `folder`, or nil.
  static func find(_ names: [String], in folder: String) -> String? {
    for name in names where FileManager.default.fileExists(atPath: folder + "/" + name) {
      return folder + "/" + name
    }
    return nil
  }
}
