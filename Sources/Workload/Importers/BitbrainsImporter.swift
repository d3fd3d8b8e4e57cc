import Foundation

/// Bitbrains GWA-T-12 (traces `Rnd` and `fastStorage`): one CSV file per VM.
///
/// Input: a month folder of `<VM id>.csv` files (`.csv.gz` accepted), or one such file. Files are
/// taken in numeric order of their VM id when every name is a number, otherwise in byte order;
/// the entity is named after the file without its extension. Anything else in the folder (another
/// folder, a file not ending in `.csv`/`.csv.gz`) is an error.
///
/// Format: a header line, then one row per sample; fields are separated by `;` followed by a TAB
/// (a lone `;`, a comma or a TAB alone is reported as a wrong separator). Columns are found by
/// their header text (case-insensitive); the importer needs `Timestamp [ms]`, `CPU cores`,
/// `CPU capacity provisioned [MHZ]`, `CPU usage [MHZ]`, `Memory capacity provisioned [KB]` and
/// `Memory usage [KB]`. Other columns (CPU %, disk, network) are not imported and are checked only
/// for presence.
///
/// - Time: the header says milliseconds but the values are Unix epoch **seconds**; times are
///   converted to milliseconds since the Unix epoch (UTC), so the time of day is kept. (A file
///   whose first timestamp is above 10¹¹ would really be in milliseconds: it is read as such and
///   the repair reported.)
/// - Capacity changes over time (cores, MHz, memory): the largest capacity of each kind in the file
///   is declared (`CPU cores`, and `Memory capacity provisioned [KB]` / 2²⁰ as GiB); CPU
///   utilisation = usage MHz / largest capacity MHz and memory utilisation = usage KB / largest
///   capacity KB, so that utilisation × declared capacity is the absolute demand. Each row whose
///   capacities differ from the previous running row is counted in one repair ("provisioned
///   capacity changes…"). The largest capacity is known at the end of the file, so the file's rows
///   are kept meanwhile (32 bytes each, up to `ImportOptions.bitbrainsBufferedRows`, 64 MiB by
///   default); a longer file is read a second time instead.
/// - "VM off" rows (`CPU cores` = 0, capacity 0): the VM is not running; the row becomes a sample
///   with CPU utilisation 0 and memory utilisation = usage / largest capacity (usually 0), counted
///   as a repair. They are not skipped, so that an off period replays as no demand rather than as
///   a gap. They do not count towards the largest capacity.
/// - Duplicated timestamps (file `20.csv` of `Rnd` 2013-7: 4,158 rows, all "off" rows): one
///   sample per time, keeping the larger value of each metric, counted; decreasing timestamps are
///   dropped, counted (or both rejected with `ImportOptions.timestamps = .reject`).
/// - Usage above capacity (CPU % up to 103 in the data) is kept: utilisation may exceed 1.
public enum BitbrainsImporter: TraceImporter {
  public static let format = TraceFormat.bitbrains

  static let columns = [
    "Timestamp [ms]", "CPU cores", "CPU capacity provisioned [MHZ]", "CPU usage [MHZ]",
    "Memory capacity provisioned [KB]", "Memory usage [KB]",
  ]
  static let kibibytesPerGiB = 1_048_576.0

  @discardableResult
  public static func read(_ url: URL, into sink: inout some TraceSink, options: ImportOptions)
    throws(WorkloadError) -> ImportSummary
  {
    let files = try vmFiles(url)
    var context = ImportContext(options: options)
    let scanner = LineScanner(options: options)
    let fields = Fields()
    for (index, file) in files.enumerated() {
      try readFile(
        file, index: index, of: files.count, scanner: scanner, fields: fields, context: &context, sink: &sink)
    }
    return context.finish(sink: &sink)
  }

  /// The VM files to read, in order.
  static func vmFiles(_ url: URL) throws(WorkloadError) -> [(path: String, name: String)] {
    let root = TraceFiles.path(url)
    guard try TraceFiles.isFolder(url) else { return [(root, stem(url.lastPathComponent))] }
    var files: [(path: String, name: String)] = []
    for entry in try TraceFiles.entries(url) {
      guard !entry.isFolder else {
        throw WorkloadError(
          file: root,
          message:
            "contains the folder '\(entry.name)'; pass one month folder of <VM id>.csv files (such as rnd/2013-7)"
        )
      }
      guard entry.name.hasSuffix(".csv") || entry.name.hasSuffix(".csv.gz") else {
        throw WorkloadError(
          file: root,
          message: "unexpected file '\(entry.name)': a Bitbrains folder holds <VM id>.csv files only")
      }
      files.append((root + "/" + entry.name, stem(entry.name)))
    }
    guard !files.isEmpty else { throw WorkloadError(file: root, message: "empty folder: no VM files") }
    if files.allSatisfy({ Int($0.name) != nil }) {
      files.sort { Int($0.name)! < Int($1.name)! }
    }
    return files
  }

  static func stem(_ name: String) -> String {
    for suffix in [".csv.gz", ".csv"] where name.hasSuffix(suffix) {
      return String(name.dropLast(suffix.count))
    }
    return name
  }

  /// Largest capacities of one VM file, and how often they change.
  struct Capacity {
    var cores: Int64 = 0
    var megahertz = 0.0
    var memoryKB = 0.0
    var changes = 0
    var firstChangeLine = 0
  }

  /// A row kept until the file's largest capacity is known.
  struct BufferedRow {
    var milliseconds: Int64
    var line: Int32
    var off: Bool
    var cpuMegahertz: Double
    var memoryKB: Double
  }

