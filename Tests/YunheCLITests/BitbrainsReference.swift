import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One Bitbrains VM read straight from its CSV file, without Yunhe's importer or trace store, so
/// that a replay's report can be checked against the trace itself.
///
/// The reading follows the rules `BitbrainsImporter` and `TraceStoreBuilder` document (and that
/// docs/scenario.md states for a replay), written out again here:
/// - the capacity of a VM is the largest `CPU cores`, `CPU capacity provisioned [MHZ]` and
///   `Memory capacity provisioned [KB]` of its running rows (`CPU cores` > 0);
/// - CPU utilisation = `CPU usage [MHZ]` / largest MHz (0 in a "VM off" row), memory utilisation =
///   `Memory usage [KB]` / largest KB;
/// - rows with the same timestamp count once, with the larger utilisation of each metric; a row
///   older than the previous one is dropped;
/// - the timestamps are epoch seconds; a reading falls in the 5-minute bucket `⌊t / 300⌋`, which
///   holds the mean of its readings.
struct ReferenceVM {
  /// The file name without `.csv`.
  var name: String
  /// Largest `CPU cores`.
  var cores: Double
  /// Largest `Memory capacity provisioned [KB]`, in GiB.
  var memoryGiB: Double
  /// Bucket (`⌊t / 300⌋`) of the first reading.
  var firstBucket: Int
  /// Mean CPU utilisation per bucket from `firstBucket` to the last reading's (nil: no reading).
  var cpu: [Double?]
  /// Mean memory utilisation per bucket, like `cpu`.
  var memory: [Double?]

  /// The VM's size as a flavour name: `<cores>C<GiB rounded up>G`.
  var flavour: String { "\(Int(cores))C\(Int(memoryGiB.rounded(.up)))G" }

  /// Demand in each of `count` samples from bucket `origin` (utilisation × `scale`): 0 before the
  /// first reading, and a bucket without a reading holds the previous value (the store's forward
  /// fill, then the replay's hold, give the same result); after the last reading the last value is
  /// held.
  func demand(_ values: [Double?], origin: Int, count: Int, scale: Double) -> [Double] {
    var out: [Double] = []
    out.reserveCapacity(count)
    var previous = 0.0
    for k in 0..<count {
      let i = origin + k - firstBucket
      if i >= 0, i < values.count, let u = values[i] { previous = u * scale }
      out.append(previous)
    }
    return out
  }

  /// CPU demand in cores (utilisation × `cores`).
  func cpuDemand(origin: Int, count: Int, cores: Double? = nil) -> [Double] {
    demand(cpu, origin: origin, count: count, scale: cores ?? self.cores)
  }

  /// Memory demand in GiB (utilisation × `memoryGiB`).
  func memoryDemand(origin: Int, count: Int, gib: Double? = nil) -> [Double] {
    demand(memory, origin: origin, count: count, scale: gib ?? memoryGiB)
  }

  /// Buckets the store holds a value for: those with a reading, and runs of at most `fillLimit`
  /// empty buckets between two readings (forward-filled); longer runs are missing.
  func presentSamples(fillLimit: Int = 3) -> Int {
    var present = 0
    var empty = 0
    for value in cpu {
      if value == nil {
        empty += 1
      } else {
        present += 1 + (empty <= fillLimit ? empty : 0)
        empty = 0
      }
    }
    return present
  }

  /// Largest bucket-mean CPU utilisation.
  var peakCPUUtilisation: Double { cpu.compactMap { $0 }.max() ?? 0 }
}

enum BitbrainsReference {
  static let bucketSeconds: Int64 = 300

  /// The VMs of a month folder, in numeric order of their file names.
  static func read(_ folder: URL) throws -> [ReferenceVM] {
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
      $0.hasSuffix(".csv")
    }
    .sorted { Int($0.dropLast(4)) ?? 0 < Int($1.dropLast(4)) ?? 0 }
    return try files.map { try readVM(folder.appendingPathComponent($0)) }
  }

  struct Row {
    var time: Int64
    var cores: Double
    var megahertz: Double
    var cpuUsage: Double
    var memoryKB: Double
    var memoryUsage: Double
  }

  /// The data rows of one file: fields separated by `;` and a TAB; columns 1–4, 6 and 7.
  static func rows(_ url: URL) throws -> [Row] {
    var data = try Data(contentsOf: url)
    data.append(0)
    return data.withUnsafeBytes { raw -> [Row] in
      var p = raw.bindMemory(to: CChar.self).baseAddress!
      var end: UnsafeMutablePointer<CChar>? = nil
      while p.pointee != 10 { p += 1 }  // the header line
      p += 1
      func field() -> Double {
        precondition(p[0] == 59 && p[1] == 9, "\(url.path): expected `;\\t`")
        p += 2
        let value = strtod(p, &end)
        p = UnsafePointer(end!)
        return value
      }
      var out: [Row] = []
      while p.pointee != 0 {
        let time = Int64(strtoll(p, &end, 10))
        p = UnsafePointer(end!)
        let cores = field()
        let megahertz = field()
        let usage = field()
        _ = field()  // CPU usage [%]
        let memoryKB = field()
        let memoryUsage = field()
        while p.pointee != 10 && p.pointee != 0 { p += 1 }
        if p.pointee == 10 { p += 1 }
        out.append(
          Row(
            time: time, cores: cores, megahertz: megahertz, cpuUsage: usage, memoryKB: memoryKB,
            memoryUsage: memoryUsage))
      }
      return out
    }
  }

  static func readVM(_ url: URL) throws -> ReferenceVM {
    let rows = try rows(url)
    var cores = 0.0
    var megahertz = 0.0
    var memoryKB = 0.0
    for r in rows where r.cores > 0 {
      cores = max(cores, r.cores)
      megahertz = max(megahertz, r.megahertz)
      memoryKB = max(memoryKB, r.memoryKB)
    }
    var readings: [(time: Int64, cpu: Double, memory: Double)] = []
    for r in rows {
      let cpu = r.cores > 0 ? r.cpuUsage / megahertz : 0
      let memory = r.memoryUsage / memoryKB
      if let last = readings.last {
        if r.time < last.time { continue }
        if r.time == last.time {
          readings[readings.count - 1].cpu = max(last.cpu, cpu)
          readings[readings.count - 1].memory = max(last.memory, memory)
          continue
        }
      }
      readings.append((r.time, cpu, memory))
    }
    let first = Int(readings[0].time / bucketSeconds)
    let last = Int(readings[readings.count - 1].time / bucketSeconds)
    var sums = [(cpu: Double, memory: Double, n: Int)](repeating: (0, 0, 0), count: last - first + 1)
    for r in readings {
      let b = Int(r.time / bucketSeconds) - first
      sums[b].cpu += r.cpu
      sums[b].memory += r.memory
      sums[b].n += 1
    }
    return ReferenceVM(
      name: String(url.lastPathComponent.dropLast(4)), cores: cores, memoryGiB: memoryKB / 1_048_576,
      firstBucket: first, cpu: sums.map { $0.n > 0 ? $0.cpu / Double($0.n) : nil },
      memory: sums.map { $0.n > 0 ? $0.memory / Double($0.n) : nil })
  }
}

