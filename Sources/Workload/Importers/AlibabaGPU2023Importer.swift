import Foundation

/// Alibaba cluster-trace-gpu-v2023 ("openb"): pod lists (the workload) and node lists (the hosts).
///
/// Input: one CSV file with a header line; the kind is told by the first header cell (`name` for a
/// pod list, `sn` for a node list). A folder is read as its `openb_pod_list_default.csv` (the
/// trace's default workload; the other pod lists are variants of the same population and must be
/// named explicitly). Columns are found by header name.
///
/// Pod lists (`name,cpu_milli,memory_mib,num_gpu,gpu_milli[,gpu_spec,qos,pod_phase,creation_time,
/// deletion_time,scheduled_time]`):
/// - one entity per pod, named by `name`, declared with its requests as capacity: `cpu_milli` /
///   1000 cores and `memory_mib` / 1024 GiB;
/// - samples describe the request over time: 0 at `creation_time` (pending), 1 (the full request)
///   at `scheduled_time`, 0 at `deletion_time`, in seconds → milliseconds (a pod with 0 MiB has
///   memory utilisation 0). A pod with an empty `scheduled_time` (Pending: never ran) has only the
///   two zero samples (counted). At equal times the later event wins (a pod deleted at its
///   scheduling time ends at 0). `deletion_time` of still-running pods is the observation cut-off.
/// - The 5-column variant (`multigpu*`) has no times: one sample at 0 ms with utilisation 1.
///
/// Node lists (`sn,cpu_milli,memory_mib,gpu,model`): one entity per node with its capacity
/// (`cpu_milli` / 1000 cores, `memory_mib` / 1024 GiB) and **no samples**. Node names are not stable
/// across the two node files (see SOURCE.md): never join them on `sn`.
///
/// GPUs: `TraceSink` has no GPU metric, so GPU requests are not samples. They are reported in
/// `ImportSummary.gpu` (entities with GPUs, GPU-equivalents Σ num_gpu × gpu_milli / 1000, shared-GPU
/// pods, node GPUs per model) and as one counted repair per file ("GPU request not imported…")
/// whose count is the number of entities with a GPU. `gpu_spec`, `qos` and `pod_phase` are not
/// imported.
public enum AlibabaGPU2023Importer: TraceImporter {
  public static let format = TraceFormat.alibabaGPU2023

  static let podRequired = ["name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli"]
  static let podTimes = ["creation_time", "deletion_time", "scheduled_time"]
  static let nodeRequired = ["sn", "cpu_milli", "memory_mib", "gpu"]

