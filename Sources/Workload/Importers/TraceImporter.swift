import Foundation

/// What an importer does when an entity's sample time does not increase.
public enum TimestampPolicy: Sendable, Equatable {
  /// Repairs and counts: a duplicated time is merged into one sample (how depends on the format,
  /// see its importer), a decreasing time is dropped. Every repair reaches the sink as a
  /// `TraceRepair`.
  case repair
  /// Fails with an error naming the file, the line and the time field.
  case reject
}

/// How far an import has got, for progress display.
public struct ImportProgress: Sendable, Equatable {
  /// The file being read.
  public var file: String
  /// Bytes of the current file read so far (compressed bytes for a gzip file).
  public var fileBytesRead: Int64
  /// Size of the current file, when known.
  public var fileBytesTotal: Int64?
  /// Files finished before the current one.
  public var filesDone: Int
  /// Files to read in all.
  public var filesTotal: Int
}

/// Settings common to every importer.
public struct ImportOptions: Sendable {
  /// Duplicated and decreasing sample times: repair (counted) or reject.
  public var timestamps: TimestampPolicy = .repair
  /// Bytes read from a file at a time.
  public var chunkBytes: Int = 1 << 20
  /// Longest line accepted, in bytes; a longer one is an error (binary data, wrong line ends).
  public var maximumLineBytes: Int = 1 << 20
  /// Most entities one import may declare (per-entity state is the only state that grows).
  public var maximumEntities: Int = 20_000_000
  /// Bitbrains: rows of one VM file kept (32 bytes each) while its largest capacity is found; a
  /// longer file is read a second time instead.
  public var bitbrainsBufferedRows: Int = 1 << 21
  /// PlanetLab: samples every file must have (nil accepts any count ≥ 1).
  public var planetLabSamplesPerFile: Int? = 288
  /// Called after every chunk read, from the importing thread.
  public var progress: (@Sendable (ImportProgress) -> Void)? = nil

  /// Default options: repair timestamps, 1 MiB chunks and 1 MiB lines, 288 PlanetLab samples.
  public init() {}
}

/// What an import read, for reports and throughput figures. Repairs are sent to the sink as well.
public struct ImportSummary: Sendable, Equatable {
  /// Files read.
  public var files = 0
  /// Bytes read from disk (compressed size for gzip files).
  public var bytes: Int64 = 0
  /// Text bytes parsed (decompressed size for gzip files).
  public var textBytes: Int64 = 0
  /// Data rows read (header lines not counted).
  public var rows = 0
  /// Entities declared to the sink.
  public var entities = 0
  /// Samples appended to the sink.
  public var samples = 0
  /// Repairs, in order of first occurrence (also sent to the sink).
  public var repairs: [TraceRepair] = []
  /// GPUs requested by pods or held by nodes (`alibaba-gpu-2023`), which `TraceSink` has no
  /// metric for; nil for other formats.
  public var gpu: GPUTotals? = nil

  /// An empty summary.
  public init() {}

  /// Total count of the repairs whose kind starts with `prefix`.
  public func repairCount(_ prefix: String) -> Int {
    repairs.filter { $0.kind.hasPrefix(prefix) }.reduce(0) { $0 + $1.count }
  }
}

/// GPU figures of an `alibaba-gpu-2023` import, reported beside the samples.
public struct GPUTotals: Sendable, Equatable {
  /// Entities (pods or nodes) with at least one GPU.
  public var entitiesWithGPU = 0
  /// Pods: Σ num_gpu × gpu_milli / 1000 (GPU-equivalents requested). Nodes: Σ gpu.
  public var gpus = 0.0
  /// Pods sharing one GPU (num_gpu = 1, gpu_milli < 1000).
  public var sharedGPUPods = 0
  /// Node GPUs per model, sorted by model name (pods' `gpu_spec` lists are not totalled).
  public var byModel: [GPUModelCount] = []

  /// No GPUs.
  public init() {}
}

/// GPUs of one model.
public struct GPUModelCount: Sendable, Equatable {
  /// The model as written (`G2`, `T4`, `P100`, …).
  public var model: String
  /// GPUs of that model.
  public var gpus: Int

  /// Creates a count.
  public init(model: String, gpus: Int) {
    self.model = model
    self.gpus = gpus
  }
}

/// Reads one public trace format and streams it into a `TraceSink`.
///
/// Guarantees to the sink: an entity is declared before its first sample; within one entity,
/// sample times strictly increase; CPU and memory utilisations are finite and ≥ 0 (they may exceed
/// 1, when the trace says usage exceeded the capacity), or NaN memory when the format has none;
/// every repair is reported with `TraceRepair` once the import has read all its files. On error,
/// the sink may hold part of the trace; discard it.
public protocol TraceImporter {
  /// The format read.
  static var format: TraceFormat { get }

  /// Reads the trace at `url` (a file or a folder, as the format documents) into `sink`.
  ///
  /// - Throws: `WorkloadError` naming the file, the 1-based line and the field of the first problem.
  @discardableResult
  static func read(_ url: URL, into sink: inout some TraceSink, options: ImportOptions)
    throws(WorkloadError) -> ImportSummary
}

extension TraceImporter {
  /// Reads with default options.
  @discardableResult
  public static func read(_ url: URL, into sink: inout some TraceSink) throws(WorkloadError) -> ImportSummary
  {
    try read(url, into: &sink, options: ImportOptions())
  }
}

/// The importer of each format.
public enum TraceImporters {
  /// The importer reading `format`.
  public static func importer(for format: TraceFormat) -> any TraceImporter.Type {
    switch format {
    case .native: NativeImporter.self
    case .planetlab: PlanetLabImporter.self
    case .bitbrains: BitbrainsImporter.self
    case .alibabaMachine: AlibabaMachineImporter.self
    case .alibabaContainer: AlibabaContainerImporter.self
    case .google2011: Google2011Importer.self
    case .alibabaGPU2023: AlibabaGPU2023Importer.self
    case .azureV1: AzureV1Importer.self
    }
  }

  /// Reads `url` in `format` into `sink`.
  @discardableResult
  public static func read(
    _ format: TraceFormat, _ url: URL, into sink: inout some TraceSink,
    options: ImportOptions = ImportOptions()
  ) throws(WorkloadError) -> ImportSummary {
    try importer(for: format).read(url, into: &sink, options: options)
  }
}
