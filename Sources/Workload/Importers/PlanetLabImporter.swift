import Foundation

/// PlanetLab / CoMon CPU traces as shipped with CloudSim (`workload/planetlab/<date>/`).
///
/// Input: a date folder of per-VM files, or one such file. Each file is one VM for one day: one
/// CPU-utilisation percentage per line (integers 0–99 in the CloudSim set), line k being the
/// sample at k × 300 s. The entity is named after its file.
///
/// - Units: CPU percent / 100 → utilisation (CloudSim divides by 100 the same way); times are
///   k × 300 000 ms from the day's start; there is no memory column (memory is NaN) and no
///   capacity (none is declared).
/// - File order: CloudSim numbers VMs by `File.listFiles()`, whose order depends on the file
///   system. Yunhe sorts file names by their bytes (as `LC_ALL=C ls` and Java's `Arrays.sort`),
///   so the entity order is the same on every machine. Hidden files (`.…`) are skipped.
/// - Checks: every line must be one number ≥ 0 (no blank lines); each file must hold exactly
///   `ImportOptions.planetLabSamplesPerFile` samples (288 by default: a shorter file is reported
///   as truncated); a folder must hold files only (pass one date folder, not the `planetlab/`
///   root). Values above 100 are kept (utilisation above 1).
public enum PlanetLabImporter: TraceImporter {
  public static let format = TraceFormat.planetlab
  /// Sample period, milliseconds.
  public static let intervalMilliseconds: Int64 = 300_000

  @discardableResult
  public static func read(_ url: URL, into sink: inout some TraceSink, options: ImportOptions)
    throws(WorkloadError) -> ImportSummary
  {
    let root = TraceFiles.path(url)
    var files: [(path: String, name: String)] = []
    if try TraceFiles.isFolder(url) {
      for entry in try TraceFiles.entries(url) {
        if entry.isFolder {
          throw WorkloadError(
            file: root,
            message:
              "contains the folder '\(entry.name)'; a PlanetLab folder holds one file per VM (pass one date folder, such as planetlab/20110303)"
          )
        }
        files.append((root + "/" + entry.name, entry.name))
      }
      guard !files.isEmpty else { throw WorkloadError(file: root, message: "empty folder: no VM files") }
    } else {
      files.append((root, url.lastPathComponent))
    }
    var context = ImportContext(options: options)
    let scanner = LineScanner(options: options)
    let fields = Fields()
    let names = ["cpu_percent"]
    for (index, file) in files.enumerated() {
      let entity = try context.declare(
        file.name, cpuCores: nil, memoryGiB: nil, file: file.path, line: 1, sink: &sink)
      var count: Int64 = 0
      fields.use(file: file.path, names: names)
      let scan = try scanner.scan(path: file.path, file: file.path, filesDone: index, filesTotal: files.count)
      {
        line throws(WorkloadError) in
        let time = count * intervalMilliseconds
        count += 1
        // Fast path: a plain integer of one to three digits, as in every CloudSim file.
        let b = line.bytes
        if b.count >= 1 && b.count <= 3 {
          var value = 0
          var digits = true
          for byte in b {
            let d = byte &- UInt8(ascii: "0")
            if d > 9 { digits = false }
            value = value * 10 + Int(d)
          }
          if digits {
            context.gate.append(entity, time: time, cpu: Double(value) / 100, memory: .nan, sink: &sink)
            return
          }
        }
        let row = fields.row(line, .comma)
        if fields.count == 1 && row.isEmpty(0) {
          throw row.error(0, "empty line, expected a CPU percentage")
        }
        if fields.count > 1 {
          throw row.error(
            nil, "expected one CPU percentage per line, got \(fields.count) comma-separated fields")
        }
        let percent = try row.number(0)
        context.gate.append(entity, time: time, cpu: percent / 100, memory: .nan, sink: &sink)
      }
      context.noteScan(scan, file: file.path)
      context.summary.rows += Int(count)
      guard count > 0 else {
        throw WorkloadError(file: file.path, line: 1, message: "empty file: no CPU samples")
      }
      if let expected = options.planetLabSamplesPerFile, count != expected {
        throw WorkloadError(
          file: file.path, line: scan.lines,
          message:
            "\(count) samples, expected \(expected) (one day at 300 s)\(count < expected ? ": truncated file?" : "")"
        )
      }
    }
    return context.finish(sink: &sink)
  }
}
