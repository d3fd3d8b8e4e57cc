import Foundation
import Synchronization
import Workload

#if canImport(Glibc)
  import Glibc
#endif

/// A physical host model of the dynamic-consolidation experiments: processing elements of equal
/// MIPS and an 11-point SPECpower table (watts at 0 %, 10 %, …, 100 % CPU).
public struct DynamicHostType: Sendable, Hashable {
  /// Model name.
  public var name: String
  /// MIPS of one processing element.
  public var peMips: Double
  /// Number of processing elements.
  public var pes: Int
  /// RAM, MB.
  public var ramMB: Int
  /// Network bandwidth, kbit/s.
  public var bandwidth: Int
  /// Watts at 0, 10, …, 100 % CPU.
  public var powerTable: [Double]

  /// Total MIPS.
  public var totalMips: Double { peMips * Double(pes) }

  /// HP ProLiant ML110 G4 (Xeon 3040), CloudSim 3.0.3's host type 0.
  public static let hpG4 = DynamicHostType(
    name: "HP ProLiant ML110 G4", peMips: 1860, pes: 2, ramMB: 4096, bandwidth: 1_000_000,
    powerTable: [86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117])
  /// HP ProLiant ML110 G5 (Xeon 3075), CloudSim 3.0.3's host type 1.
  public static let hpG5 = DynamicHostType(
    name: "HP ProLiant ML110 G5", peMips: 2660, pes: 2, ramMB: 4096, bandwidth: 1_000_000,
    powerTable: [93.7, 97, 101, 105, 110, 116, 121, 125, 129, 133, 135])
}

/// A VM type: MIPS of its single PE, RAM and bandwidth.
public struct DynamicVMType: Sendable, Hashable {
  /// MIPS.
  public var mips: Double
  /// RAM, MB.
  public var ramMB: Int
  /// Bandwidth, kbit/s.
  public var bandwidth: Int

  /// The four EC2-like types of the CloudSim examples, in type order.
  public static let ec2Like: [DynamicVMType] = [
    DynamicVMType(mips: 2500, ramMB: 870, bandwidth: 100_000),
    DynamicVMType(mips: 2000, ramMB: 1740, bandwidth: 100_000),
    DynamicVMType(mips: 1000, ramMB: 1740, bandwidth: 100_000),
    DynamicVMType(mips: 500, ramMB: 613, bandwidth: 100_000),
  ]
}

/// CPU utilisation traces, `samplesPerVM` samples per VM. Sample `k` of VM `i` is `data[k]` of
/// trace `i` for k ≤ 287 and, as CloudSim does, a copy of the last sample at index 288.
///
/// Storage is picked automatically: when every sample is a whole percent p / 100 (0 ≤ p ≤ 100,
/// bit for bit `Double(p) / 100`, as PlanetLab files and the synthetic generator give), one byte
/// a sample, time-major, so a frame reads one row of bytes sequentially (the 100 k-VM, 7-day
/// run holds 0.2 GB instead of 1.6 GB); otherwise the doubles, VM-major. Both read back
/// bit-identically.
public struct DynamicWorkload: Sendable {
  /// Trace names (file names), in VM order; their count is the VM count of the samples.
  public var names: [String]
  /// Samples per VM (289 for PlanetLab days).
  public private(set) var samplesPerVM: Int
  /// The samples, as whole-percent bytes or doubles (see `WorkloadSamples`).
  private(set) var storage: WorkloadSamples
  /// Sample period, seconds.
  public var intervalSeconds: Double

  /// Number of VMs.
  public var count: Int { names.count }

  /// Utilisation fractions, VM-major (`samples[i * samplesPerVM + k]`). Materialised from the
  /// storage on each read (`count × samplesPerVM` doubles): for tests and small workloads, not for
  /// loops. Setting it keeps `samplesPerVM` and picks the storage again.
  public var samples: [Double] {
    get { storage.vmMajor(width: samplesPerVM) }
    set { storage = WorkloadSamples(vmMajor: newValue, width: samplesPerVM) }
  }

