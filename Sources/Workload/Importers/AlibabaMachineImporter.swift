import Foundation

/// Alibaba cluster-trace-v2018 `machine_usage` with `machine_meta`.
///
/// Input: a folder holding `machine_usage.csv` and `machine_meta.csv` (either may be `.csv.gz`), or
/// the usage file itself with the meta file next to it. Both are headerless CSV with columns in the
/// order of the trace's `schema.txt`.
///
/// - Entities: the machines that have usage rows, in order of their first usage row, named by
///   `machine_id`. Declared capacity: `cpu_num` from `machine_meta` (an event log: the largest value
///   over its events; a change is reported) in the trace's cores; no memory capacity (`mem_size`
///   is normalised to 100, with no absolute size). A machine missing from `machine_meta` is
///   declared without capacity (counted).
/// - Units: `time_stamp` is seconds since the trace start (0) → milliseconds; `cpu_util_percent`
///   and `mem_util_percent` are percent of the machine → / 100.
/// - Repairs (counted, never silent): a row with an empty `machine_id` or an empty, -1 or 101
///   (invalid sentinel) CPU or memory cell is dropped; `disk_io_percent` = -1/101 is counted but
///   the row is kept (that column is not imported); duplicated times keep the larger value of each
///   metric; times that go backwards for a machine are dropped (the official file is not globally
///   ordered and a machine's rows need not be contiguous: sort it with
///   `sort -t, -k1,1 -k2,2n` to keep them all), or rejected with `ImportOptions.timestamps = .reject`.
/// - Checks: 9 fields per usage row and 7 per meta row; numbers where numbers are due; other
///   negative values; samples are irregular (median 60–70 s in the sample) and are passed on as
///   they come.
public enum AlibabaMachineImporter: TraceImporter {
  public static let format = TraceFormat.alibabaMachine

  static let usageColumns = [
    "machine_id", "time_stamp", "cpu_util_percent", "mem_util_percent", "mem_gps", "mkpi", "net_in",
    "net_out",
    "disk_io_percent",
  ]
  static let metaColumns = [
    "machine_id", "time_stamp", "failure_domain_1", "failure_domain_2", "cpu_num", "mem_size", "status",
  ]

  @discardableResult
  public static func read(_ url: URL, into sink: inout some TraceSink, options: ImportOptions)
    throws(WorkloadError) -> ImportSummary
  {
    let (usage, meta) = try AlibabaV2018.tablePair(url, usage: "machine_usage", meta: "machine_meta")
    var context = ImportContext(options: options)
    let scanner = LineScanner(options: options)
    let fields = Fields()

    // machine_meta: the largest cpu_num of each machine.
    var cpuCount: [String: Int64] = [:]
    var metaRows = 0
    fields.use(file: meta, names: metaColumns)
    let metaScan = try scanner.scan(path: meta, file: meta, filesDone: 0, filesTotal: 2) {
      line throws(WorkloadError) in
      let row = fields.row(line, .comma)
      try AlibabaV2018.checkFirstLine(row, timeField: 1)
      try row.expectFields(metaColumns.count, .comma)
      guard !row.isEmpty(0) else { throw row.error(0, "empty machine_id") }
      _ = try row.number(1)
      metaRows += 1
      guard !row.isEmpty(4) else {
        context.repairs.note("machine_meta: empty cpu_num (event ignored)", file: meta, line: line.number)
        return
      }
      let cpus = try row.integer(4)
      let name = row.text(0)
      if let known = cpuCount[name] {
        if known != cpus {
          context.repairs.note(
            "machine_meta: cpu_num changes over time; the largest is declared", file: meta, line: line.number)
          cpuCount[name] = Swift.max(known, cpus)
        }
      } else {
        cpuCount[name] = cpus
      }
    }
    context.noteScan(metaScan, file: meta)
    guard metaRows > 0 else {
      throw WorkloadError(file: meta, line: 1, message: "empty file: no machine_meta rows")
    }

    // machine_usage.
    var ids: [String: Int] = [:]
    var lastName: [UInt8] = []
    var lastID = -1
    var rows = 0
    fields.use(file: usage, names: usageColumns)
    let scan = try scanner.scan(path: usage, file: usage, filesDone: 1, filesTotal: 2) {
      line throws(WorkloadError) in
      let row = fields.row(line, .comma)
      try AlibabaV2018.checkFirstLine(row, timeField: 1)
      try row.expectFields(usageColumns.count, .comma)
      rows += 1
      let time = try row.secondsAsMilliseconds(1)
      if AlibabaV2018.isSentinel(row, 8) {
        context.repairs.note(
          "disk_io_percent is -1 or 101 (invalid); that column is not imported, row kept", file: usage,
          line: line.number)
      }
      guard let cpu = try AlibabaV2018.percent(row, 2, context: &context),
        let memory = try AlibabaV2018.percent(row, 3, context: &context)
      else { return }
      let nameRange = row.range(0)
      guard !nameRange.isEmpty else {
        context.repairs.note("empty machine_id: row dropped", file: usage, line: line.number)
        return
      }
      let nameBytes = UnsafeBufferPointer(rebasing: line.bytes[nameRange])
      let id: Int
      if lastID >= 0 && nameBytes.elementsEqual(lastName) {
        id = lastID
      } else {
        let name = String(decoding: nameBytes, as: UTF8.self)
        if let known = ids[name] {
          id = known
        } else {
          let cores = cpuCount[name]
          if cores == nil {
            context.repairs.note(
              "machine not in machine_meta: declared without capacity", file: usage, line: line.number)
          }
          id = try context.declare(
            name, cpuCores: cores.map(Double.init), memoryGiB: nil, file: usage, line: line.number,
            sink: &sink)
          ids[name] = id
        }
        lastName.removeAll(keepingCapacity: true)
        lastName.append(contentsOf: nameBytes)
        lastID = id
      }
      try context.sample(
        id, time: time, cpu: cpu / 100, memory: memory / 100, rule: .maximum, row: row, timeField: 1,
        entityName: "machine \(row.text(0))", sink: &sink)
    }
    context.noteScan(scan, file: usage)
    context.summary.rows = metaRows + rows
    guard rows > 0 else {
      throw WorkloadError(file: usage, line: 1, message: "empty file: no machine_usage rows")
    }
    return context.finish(sink: &sink)
  }
}

