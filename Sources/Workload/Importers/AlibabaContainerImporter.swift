import Foundation

/// Alibaba cluster-trace-v2018 `container_usage` with `container_meta`, from the published schema
/// (no real rows of these tables were available; tested on rows built from the schema).
///
/// Input: a folder holding `container_usage.csv` and `container_meta.csv` (either may be
/// `.csv.gz`), or the usage file with the meta file next to it. Headerless CSV;
/// `container_meta` has 8 columns (container_id, machine_id, time_stamp, app_du, status,
/// cpu_request, cpu_limit, mem_size), `container_usage` 11 (container_id, machine_id, time_stamp,
/// cpu_util_percent, mem_util_percent, cpi, mem_gps, mpki, net_in, net_out, disk_io_percent).
///
/// - Entities: containers with usage rows, in order of their first usage row, named by
///   `container_id`. Declared CPU capacity: the largest `cpu_request` of the container's meta
///   events / 100 (100 = 1 core). No memory capacity: `mem_size` is normalised with no absolute size.
/// - CPU: `cpu_util_percent` is a percentage of the container's **request** (maintainers, issue
///   #62), so utilisation = percent / 100 × request in force / largest request, the request in
///   force being that of the latest meta event at or before the sample (the first event when none
///   is earlier). Memory: `mem_util_percent` / 100 as given.
/// - Repairs (counted): rows with an empty `container_id` (issue #84) are dropped; an empty or
///   -1/101 CPU or memory cell drops the row; -1/101 in `disk_io_percent` is counted, row kept;
///   a container missing from `container_meta` is declared without capacity (utilisation = percent
///   / 100); a request that changes over time is reported; duplicated and decreasing times as for
///   `alibaba-machine`.
public enum AlibabaContainerImporter: TraceImporter {
  public static let format = TraceFormat.alibabaContainer

  static let metaColumns = [
    "container_id", "machine_id", "time_stamp", "app_du", "status", "cpu_request", "cpu_limit", "mem_size",
  ]
  static let usageColumns = [
    "container_id", "machine_id", "time_stamp", "cpu_util_percent", "mem_util_percent", "cpi", "mem_gps",
    "mpki",
    "net_in", "net_out", "disk_io_percent",
  ]

  /// CPU requests of one container over time, sorted by time.
  struct Requests {
    var times: [Int64] = []
    var values: [Double] = []
    var largest = 0.0

    /// Adds an event (kept sorted by time); returns whether the request differs from the previous one.
    mutating func add(_ time: Int64, _ request: Double) -> Bool {
      let changed = values.last.map { $0 != request } ?? false
      var k = times.count
      while k > 0 && times[k - 1] > time { k -= 1 }
      times.insert(time, at: k)
      values.insert(request, at: k)
      largest = Swift.max(largest, request)
      return changed
    }

    /// The request in force at `time`.
    func at(_ time: Int64) -> Double {
      var lo = 0
      var hi = times.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if times[mid] <= time { lo = mid + 1 } else { hi = mid }
      }
      return values[Swift.max(lo - 1, 0)]
    }
  }

  @discardableResult
  public static func read(_ url: URL, into sink: inout some TraceSink, options: ImportOptions)
    throws(WorkloadError) -> ImportSummary
  {
    let (usage, meta) = try AlibabaV2018.tablePair(url, usage: "container_usage", meta: "container_meta")
    var context = ImportContext(options: options)
    let scanner = LineScanner(options: options)
    let fields = Fields()

    var requests: [String: Requests] = [:]
    var metaRows = 0
    fields.use(file: meta, names: metaColumns)
    let metaScan = try scanner.scan(path: meta, file: meta, filesDone: 0, filesTotal: 2) {
      line throws(WorkloadError) in
      let row = fields.row(line, .comma)
      try AlibabaV2018.checkFirstLine(row, timeField: 2)
      try row.expectFields(metaColumns.count, .comma)
      metaRows += 1
      guard !row.isEmpty(0) else {
        context.repairs.note("container_meta: empty container_id: row dropped", file: meta, line: line.number)
        return
      }
      let time = try row.secondsAsMilliseconds(2)
      let request = try row.number(5)
      if requests[row.text(0), default: Requests()].add(time, request) {
        context.repairs.note(
          "container_meta: cpu_request changes over time; the largest is declared and utilisation rescaled to it",
          file: meta, line: line.number)
      }
    }
    context.noteScan(metaScan, file: meta)
    guard metaRows > 0 else {
      throw WorkloadError(file: meta, line: 1, message: "empty file: no container_meta rows")
    }

    var ids: [String: Int] = [:]
    var entityRequests: [Requests?] = []
    var lastName: [UInt8] = []
    var lastID = -1
    var rows = 0
    fields.use(file: usage, names: usageColumns)
    let scan = try scanner.scan(path: usage, file: usage, filesDone: 1, filesTotal: 2) {
      line throws(WorkloadError) in
      let row = fields.row(line, .comma)
      try AlibabaV2018.checkFirstLine(row, timeField: 2)
      try row.expectFields(usageColumns.count, .comma)
      rows += 1
      let time = try row.secondsAsMilliseconds(2)
      if AlibabaV2018.isSentinel(row, 10) {
        context.repairs.note(
          "disk_io_percent is -1 or 101 (invalid); that column is not imported, row kept", file: usage,
          line: line.number)
      }
      guard !row.isEmpty(0) else {
        context.repairs.note("empty container_id: row dropped", file: usage, line: line.number)
        return
      }
      guard let cpu = try AlibabaV2018.percent(row, 3, context: &context),
        let memory = try AlibabaV2018.percent(row, 4, context: &context)
      else { return }
      let nameBytes = UnsafeBufferPointer(rebasing: line.bytes[row.range(0)])
      let id: Int
      if lastID >= 0 && nameBytes.elementsEqual(lastName) {
        id = lastID
      } else if let known = ids[row.text(0)] {
        id = known
      } else {
        let name = row.text(0)
        let entry = requests[name]
        if entry == nil {
          context.repairs.note(
            "container not in container_meta: declared without capacity", file: usage, line: line.number)
        }
        let cores = entry.flatMap { $0.largest > 0 ? $0.largest / 100 : nil }
        id = try context.declare(
          name, cpuCores: cores, memoryGiB: nil, file: usage, line: line.number, sink: &sink)
        ids[name] = id
        entityRequests.append(entry)
      }
      if id != lastID {
        lastName.removeAll(keepingCapacity: true)
        lastName.append(contentsOf: nameBytes)
        lastID = id
      }
      var utilisation = cpu / 100
      if let entry = entityRequests[id], entry.largest > 0 {
        utilisation *= entry.at(time) / entry.largest
      }
      try context.sample(
        id, time: time, cpu: utilisation, memory: memory / 100, rule: .maximum, row: row, timeField: 2,
        entityName: "container \(row.text(0))", sink: &sink)
    }
    context.noteScan(scan, file: usage)
    context.summary.rows = metaRows + rows
    guard rows > 0 else {
      throw WorkloadError(file: usage, line: 1, message: "empty file: no container_usage rows")
    }
    return context.finish(sink: &sink)
  }
}