  /// Reads one VM file: one pass that checks every row, finds the largest capacities and keeps the
  /// rows (up to `ImportOptions.bitbrainsBufferedRows`); then the samples are sent from the kept rows,
  /// or, for a longer file, from a second read.
  static func readFile(
    _ file: (path: String, name: String), index: Int, of total: Int, scanner: LineScanner, fields: Fields,
    context: inout ImportContext, sink: inout some TraceSink
  ) throws(WorkloadError) {
    let path = file.path
    let limit = context.options.bitbrainsBufferedRows
    var capacity = Capacity()
    var header: Header? = nil
    var previous: (Int64, Double, Double)? = nil
    var timeScale: Int64 = 1000
    var rows = 0
    var buffer: [BufferedRow] = []
    var buffering = true
    // Column positions, copied out of the header so that rows do not touch its arrays.
    var fieldCount = 0
    var p = (0, 0, 0, 0, 0, 0)
    let scan = try scanner.scan(path: path, file: path, filesDone: index, filesTotal: total) {
      line throws(WorkloadError) in
      guard fieldCount > 0 else {
        let h = try Header(line, fields: fields, file: path, separator: .semicolonTab, required: columns)
        header = h
        fieldCount = h.names.count
        p = (h.positions[0], h.positions[1], h.positions[2], h.positions[3], h.positions[4], h.positions[5])
        return
      }
      let row = fields.row(line, .semicolonTab)
      try row.expectFields(fieldCount, .semicolonTab)
      let stamp = try row.integer(p.0)
      if rows == 0 && stamp > 100_000_000_000 {
        timeScale = 1
        context.repairs.note(
          "timestamps are milliseconds (too large for seconds): read as milliseconds", file: path,
          line: line.number)
      }
      rows += 1
      let (milliseconds, overflow) = stamp.multipliedReportingOverflow(by: timeScale)
      guard !overflow else { throw row.error(p.0, "time is too large: \(row.text(p.0))") }
      let cores = try row.integer(p.1)
      let megahertz = try row.number(p.2)
      let cpuUsage = try row.number(p.3)
      let memoryCapacity = try row.number(p.4)
      let memoryUsage = try row.number(p.5)
      if cores > 0 {
        capacity.cores = Swift.max(capacity.cores, cores)
        capacity.megahertz = Swift.max(capacity.megahertz, megahertz)
        capacity.memoryKB = Swift.max(capacity.memoryKB, memoryCapacity)
        if let q = previous, q != (cores, megahertz, memoryCapacity) {
          if capacity.changes == 0 { capacity.firstChangeLine = line.number }
          capacity.changes += 1
        }
        previous = (cores, megahertz, memoryCapacity)
      } else {
        context.repairs.note(
          "VM off (CPU cores = 0): CPU utilisation recorded as 0", file: path, line: line.number)
      }
      if buffering {
        if buffer.count < limit {
          buffer.append(
            BufferedRow(
              milliseconds: milliseconds, line: Int32(truncatingIfNeeded: line.number), off: cores == 0,
              cpuMegahertz: cpuUsage, memoryKB: memoryUsage))
        } else {
          buffering = false
          buffer = []
        }
      }
    }
    context.noteScan(scan, file: path)
    guard let h = header else {
      throw WorkloadError(file: path, line: 1, message: "empty file: no header line")
    }
    guard rows > 0 else {
      throw WorkloadError(
        file: path, line: Swift.max(scan.lines, 1), message: "no data rows after the header")
    }
    context.summary.rows += rows
    let entity = try context.declare(
      file.name, cpuCores: capacity.cores > 0 ? Double(capacity.cores) : nil,
      memoryGiB: capacity.memoryKB > 0 ? capacity.memoryKB / kibibytesPerGiB : nil, file: path, line: 1,
      sink: &sink)
    if capacity.changes > 0 {
      context.repairs.note(
        "provisioned capacity changes over time: the largest is declared and utilisation is usage / largest",
        file: path, line: capacity.firstChangeLine, count: capacity.changes)
    }
    let timeField = h.names[h.positions[0]]
    let name = "VM \(file.name)"
    func utilisation(off: Bool, cpu: Double, memory: Double) -> (Double, Double) {
      (
        off || capacity.megahertz <= 0 ? 0 : cpu / capacity.megahertz,
        capacity.memoryKB > 0 ? memory / capacity.memoryKB : .nan
      )
    }
    if buffering {
      for row in buffer {
        let (cpu, memory) = utilisation(off: row.off, cpu: row.cpuMegahertz, memory: row.memoryKB)
        try context.sample(
          entity, time: row.milliseconds, cpu: cpu, memory: memory, rule: .maximum, file: path,
          line: Int(row.line), field: timeField, timeText: String(row.milliseconds / timeScale),
          entityName: name,
          sink: &sink)
      }
    } else {
      // Too long to keep: read again for the samples (the first read checked every row).
      var seenHeader = false
      _ = try scanner.scan(path: path, file: path, filesDone: index, filesTotal: total) {
        line throws(WorkloadError) in
        guard seenHeader else {
          seenHeader = true
          return
        }
        let row = fields.row(line, .semicolonTab)
        guard row.fields.count == fieldCount else {
          throw row.error(nil, "the file changed while it was being read")
        }
        let milliseconds = try row.integer(p.0) &* timeScale
        let (cpu, memory) = utilisation(
          off: try row.integer(p.1) == 0, cpu: try row.number(p.3), memory: try row.number(p.5))
        try context.sample(
          entity, time: milliseconds, cpu: cpu, memory: memory, rule: .maximum, row: row, timeField: p.0,
          entityName: name, sink: &sink)
      }
    }
    context.gate.flush(entity, sink: &sink)
  }
}