  /// Creates a workload from VM-major samples, `samplesPerVM` per VM (no padding added).
  public init(names: [String], samplesPerVM: Int, samples: [Double], intervalSeconds: Double = 300) {
    self.init(
      names: names, samplesPerVM: samplesPerVM,
      storage: WorkloadSamples(vmMajor: samples, width: samplesPerVM), intervalSeconds: intervalSeconds)
  }

  init(names: [String], samplesPerVM: Int, storage: WorkloadSamples, intervalSeconds: Double) {
    self.names = names
    self.samplesPerVM = samplesPerVM
    self.storage = storage
    self.intervalSeconds = intervalSeconds
  }

  /// Creates a workload from rows of samples (each row is padded with its last sample).
  public init(names: [String], rows: [[Double]], intervalSeconds: Double = 300) {
    let width = (rows.map(\.count).max() ?? 0) + 1
    var flat = [Double](repeating: 0, count: width * rows.count)
    for (i, row) in rows.enumerated() {
      for (k, x) in row.enumerated() { flat[i * width + k] = x }
      let last = row.last ?? 0
      for k in row.count..<width { flat[i * width + k] = last }
    }
    self.init(names: names, samplesPerVM: width, samples: flat, intervalSeconds: intervalSeconds)
  }

  /// The first `n` VMs, in the same storage.
  public func prefix(_ n: Int) -> DynamicWorkload {
    var w = self
    let m = Swift.min(n, count)
    w.names = Array(names.prefix(m))
    w.storage = storage.prefix(m, width: samplesPerVM)
    return w
  }

