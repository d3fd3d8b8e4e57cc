import Foundation
import Workload

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

/// CPU utilisation traces, one row of `samplesPerVM` values per VM (struct of arrays: one flat
/// buffer). Row `i` holds `data[0...287]` of trace `i` and, as CloudSim does, a copy of the last
/// sample at index 288.
public struct DynamicWorkload: Sendable {
  /// Trace names (file names), in VM order.
  public var names: [String]
  /// Samples per VM row (289 for PlanetLab days).
  public var samplesPerVM: Int
  /// Utilisation fractions, row-major.
  public var samples: [Double]
  /// Sample period, seconds.
  public var intervalSeconds: Double

  /// Number of VMs.
  public var count: Int { names.count }

  /// Creates a workload from rows of samples (each row is padded with its last sample).
  public init(names: [String], rows: [[Double]], intervalSeconds: Double = 300) {
    let width = (rows.map(\.count).max() ?? 0) + 1
    self.names = names
    self.samplesPerVM = width
    self.intervalSeconds = intervalSeconds
    var flat = [Double](repeating: 0, count: width * rows.count)
    for (i, row) in rows.enumerated() {
      for (k, x) in row.enumerated() { flat[i * width + k] = x }
      let last = row.last ?? 0
      for k in row.count..<width { flat[i * width + k] = last }
    }
    self.samples = flat
  }

  /// The first `n` VMs.
  public func prefix(_ n: Int) -> DynamicWorkload {
    var w = self
    let m = Swift.min(n, count)
    w.names = Array(names.prefix(m))
    w.samples = Array(samples.prefix(m * samplesPerVM))
    return w
  }

  /// Reads a PlanetLab date folder: files in byte-wise name order (as Workload's importer and
  /// `LC_ALL=C ls`), one CPU percentage per line, divided by 100. This is a direct reader for
  /// speed (the importer's general machinery costs ~0.4 s per day); `viaImporter` uses Workload's
  /// PlanetLab importer and gives the same rows.
  public static func planetLab(folder: URL) throws -> DynamicWorkload {
    let fm = FileManager.default
    guard let entries = try? fm.contentsOfDirectory(atPath: folder.path) else {
      return try viaImporter(folder: folder)
    }
    let names = entries.filter { !$0.hasPrefix(".") }.sorted {
      Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8))
    }
    var rows: [[Double]] = []
    rows.reserveCapacity(names.count)
    for name in names {
      guard let data = fm.contents(atPath: folder.path + "/" + name), let row = parsePercentages(data) else {
        return try viaImporter(folder: folder)
      }
      rows.append(row)
    }
    guard !rows.isEmpty else { return try viaImporter(folder: folder) }
    return DynamicWorkload(names: names, rows: rows)
  }

  /// One file of non-negative integer percentages, one per line; nil for anything else (the
  /// importer then reads the folder and reports the problem precisely).
  static func parsePercentages(_ data: Data) -> [Double]? {
    var row: [Double] = []
    row.reserveCapacity(289)
    var value = 0
    var digits = 0
    var ok = true
    data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
      for b in bytes {
        if b >= 48 && b <= 57 {
          value = value * 10 + Int(b - 48)
          digits += 1
          if digits > 9 { ok = false }
        } else if b == 10 {
          if digits == 0 { ok = false }
          row.append(Double(value) / 100)
          value = 0
          digits = 0
        } else if b != 13 {
          ok = false
        }
      }
    }
    if digits > 0 { row.append(Double(value) / 100) }
    return ok && !row.isEmpty ? row : nil
  }

  /// Reads a PlanetLab date folder through Workload's importer.
  public static func viaImporter(folder: URL) throws -> DynamicWorkload {
    var sink = RowSink()
    try PlanetLabImporter.read(folder, into: &sink, options: ImportOptions())
    return DynamicWorkload(names: sink.names, rows: sink.rows)
  }
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
