/// The public trace formats Yunhe reads directly.
public enum TraceFormat: String, CaseIterable, Sendable {
  /// Yunhe's native long-form CSV (`entity,time_s,cpu_cores,mem_gib`).
  case native
  /// PlanetLab / CoMon as used by CloudSim: a folder of per-VM files of CPU percent at 300 s.
  case planetlab
  /// Bitbrains GWA-T-12: per-VM `;\t`-separated CSV.
  case bitbrains
  /// Alibaba cluster-trace-v2018 machine_usage (with machine_meta).
  case alibabaMachine = "alibaba-machine"
  /// Alibaba cluster-trace-v2018 container_usage (with container_meta).
  case alibabaContainer = "alibaba-container"
  /// Google cluster-data 2011 task_events (gzip).
  case google2011 = "google-2011"
  /// Alibaba cluster-trace-gpu-v2023 (openb node and pod lists).
  case alibabaGPU2023 = "alibaba-gpu-2023"
  /// Azure Public Dataset V1 (vmtable and CPU readings).
  case azureV1 = "azure-v1"
}

/// A counted, reported repair an importer made instead of failing (never a silent one).
public struct TraceRepair: Sendable, Hashable {
  /// What was repaired, e.g. "duplicated timestamp dropped".
  public var kind: String
  /// File of the first occurrence.
  public var file: String
  /// 1-based line of the first occurrence.
  public var firstLine: Int
  /// How many times.
  public var count: Int

  /// Creates a repair record.
  public init(kind: String, file: String, firstLine: Int, count: Int) {
    self.kind = kind
    self.file = file
    self.firstLine = firstLine
    self.count = count
  }
}

/// Receives samples from a trace importer as they are read, so that large inputs are streamed
/// into a compact store instead of being held whole.
///
/// Utilisations are fractions of the entity's own capacity (1.0 = 100 %); an importer converts
/// its format's units (percent, MHz, normalised requests) and says so in its documentation.
public protocol TraceSink {
  /// Declares an entity (VM, container, machine, task) and returns its id for `append`.
  /// Capacities are given when the trace states them (cores in the trace's own units; GiB).
  mutating func declare(entity name: String, cpuCapacityCores: Double?, memoryCapacityGiB: Double?) -> Int
  /// Adds one sample. Times are milliseconds since the trace's own origin; NaN memory means the
  /// format has no memory column.
  mutating func append(
    entity: Int, timeMilliseconds: Int64, cpuUtilisation: Double, memoryUtilisation: Double)
  /// Records a repair.
  mutating func repair(_ repair: TraceRepair)
}

/// A sink that keeps every sample in memory (tests, small traces).
public struct CollectingSink: TraceSink, Sendable {
  /// One entity's samples in arrival order.
  public struct Entity: Sendable, Equatable {
    /// Name.
    public var name: String
    /// CPU capacity, when known.
    public var cpuCapacityCores: Double?
    /// Memory capacity in GiB, when known.
    public var memoryCapacityGiB: Double?
    /// Sample times, milliseconds.
    public var times: [Int64] = []
    /// CPU utilisation fractions.
    public var cpu: [Double] = []
    /// Memory utilisation fractions (NaN when absent).
    public var memory: [Double] = []
  }

  /// Entities in declaration order.
  public private(set) var entities: [Entity] = []
  /// Repairs in the order reported.
  public private(set) var repairs: [TraceRepair] = []

  /// Creates an empty sink.
  public init() {}

  public mutating func declare(entity name: String, cpuCapacityCores: Double?, memoryCapacityGiB: Double?)
    -> Int
  {
    entities.append(
      Entity(name: name, cpuCapacityCores: cpuCapacityCores, memoryCapacityGiB: memoryCapacityGiB))
    return entities.count - 1
  }

  public mutating func append(
    entity: Int, timeMilliseconds: Int64, cpuUtilisation: Double, memoryUtilisation: Double
  ) {
    entities[entity].times.append(timeMilliseconds)
    entities[entity].cpu.append(cpuUtilisation)
    entities[entity].memory.append(memoryUtilisation)
  }

  public mutating func repair(_ repair: TraceRepair) {
    repairs.append(repair)
  }
}