  /// Reads a PlanetLab date folder: files in byte-wise name order (as Workload's importer and
  /// `LC_ALL=C ls`), one CPU percentage per line, divided by 100 (stored as bytes when all are
  /// 0…100). This is a direct reader for speed (the importer's general machinery costs ~0.4 s
  /// per day): POSIX reads into a reused buffer, two threads, each file parsed in place;
  /// `viaImporter` uses Workload's PlanetLab importer and gives the same rows.
  public static func planetLab(folder: URL) throws -> DynamicWorkload {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
      return try viaImporter(folder: folder)
    }
    var names = entries.filter { !$0.hasPrefix(".") }
    // Byte-wise order (file names hold no NUL; strcmp compares unsigned bytes).
    names.sort { a, b in a.withCString { pa in b.withCString { pb in strcmp(pa, pb) < 0 } } }
    guard !names.isEmpty else { return try viaImporter(folder: folder) }
    let directory = open(folder.path, O_RDONLY | O_DIRECTORY)
    guard directory >= 0 else { return try viaImporter(folder: folder) }
    defer { close(directory) }
    // A PlanetLab day has 288 samples per file. Whole percents 0…100 (all of PlanetLab) are
    // parsed straight into the time-major byte store at that width; a value above 100 or any
    // other length falls back to doubles or to per-row arrays. Files of one folder must agree
    // on their length: a shorter one is reported as truncated, not padded.
    let width = 289
    let count = names.count
    let bytes = [UInt8](unsafeUninitializedCapacity: count * width) { out, initialised in
      let base = UnsafeMutableSendablePointer(out.baseAddress!)
      // Sample k of file i at [k * count + i].
      let whole = parseFiles(names, in: directory) { text, i in
        let p = base.pointer + i
        guard parsePercentBytes(text, into: p, stride: count, width - 1) == width - 1 else { return false }
        p[(width - 1) * count] = p[(width - 2) * count]
        return true
      }
      initialised = whole ? count * width : 0
    }
    if bytes.count == count * width {
      return DynamicWorkload(
        names: names, samplesPerVM: width, storage: .percents(bytes, vms: count), intervalSeconds: 300)
    }
    var samples = [Double](repeating: 0, count: count * width)
    let regular = samples.withUnsafeMutableBufferPointer { flat in
      let base = UnsafeMutableSendablePointer(flat.baseAddress!)
      // Sample k of file i at [i * width + k].
      return parseFiles(names, in: directory) { text, i in
        let p = base.pointer + i * width
        guard parsePercentages(text, into: p, width - 1) == width - 1 else { return false }
        p[width - 1] = p[width - 2]
        return true
      }
    }
    if regular {
      return DynamicWorkload(names: names, samplesPerVM: width, samples: samples)
    }
    var rows: [[Double]] = []
    rows.reserveCapacity(count)
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    for name in names {
      guard let n = readFile(name, in: directory, into: &buffer),
        let row = buffer.withUnsafeBytes({ parsePercentages(UnsafeRawBufferPointer(rebasing: $0[0..<n])) })
      else { return try viaImporter(folder: folder) }
      rows.append(row)
    }
    let longest = rows.map(\.count).max() ?? 0
    if let i = rows.firstIndex(where: { $0.count < longest }) {
      let shorter = rows.filter { $0.count < longest }.count
      throw WorkloadError(
        file: folder.appendingPathComponent(names[i]).path, line: rows[i].count,
        message:
          "\(rows[i].count) samples, while other files of this folder have \(longest)"
          + " (\(shorter) of \(rows.count) files are shorter): truncated file?")
    }
    return DynamicWorkload(names: names, rows: rows)
  }

  /// Reads files `names` of `directory` on two threads (half of the files each) and hands each
  /// one's text and index to `parse`; false as soon as a file cannot be read or `parse` refuses
  /// one.
  static func parseFiles(
    _ names: [String], in directory: Int32, _ parse: @Sendable (UnsafeRawBufferPointer, Int) -> Bool
  ) -> Bool {
    let count = names.count
    let parts = 2
    let chunk = (count + parts - 1) / parts
    let regular = Atomic<Bool>(true)
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      var buffer = [UInt8](repeating: 0, count: 1 << 16)
      for i in Swift.min(part * chunk, count)..<Swift.min((part + 1) * chunk, count) {
        guard regular.load(ordering: .relaxed),
          let n = readFile(names[i], in: directory, into: &buffer),
          buffer.withUnsafeBytes({ parse(UnsafeRawBufferPointer(rebasing: $0[0..<n]), i) })
        else {
          regular.store(false, ordering: .relaxed)
          return
        }
      }
    }
    return regular.load(ordering: .relaxed)
  }

  /// Parses lines of whole percents 0…100 into `out[0]`, `out[stride]`, … (room for `capacity`
  /// values); the number of values, or −1 for anything else (a value above 100, an empty line,
  /// more than 9 digits, more than `capacity` values). A value p stands for `Double(p) / 100`,
  /// as in `parsePercentages`.
  static func parsePercentBytes(
    _ bytes: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>, stride: Int, _ capacity: Int
  ) -> Int {
    parseLines(bytes, capacity: capacity, maximum: 100) { out[$0 &* stride] = UInt8(truncatingIfNeeded: $1) }
  }

  /// The lines of `bytes` as non-negative integers of at most 9 digits and at most `maximum`
  /// (optionally CR-terminated; the last newline optional), `store(i, value)` called for each
  /// of the first `capacity`; the number of lines, or −1 for anything else or more than
  /// `capacity` lines.
  @inline(__always) static func parseLines(
    _ bytes: UnsafeRawBufferPointer, capacity: Int, maximum: Int, _ store: (Int, Int) -> Void
  ) -> Int {
    var count = 0
    var value = 0
    var digits = 0
    var ok = true
    @inline(__always) func endLine() {
      if digits == 0 || digits > 9 || value > maximum || count >= capacity {
        ok = false
      } else {
        store(count, value)
      }
      count += 1
      value = 0
      digits = 0
    }
    for b in bytes {
      let d = b &- 48
      if d < 10 {
        value = value &* 10 &+ Int(d)
        digits += 1
      } else if b == 10 {
        endLine()
      } else if b != 13 {
        ok = false
      }
    }
    if digits > 0 { endLine() }
    return ok && count > 0 ? count : -1
  }

  /// Reads a whole file of `directory` into `buffer` (grown as needed); its length, or nil.
  static func readFile(_ name: String, in directory: Int32, into buffer: inout [UInt8]) -> Int? {
    let fd = openat(directory, name, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var length = 0
    while true {
      if length == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
      let got = buffer.withUnsafeMutableBytes { b in read(fd, b.baseAddress! + length, b.count - length) }
      if got < 0 { return nil }
      if got == 0 { return length }
      length += got
    }
  }

  /// One file of non-negative integer percentages, one per line; nil for anything else (the
  /// importer then reads the folder and reports the problem precisely).
  static func parsePercentages(_ data: Data) -> [Double]? {
    data.withUnsafeBytes { parsePercentages($0) }
  }

  static func parsePercentages(_ bytes: UnsafeRawBufferPointer) -> [Double]? {
    var row = [Double](repeating: 0, count: bytes.count / 2 + 1)
    let n = row.withUnsafeMutableBufferPointer { parsePercentages(bytes, into: $0.baseAddress!, $0.count) }
    guard n > 0 && n <= row.count else { return nil }
    row.removeLast(row.count - n)
    return row
  }

  /// Parses into `out` (room for `capacity` values); the number of values, or −1 for anything
  /// but non-empty lines of at most 9 digits (optionally CR-terminated), or more than
  /// `capacity` values.
  static func parsePercentages(
    _ bytes: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<Double>, _ capacity: Int
  ) -> Int {
    parseLines(bytes, capacity: capacity, maximum: .max) { out[$0] = Double($1) / 100 }
  }

  /// Reads a PlanetLab date folder through Workload's importer.
  public static func viaImporter(folder: URL) throws -> DynamicWorkload {
    var sink = RowSink()
    try PlanetLabImporter.read(folder, into: &sink, options: ImportOptions())
    return DynamicWorkload(names: sink.names, rows: sink.rows)
  }
}