  @discardableResult
  public static func read(_ url: URL, into sink: inout some TraceSink, options: ImportOptions)
    throws(WorkloadError) -> ImportSummary
  {
    var path = TraceFiles.path(url)
    if try TraceFiles.isFolder(url) {
      guard let found = TraceFiles.find(["openb_pod_list_default.csv"], in: path) else {
        throw WorkloadError(
          file: path,
          message: "no openb_pod_list_default.csv in the folder; name a pod list or node list file")
      }
      path = found
    }
    var context = ImportContext(options: options)
    var gpu = GPUTotals()
    var milliGPUs: Int64 = 0
    var models: [String: Int] = [:]
    let scanner = LineScanner(options: options)
    let fields = Fields()
    var kind: Kind? = nil
    var rows = 0
    var names = Set<String>()
    let scan = try scanner.scan(path: path, file: path) { line throws(WorkloadError) in
      guard let current = kind else {
        kind = try Kind(line, fields: fields, file: path)
        return
      }
      let header = current.header
      let row = fields.row(line, .comma)
      try row.expectFields(header.names.count, .comma)
      rows += 1
      let p = header.positions
      guard !row.isEmpty(p[0]) else { throw row.error(p[0], "empty name") }
      let name = row.text(p[0])
      guard names.insert(name).inserted else { throw row.error(p[0], "'\(name)' appears twice") }
      let cores = try row.number(p[1]) / 1000
      let memoryMiB = try row.number(p[2])
      let id = try context.declare(
        name, cpuCores: cores, memoryGiB: memoryMiB / 1024, file: path, line: line.number, sink: &sink)
      switch current {
      case .nodes:
        let count = try row.integer(p[3])
        if count > 0 {
          gpu.entitiesWithGPU += 1
          gpu.gpus += Double(count)
          let model = p[4] >= 0 ? row.text(p[4]) : ""
          models[model, default: 0] += Int(count)
          context.repairs.note(
            "GPU capacity not imported (TraceSink has no GPU metric; see ImportSummary.gpu)", file: path,
            line: line.number)
        }
      case .pods:
        let count = try row.integer(p[3])
        let milli = try row.integer(p[4])
        if count > 0 {
          guard milli >= 1 && milli <= 1000 else {
            throw row.error(p[4], "gpu_milli must be 1…1000 when num_gpu > 0, got \(milli)")
          }
          gpu.entitiesWithGPU += 1
          milliGPUs += count * milli
          if count == 1 && milli < 1000 { gpu.sharedGPUPods += 1 }
          context.repairs.note(
            "GPU request not imported (TraceSink has no GPU metric; see ImportSummary.gpu)", file: path,
            line: line.number)
        }
        let memoryShare = memoryMiB > 0 ? 1.0 : 0.0
        guard p[5] >= 0 else {
          try context.sample(
            id, time: 0, cpu: 1, memory: memoryShare, rule: .last, row: row, timeField: p[0],
            entityName: name,
            sink: &sink)
          return
        }
        let created = try row.secondsAsMilliseconds(p[5])
        let deleted = try row.secondsAsMilliseconds(p[6])
        try context.sample(
          id, time: created, cpu: 0, memory: 0, rule: .last, row: row, timeField: p[5],
          entityName: "pod \(name)",
          sink: &sink)
        if row.isEmpty(p[7]) {
          context.repairs.note(
            "pod never scheduled (empty scheduled_time): zero demand", file: path, line: line.number)
        } else {
          let scheduled = try row.secondsAsMilliseconds(p[7])
          try context.sample(
            id, time: scheduled, cpu: 1, memory: memoryShare, rule: .last, row: row, timeField: p[7],
            entityName: "pod \(name)", sink: &sink)
        }
        try context.sample(
          id, time: deleted, cpu: 0, memory: 0, rule: .last, row: row, timeField: p[6],
          entityName: "pod \(name)",
          sink: &sink)
      }
    }
    context.noteScan(scan, file: path)
    guard kind != nil else { throw WorkloadError(file: path, line: 1, message: "empty file: no header line") }
    guard rows > 0 else { throw WorkloadError(file: path, line: 1, message: "no data rows after the header") }
    context.summary.rows = rows
    if case .pods = kind { gpu.gpus = Double(milliGPUs) / 1000 }
    gpu.byModel = models.keys.sorted().map { GPUModelCount(model: $0, gpus: models[$0]!) }
    context.summary.gpu = gpu
    return context.finish(sink: &sink)
  }

  /// Pod list or node list, with its header.
  enum Kind {
    case pods(Header)
    case nodes(Header)

    var header: Header {
      switch self {
      case .pods(let h), .nodes(let h): h
      }
    }

    init(_ line: Line, fields: Fields, file: String) throws(WorkloadError) {
      fields.split(line.bytes, .comma)
      let first = fields.count > 0 ? Cells.text(line.bytes, fields.range(0, in: line.bytes)).lowercased() : ""
      switch first {
      case "sn":
        self = .nodes(
          try Header(
            line, fields: fields, file: file, separator: .comma, required: nodeRequired, optional: ["model"]))
      case "name":
        let header = try Header(
          line, fields: fields, file: file, separator: .comma, required: podRequired, optional: podTimes)
        let times = header.positions[5...]
        if times.contains(where: { $0 >= 0 }) {
          for (k, position) in zip(podTimes, times) where position < 0 {
            throw WorkloadError(
              file: file, line: line.number, field: k,
              message: "missing header column '\(k)' (a pod list has all three times or none)")
          }
        }
        self = .pods(header)
      default:
        _ = try Header(line, fields: fields, file: file, separator: .comma, required: [])
        throw WorkloadError(
          file: file, line: line.number, field: first.isEmpty ? "column 1" : first,
          message:
            "not an openb pod or node list: the header must start with 'name' (pods) or 'sn' (nodes) (is the first line a header?)"
        )
      }
    }
  }
}