// MARK: - Reading a report folder

/// The files of one `yunhe run` report folder.
struct RunReport {
  var folder: URL
  var summary: [String: Any]
  /// `placements.csv` rows as header → value.
  var placements: [[String: String]]
  /// `timeseries.csv` rows as header → value.
  var timeseries: [[String: String]]

  init(_ folder: URL) throws {
    self.folder = folder
    let json = try JSONSerialization.jsonObject(
      with: Data(contentsOf: folder.appendingPathComponent("summary.json")))
    summary = json as? [String: Any] ?? [:]
    placements = try Self.csv(folder.appendingPathComponent("placements.csv"))
    timeseries = try Self.csv(folder.appendingPathComponent("timeseries.csv"))
  }

  /// A simple CSV (no quoted fields expected; a quoted field fails the tests that read it).
  static func csv(_ url: URL) throws -> [[String: String]] {
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
    guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    else { return [] }
    return lines.dropFirst().map { line in
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      var row: [String: String] = [:]
      for (i, name) in header.enumerated() where i < fields.count { row[name] = fields[i] }
      return row
    }
  }

  /// A number at a path of keys in summary.json (NaN when absent).
  func number(_ keys: String...) -> Double {
    var node: Any? = summary
    for k in keys { node = (node as? [String: Any])?[k] }
    return numeric(node) ?? .nan
  }

  /// An integer at a path of keys in summary.json (-1 when absent).
  func integer(_ keys: String...) -> Int {
    var node: Any? = summary
    for k in keys { node = (node as? [String: Any])?[k] }
    return numeric(node).map { Int($0) } ?? -1
  }

  /// The objects of an array in summary.json.
  func objects(_ key: String) -> [[String: Any]] { summary[key] as? [[String: Any]] ?? [] }
}

/// A JSON number as a Double, whatever type JSONSerialization gave it; nil for anything else.
func numeric(_ value: Any?) -> Double? {
  switch value {
  case let x as Int: return Double(x)
  case let x as Double: return x
  case let x as NSNumber: return x.doubleValue
  default: return nil
  }
}

/// A JSON value as text with sorted keys, for comparing two parsed documents.
func canonical(_ value: Any?) -> String {
  guard let value, let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
  else {
    return "nil"
  }
  return String(decoding: data, as: UTF8.self)
}

// MARK: - Running the yunhe executable

/// The `yunhe` executable built next to the test bundle (`swift build` and `swift test` build it).
let yunheExecutable: URL = {
  let bundle = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
  return bundle.deletingLastPathComponent().appendingPathComponent("yunhe")
}()

/// Runs `yunhe` with `arguments` in a child process: its exit code, stdout and stderr.
func runYunhe(_ arguments: [String]) throws -> (code: Int32, stdout: String, stderr: String) {
  guard FileManager.default.isExecutableFile(atPath: yunheExecutable.path) else {
    throw CLITestError(
      message: "no yunhe executable at \(yunheExecutable.path); build it with `swift build` first")
  }
  let process = Process()
  process.executableURL = yunheExecutable
  process.arguments = arguments
  let folder = try temporaryFolder()
  defer { try? FileManager.default.removeItem(at: folder) }
  // Files rather than pipes: a large stdout cannot fill a pipe and block the child.
  let out = folder.appendingPathComponent("stdout")
  let err = folder.appendingPathComponent("stderr")
  _ = FileManager.default.createFile(atPath: out.path, contents: nil)
  _ = FileManager.default.createFile(atPath: err.path, contents: nil)
  let outHandle = try FileHandle(forWritingTo: out)
  let errHandle = try FileHandle(forWritingTo: err)
  process.standardOutput = outHandle
  process.standardError = errHandle
  process.standardInput = FileHandle.nullDevice
  try process.run()
  process.waitUntilExit()
  try outHandle.close()
  try errHandle.close()
  return (
    process.terminationStatus, try String(contentsOf: out, encoding: .utf8),
    try String(contentsOf: err, encoding: .utf8)
  )
}

struct CLITestError: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}
