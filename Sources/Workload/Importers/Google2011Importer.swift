import Foundation

/// Google cluster-data 2011 (`clusterdata-2011-2`) `task_events`.
///
/// Input: one `part-NNNNN-of-NNNNN.csv.gz` file (plain `.csv` accepted; gzip is recognised by its
/// magic bytes, not its name), or a folder of such parts, read in part order as one stream (task
/// state carries across parts). When a part is present both as `.csv.gz` and `.csv`, the `.csv.gz`
/// is read and the copy skipped (counted). Anything else in the folder is an error.
///
/// Format: headerless CSV of 13 columns: timestamp, missing info, job ID, task index, machine ID,
/// event type, user, scheduling class, priority, CPU request, memory request, disk request,
/// different-machine restriction.
///
/// - Entities: tasks, one per (job ID, task index), named `<job ID>-<task index>`, in order of
///   their first event. No capacity is declared: the trace normalises requests to the largest
///   machine and states no absolute size.
/// - Utilisation semantics: task_events has requests, not usage. A sample is written at every
///   event of a task: while the task is running (after SCHEDULE or UPDATE_RUNNING), CPU and memory
///   utilisation are its latest CPU and memory requests, as fractions of the largest machine's
///   capacity; otherwise (SUBMIT, UPDATE_PENDING, and after EVICT, FAIL, FINISH, KILL, LOST) both
///   are 0. Samples are change points: the value holds until the task's next sample.
/// - Time: microseconds since 600 s before the trace window → milliseconds since the window start
///   ((t − 600 000 000) / 1000, rounded down). t = 0 means "before the trace started" and is placed
///   at 0 ms (counted, as are other times before the window); t = 2⁶³ − 1 ("after the end") is
///   dropped (counted).
/// - Several events of a task at the same millisecond: the last one gives the state (not a repair:
///   the trace orders them). Decreasing times for a task are dropped (counted) or rejected.
/// - An empty request (rows with missing info) keeps the task's previous request (0 when none),
///   counted.
public enum Google2011Importer: TraceImporter {
  public static let format = TraceFormat.google2011

  static let columns = [
    "timestamp", "missing info", "job ID", "task index", "machine ID", "event type", "user",
    "scheduling class",
    "priority", "CPU request", "memory request", "disk space request", "different-machine restriction",
  ]
  /// Microseconds between the trace's time origin and the start of its window.
  static let windowStartMicroseconds: Int64 = 600_000_000

  struct TaskKey: Hashable {
    var job: Int64
    var index: Int64
  }

  @discardableResult
  public static func read(_ url: URL, into sink: inout some TraceSink, options: ImportOptions)
    throws(WorkloadError) -> ImportSummary
  {
    var context = ImportContext(options: options)
    let files = try parts(url, context: &context)
    let scanner = LineScanner(options: options)
    let fields = Fields()
    var ids: [TaskKey: Int] = [:]
    var running: [Bool] = []
    var cpuRequest: [Double] = []
    var memoryRequest: [Double] = []
    for (index, path) in files.enumerated() {
      var rows = 0
      fields.use(file: path, names: columns)
      let scan = try scanner.scan(path: path, file: path, filesDone: index, filesTotal: files.count) {
        line throws(WorkloadError) in
        let row = fields.row(line, .comma)
        try AlibabaV2018.checkFirstLine(row, timeField: 0)
        try row.expectFields(columns.count, .comma)
        rows += 1
        let stamp = try row.integer(0)
        let time: Int64
        if stamp == Int64.max {
          context.repairs.note(
            "event after the trace end (timestamp 2^63-1): dropped", file: path, line: line.number)
          return
        } else if stamp < windowStartMicroseconds {
          context.repairs.note(
            "event before the trace window (timestamp 0 or below 600 s): placed at the window start",
            file: path,
            line: line.number)
          time = 0
        } else {
          time = (stamp - windowStartMicroseconds) / 1000
        }
        let key = TaskKey(job: try row.integer(2), index: try row.integer(3))
        let event = try row.integer(5)
        guard event <= 8 else { throw row.error(5, "unknown event type \(event) (expected 0…8)") }
        let cpu = try row.optionalNumber(9)
        let memory = try row.optionalNumber(10)
        let id: Int
        if let known = ids[key] {
          id = known
        } else {
          id = try context.declare(
            "\(key.job)-\(key.index)", cpuCores: nil, memoryGiB: nil, file: path, line: line.number,
            sink: &sink)
          ids[key] = id
          running.append(false)
          cpuRequest.append(0)
          memoryRequest.append(0)
        }
        if cpu == nil || memory == nil {
          context.repairs.note(
            "empty CPU or memory request (missing info): the task's previous request is kept", file: path,
            line: line.number)
        }
        if let cpu { cpuRequest[id] = cpu }
        if let memory { memoryRequest[id] = memory }
        switch event {
        case 1, 8: running[id] = true  // SCHEDULE, UPDATE_RUNNING
        case 7: break  // UPDATE_PENDING: still pending
        default: running[id] = false  // SUBMIT, EVICT, FAIL, FINISH, KILL, LOST
        }
        let on = running[id]
        try context.sample(
          id, time: time, cpu: on ? cpuRequest[id] : 0, memory: on ? memoryRequest[id] : 0, rule: .last,
          row: row,
          timeField: 0, entityName: "task \(key.job)-\(key.index)", sink: &sink)
      }
      context.noteScan(scan, file: path)
      context.summary.rows += rows
      guard rows > 0 else { throw WorkloadError(file: path, line: 1, message: "empty file: no task events") }
    }
    return context.finish(sink: &sink)
  }

  /// The part files of `url`, in order.
  static func parts(_ url: URL, context: inout ImportContext) throws(WorkloadError) -> [String] {
    let root = TraceFiles.path(url)
    guard try TraceFiles.isFolder(url) else { return [root] }
    var byPart: [(stem: String, names: [String])] = []
    for entry in try TraceFiles.entries(url) {
      let name = entry.name
      let stem: String
      if name.hasSuffix(".csv.gz") {
        stem = String(name.dropLast(7))
      } else if name.hasSuffix(".csv") {
        stem = String(name.dropLast(4))
      } else {
        stem = ""
      }
      guard !entry.isFolder, stem.hasPrefix("part-") else {
        throw WorkloadError(
          file: root,
          message:
            "unexpected entry '\(name)': a task_events folder holds part-NNNNN-of-NNNNN.csv(.gz) files only")
      }
      if let last = byPart.last, last.stem == stem {
        byPart[byPart.count - 1].names.append(name)
      } else {
        byPart.append((stem, [name]))
      }
    }
    guard !byPart.isEmpty else {
      throw WorkloadError(file: root, message: "empty folder: no task_events parts")
    }
    var files: [String] = []
    for part in byPart.sorted(by: { TraceFiles.naturalOrder($0.stem, $1.stem) }) {
      let chosen = part.names.first { $0.hasSuffix(".gz") } ?? part.names[0]
      for other in part.names where other != chosen {
        context.repairs.note(
          "part present as .csv.gz and .csv: the .csv.gz is read, this copy skipped",
          file: root + "/" + other,
          line: 1)
      }
      files.append(root + "/" + chosen)
    }
    return files
  }
}