/// Helpers shared by the two Alibaba v2018 importers.
enum AlibabaV2018 {
  /// The usage and meta files for `url` (a folder holding both, or the usage file).
  static func tablePair(_ url: URL, usage: String, meta: String) throws(WorkloadError) -> (String, String) {
    let path = TraceFiles.path(url)
    let folder: String
    let usagePath: String
    if try TraceFiles.isFolder(url) {
      folder = path
      guard let found = TraceFiles.find(["\(usage).csv", "\(usage).csv.gz"], in: folder) else {
        throw WorkloadError(file: folder, message: "no \(usage).csv (or .csv.gz) in the folder")
      }
      usagePath = found
    } else {
      folder = url.deletingLastPathComponent().path
      usagePath = path
    }
    guard let metaPath = TraceFiles.find(["\(meta).csv", "\(meta).csv.gz"], in: folder) else {
      throw WorkloadError(
        file: usagePath,
        message: "\(meta).csv (or .csv.gz) not found next to it; it is needed for the capacities")
    }
    return (usagePath, metaPath)
  }

  /// On line 1, a time cell that is not a number suggests a header line or another format.
  static func checkFirstLine(_ row: Row, timeField: Int) throws(WorkloadError) {
    guard row.line.number == 1, row.fields.count > timeField else { return }
    let r = row.range(timeField)
    if !r.isEmpty && Cells.double(row.bytes, r) == nil {
      throw row.error(
        timeField,
        "not a number: \(Cells.quoted(row.bytes, r)); this format has no header line (is it the right format or table?)"
      )
    }
  }

  /// Whether cell `i` holds -1 or 101, the trace's invalid-value sentinels.
  @inline(__always)
  static func isSentinel(_ row: Row, _ i: Int) -> Bool {
    let r = row.range(i)
    guard r.count >= 2, let x = Cells.double(row.bytes, r) else { return false }
    return x == -1 || x == 101
  }

  /// A percentage cell, or nil (row dropped, counted) when empty or an invalid sentinel.
  static func percent(_ row: Row, _ i: Int, context: inout ImportContext) throws(WorkloadError) -> Double? {
    if row.isEmpty(i) {
      context.repairs.note("empty \(row.name(i)): row dropped", file: row.file, line: row.line.number)
      return nil
    }
    if isSentinel(row, i) {
      context.repairs.note(
        "\(row.name(i)) is -1 or 101 (invalid): row dropped", file: row.file, line: row.line.number)
      return nil
    }
    return try row.number(i)
  }
}
