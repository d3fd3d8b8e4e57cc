import Foundation

/// Azure Public Dataset V1 (2017): `vmtable` and `vm_cpu_readings`, from the documented schema (no
/// real rows were available; tested on hand-made rows).
///
/// Input: a folder holding `vmtable.csv` and one or more `vm_cpu_readings-file-N-of-M.csv` (any of
/// them may be `.csv.gz`), read in the order of N; or one readings file with `vmtable.csv(.gz)`
/// next to it. Files have no header.
///
/// - `vmtable` (11 columns): vm id, subscription id, deployment id, created (s), deleted (s), max
///   CPU, avg CPU, p95 max CPU (%), category, virtual core count, memory (GB). Cores and memory are
///   the declared capacity (memory GB taken as GiB). V2 writes buckets such as `>24`; a `>` bound
///   is taken as its number (counted); an empty cell declares no capacity.
/// - `vm_cpu_readings` (5 columns): timestamp (s since the trace start, every 300 s), vm id, min,
///   max, avg CPU (% of the VM's cores). CPU utilisation = avg / 100; there is no memory reading
///   (memory is NaN).
/// - Entities: VMs with readings, in order of their first reading, named by vm id. A VM missing
///   from vmtable is declared without capacity (counted). Duplicated times keep the larger value,
///   decreasing times are dropped (both counted), or rejected with `.reject`.
public enum AzureV1Importer: TraceImporter {
  public static let format = TraceFormat.azureV1

  static let vmColumns = [
    "vm id", "subscription id", "deployment id", "timestamp vm created", "timestamp vm deleted", "max cpu",
    "avg cpu", "p95 max cpu", "vm category", "vm virtual core count", "vm memory (gb)",
  ]
  static let readingColumns = ["timestamp", "vm id", "min cpu", "max cpu", "avg cpu"]

  @discardableResult
  public static func read(_ url: URL, into sink: inout some TraceSink, options: ImportOptions)
    throws(WorkloadError) -> ImportSummary
  {
    let (vmtable, readings) = try files(url)
    var context = ImportContext(options: options)
    let scanner = LineScanner(options: options)
    let fields = Fields()
    let total = readings.count + 1

    var capacities: [String: (cores: Double?, memory: Double?)] = [:]
    var vmRows = 0
    fields.use(file: vmtable, names: vmColumns)
    let vmScan = try scanner.scan(path: vmtable, file: vmtable, filesDone: 0, filesTotal: total) {
      line throws(WorkloadError) in
      let row = fields.row(line, .comma)
      try AlibabaV2018.checkFirstLine(row, timeField: 3)
      try row.expectFields(vmColumns.count, .comma)
      vmRows += 1
      guard !row.isEmpty(0) else { throw row.error(0, "empty vm id") }
      _ = try row.number(3)
      _ = try row.number(4)
      let cores = try bucket(row, 9, context: &context)
      let memory = try bucket(row, 10, context: &context)
      capacities[row.text(0)] = (cores, memory)
    }
    context.noteScan(vmScan, file: vmtable)
    guard vmRows > 0 else { throw WorkloadError(file: vmtable, line: 1, message: "empty file: no VM rows") }

    var ids: [String: Int] = [:]
    for (index, path) in readings.enumerated() {
      var rows = 0
      fields.use(file: path, names: readingColumns)
      let scan = try scanner.scan(path: path, file: path, filesDone: index + 1, filesTotal: total) {
        line throws(WorkloadError) in
        let row = fields.row(line, .comma)
        try AlibabaV2018.checkFirstLine(row, timeField: 0)
        try row.expectFields(readingColumns.count, .comma)
        rows += 1
        let time = try row.secondsAsMilliseconds(0)
        guard !row.isEmpty(1) else { throw row.error(1, "empty vm id") }
        _ = try row.number(2)
        _ = try row.number(3)
        let average = try row.number(4)
        let name = row.text(1)
        let id: Int
        if let known = ids[name] {
          id = known
        } else {
          let capacity = capacities[name]
          if capacity == nil {
            context.repairs.note(
              "VM not in vmtable: declared without capacity", file: path, line: line.number)
          }
          id = try context.declare(
            name, cpuCores: capacity?.cores, memoryGiB: capacity?.memory, file: path, line: line.number,
            sink: &sink)
          ids[name] = id
        }
        try context.sample(
          id, time: time, cpu: average / 100, memory: .nan, rule: .maximum, row: row, timeField: 0,
          entityName: "VM \(name)", sink: &sink)
      }
      context.noteScan(scan, file: path)
      context.summary.rows += rows
      guard rows > 0 else { throw WorkloadError(file: path, line: 1, message: "empty file: no CPU readings") }
    }
    context.summary.rows += vmRows
    return context.finish(sink: &sink)
  }

  /// A core count or memory size, possibly written as a bucket bound `>N`; nil when empty.
  static func bucket(_ row: Row, _ i: Int, context: inout ImportContext) throws(WorkloadError) -> Double? {
    let r = row.range(i)
    if r.isEmpty { return nil }
    if row.bytes[r.lowerBound] == UInt8(ascii: ">") {
      guard let x = Cells.double(row.bytes, r.lowerBound + 1..<r.upperBound), x.isFinite, x >= 0 else {
        throw row.error(i, "not a number or bucket: \(Cells.quoted(row.bytes, r))")
      }
      context.repairs.note(
        "\(row.name(i)) is a bucket bound ('>N'): N is declared", file: row.file, line: row.line.number)
      return x
    }
    return try row.number(i)
  }

  /// The vmtable and the readings files of `url`.
  static func files(_ url: URL) throws(WorkloadError) -> (String, [String]) {
    let path = TraceFiles.path(url)
    let vmNames = ["vmtable.csv", "vmtable.csv.gz"]
    if try TraceFiles.isFolder(url) {
      guard let vmtable = TraceFiles.find(vmNames, in: path) else {
        throw WorkloadError(file: path, message: "no vmtable.csv (or .csv.gz) in the folder")
      }
      var readings: [String] = []
      for entry in try TraceFiles.entries(url) where entry.name.hasPrefix("vm_cpu_readings") {
        guard !entry.isFolder, entry.name.hasSuffix(".csv") || entry.name.hasSuffix(".csv.gz") else {
          throw WorkloadError(
            file: path, message: "unexpected entry '\(entry.name)': expected vm_cpu_readings-*.csv(.gz)")
        }
        readings.append(entry.name)
      }
      guard !readings.isEmpty else {
        throw WorkloadError(file: path, message: "no vm_cpu_readings-*.csv (or .csv.gz) in the folder")
      }
      return (vmtable, readings.sorted(by: TraceFiles.naturalOrder).map { path + "/" + $0 })
    }
    let folder = url.deletingLastPathComponent().path
    guard let vmtable = TraceFiles.find(vmNames, in: folder) else {
      throw WorkloadError(
        file: path, message: "vmtable.csv (or .csv.gz) not found next to it; it holds the capacities")
    }
    return (vmtable, [path])
  }
}