/// A pointer handed to concurrent workers that write disjoint ranges.
struct UnsafeMutableSendablePointer<T>: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<T>
  init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}

/// Collects the importer's samples as rows, in declaration order.
struct RowSink: TraceSink {
  var names: [String] = []
  var rows: [[Double]] = []

  mutating func declare(entity name: String, cpuCapacityCores: Double?, memoryCapacityGiB: Double?) -> Int {
    names.append(name)
    rows.append([])
    rows[rows.count - 1].reserveCapacity(288)
    return names.count - 1
  }

  mutating func append(
    entity: Int, timeMilliseconds: Int64, cpuUtilisation: Double, memoryUtilisation: Double
  ) {
    rows[entity].append(cpuUtilisation)
  }

  mutating func repair(_ repair: TraceRepair) {}
}

/// The datacenter: hosts (by type index) and VMs (by type index) over a workload.
public struct DynamicConfiguration: Sendable {
  /// Host types.
  public var hostTypes: [DynamicHostType]
  /// Type of each host.
  public var hostTypeOfHost: [Int]
  /// VM types.
  public var vmTypes: [DynamicVMType]
  /// Type of each VM.
  public var vmTypeOfVM: [Int]
  /// Scheduling interval, s.
  public var schedulingInterval: Double = 300
  /// Simulated time limit, s.
  public var limitSeconds: Double = 86_400
  /// `true` reproduces CloudSim 3.0.3 with its quirks; `false` is the fixed default mode.
  public var compat: Bool = true
  /// Run seed (random VM selection draws from its own stream of this seed).
  public var seed: UInt64 = 1

  /// CloudSim 3.0.3's PlanetLab set-up: `hosts` hosts alternating G4/G5 (800 in the examples),
  /// VM `i` of type `i / ceil(n/4)`.
  public static func cloudSimPlanetLab(vms n: Int, hosts: Int = 800) -> DynamicConfiguration {
    let perType = Swift.max(1, (n + 3) / 4)
    return DynamicConfiguration(
      hostTypes: [.hpG4, .hpG5], hostTypeOfHost: (0..<hosts).map { $0 % 2 },
      vmTypes: DynamicVMType.ec2Like, vmTypeOfVM: (0..<n).map { Swift.min($0 / perType, 3) })
  }
}
