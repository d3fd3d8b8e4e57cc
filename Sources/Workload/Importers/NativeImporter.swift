import Foundation

/// Yunhe's native long-form CSV (`entity,time_s,cpu_cores,mem_gib`; see `NativeTraceReader` for the
/// format), streamed into a sink instead of bucketed.
///
/// The format states absolute demand and no capacity, so the file is read twice: first for each
/// entity's peak CPU and memory, which are declared as its capacity (nil when the peak is 0); then
/// utilisation = demand / peak, so utilisation is in [0, 1] and utilisation × capacity is the
/// demand. Entities are in order of first appearance; times (seconds, may be fractional) become
/// milliseconds, rounded. Rows may come in any order across entities; per entity, duplicated times
/// keep the larger value and decreasing times are dropped (both counted), or rejected with `.reject`.
public enum NativeImporter: TraceImporter {
  public static let format = TraceFormat.native

  static let columns = ["entity", "time_s", "cpu_cores", "mem_gib"]

  @discardableResult
  public static func read(_ url: URL, into sink: inout some TraceSink, options: ImportOptions)
    throws(WorkloadError) -> ImportSummary
  {
    let path = TraceFiles.path(url)
    var context = ImportContext(options: options)
    let scanner = LineScanner(options: options)
    let fields = Fields()

    // Pass 1: entities and their peaks.
    var order: [String] = []
    var index: [String: Int] = [:]
    var peakCPU: [Double] = []
    var peakMemory: [Double] = []
    var header: Header? = nil
    var rows = 0
    _ = try scanner.scan(path: path, file: path, filesDone: 0, filesTotal: 2) { line throws(WorkloadError) in
      guard !isComment(line) else { return }
      guard let h = header else {
        header = try nativeHeader(line, fields: fields, file: path)
        return
      }
      let row = fields.row(line, .comma)
      try row.expectFields(h.names.count, .comma)
      let p = h.positions
      guard !row.isEmpty(p[0]) else { throw row.error(p[0], "empty entity name") }
      _ = try row.secondsAsMilliseconds(p[1])
      let cpu = try row.number(p[2])
      let memory = try row.number(p[3])
      let name = row.text(p[0])
      let k: Int
      if let known = index[name] {
        k = known
      } else {
        k = order.count
        guard k < options.maximumEntities else {
          throw row.error(
            p[0], "more than \(options.maximumEntities) entities (ImportOptions.maximumEntities)")
        }
        order.append(name)
        index[name] = k
        peakCPU.append(0)
        peakMemory.append(0)
      }
      peakCPU[k] = Swift.max(peakCPU[k], cpu)
      peakMemory[k] = Swift.max(peakMemory[k], memory)
      rows += 1
    }
    guard let h = header else {
      throw WorkloadError(file: path, line: 1, message: "empty file: no header line")
    }
    guard rows > 0 else { throw WorkloadError(file: path, line: 1, message: "no data rows after the header") }

    var ids: [Int] = []
    for (k, name) in order.enumerated() {
      ids.append(
        try context.declare(
          name, cpuCores: peakCPU[k] > 0 ? peakCPU[k] : nil,
          memoryGiB: peakMemory[k] > 0 ? peakMemory[k] : nil,
          file: path, line: 1, sink: &sink))
    }

    // Pass 2: samples.
    var seenHeader = false
    let scan = try scanner.scan(path: path, file: path, filesDone: 1, filesTotal: 2) {
      line throws(WorkloadError) in
      guard !isComment(line) else { return }
      guard seenHeader else {
        seenHeader = true
        return
      }
      let row = fields.row(line, .comma)
      let p = h.positions
      guard row.fields.count == h.names.count, let k = index[row.text(p[0])] else {
        throw row.error(nil, "the file changed while it was being read")
      }
      let time = try row.secondsAsMilliseconds(p[1])
      let cpu = try row.number(p[2])
      let memory = try row.number(p[3])
      try context.sample(
        ids[k], time: time, cpu: peakCPU[k] > 0 ? cpu / peakCPU[k] : 0,
        memory: peakMemory[k] > 0 ? memory / peakMemory[k] : 0, rule: .maximum, row: row, timeField: p[1],
        entityName: "entity \(order[k])", sink: &sink)
    }
    context.noteScan(scan, file: path)
    context.summary.rows = rows
    return context.finish(sink: &sink)
  }

  /// Blank lines and lines whose first non-blank character is `#`.
  static func isComment(_ line: Line) -> Bool {
    for b in line.bytes {
      if b == 0x20 || b == 0x09 { continue }
      return b == UInt8(ascii: "#")
    }
    return true
  }

  /// The header: the four columns in any order; `system` and `vm` are accepted for `entity`.
  static func nativeHeader(_ line: Line, fields: Fields, file: String) throws(WorkloadError) -> Header {
    fields.split(line.bytes, .comma)
    var aliases: [String] = []
    for i in 0..<Swift.min(fields.count, Fields.capacity) {
      let name = Cells.text(line.bytes, fields.range(i, in: line.bytes)).lowercased()
      aliases.append(name)
    }
    let entityName = aliases.first { ["entity", "system", "vm"].contains($0) } ?? "entity"
    let header = try Header(
      line, fields: fields, file: file, separator: .comma,
      required: [entityName, "time_s", "cpu_cores", "mem_gib"])
    for (i, name) in header.names.enumerated() where !header.positions.contains(i) {
      throw WorkloadError(
        file: file, line: line.number, field: name.isEmpty ? "column \(i + 1)" : name,
        message:
          "unknown header column '\(name)'; expected entity (or system, vm), time_s, cpu_cores, mem_gib")
    }
    return header
  }
}
