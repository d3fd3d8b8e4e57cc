/// Regularly sampled demand of named entities (business systems or VMs).
///
/// Storage is a struct of arrays, row-major `[entity][sample]`, in `Float`. Sample `s` of every
/// entity covers the interval `[startMilliseconds + s·interval, startMilliseconds + (s+1)·interval)`
/// and holds the mean demand over it. CPU demand is in reference cores (cores of relative speed
/// 1.0, an absolute amount, not a percentage); memory is in GiB; times are integer milliseconds
/// since the simulation start.
///
/// Every value is finite and non-negative, and names are unique: the throwing initialiser checks it.
public struct DemandSeries: Sendable, Equatable {
  /// Entity names, in row order.
  public let names: [String]
  /// Start of sample 0, in milliseconds since the simulation start.
  public let startMilliseconds: Int64
  /// Length of one sample interval in milliseconds (> 0).
  public let intervalMilliseconds: Int64
  /// Number of samples per entity.
  public let sampleCount: Int

  /// CPU demand, reference cores, row-major `[entity][sample]`.
  private let cpuValues: [Float]
  /// Memory demand, GiB, row-major `[entity][sample]`.
  private let memoryValues: [Float]
  /// Row of each name.
  private let rowOfName: [String: Int]

  /// Creates a series, checking that both arrays hold `names.count × sampleCount` values that are
  /// finite and non-negative, that names are unique and non-empty, and that the interval is positive.
  ///
  /// - Parameters:
  ///   - names: entity names, one per row.
  ///   - startMilliseconds: start of sample 0, in milliseconds since the simulation start.
  ///   - intervalMilliseconds: sample length in milliseconds, > 0.
  ///   - sampleCount: samples per entity, ≥ 0.
  ///   - cpu: CPU demand in reference cores, row-major `[entity][sample]`.
  ///   - memory: memory demand in GiB, row-major `[entity][sample]`.
  /// - Throws: `WorkloadError` naming the offending field (`names`, `intervalMilliseconds`,
  ///   `sampleCount`, `cpu` or `memory`).
  public init(
    names: [String], startMilliseconds: Int64, intervalMilliseconds: Int64, sampleCount: Int,
    cpu: [Float], memory: [Float]
  ) throws(WorkloadError) {
    guard intervalMilliseconds > 0 else {
      throw WorkloadError(
        field: "intervalMilliseconds", message: "must be positive, got \(intervalMilliseconds)")
    }
    guard sampleCount >= 0 else {
      throw WorkloadError(field: "sampleCount", message: "must not be negative, got \(sampleCount)")
    }
    let (expected, overflow) = names.count.multipliedReportingOverflow(by: sampleCount)
    guard !overflow else {
      throw WorkloadError(field: "sampleCount", message: "names × samples overflows")
    }
    var rows: [String: Int] = [:]
    rows.reserveCapacity(names.count)
    for (i, name) in names.enumerated() {
      guard !name.isEmpty else {
        throw WorkloadError(field: "names", message: "entity \(i) has an empty name")
      }
      if let first = rows.updateValue(i, forKey: name) {
        throw WorkloadError(
          field: "names", message: "duplicate name '\(name)' (entities \(first) and \(i))")
      }
    }
    for (field, values) in [("cpu", cpu), ("memory", memory)] {
      guard values.count == expected else {
        throw WorkloadError(
          field: field,
          message:
            "expected \(names.count) entities × \(sampleCount) samples = \(expected) values, got \(values.count)"
        )
      }
      if let bad = values.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
        let entity = sampleCount > 0 ? bad / sampleCount : 0
        let sample = sampleCount > 0 ? bad % sampleCount : 0
        throw WorkloadError(
          field: field,
          message:
            "value of '\(names[entity])' at sample \(sample) must be a finite non-negative number, got \(values[bad])"
        )
      }
    }
    self.init(
      checkedNames: names, rows: rows, startMilliseconds: startMilliseconds,
      intervalMilliseconds: intervalMilliseconds, sampleCount: sampleCount, cpu: cpu, memory: memory)
  }

  /// Creates a series from values already known to be valid (module-internal fast path).
  init(
    checkedNames names: [String], rows: [String: Int]? = nil, startMilliseconds: Int64,
    intervalMilliseconds: Int64, sampleCount: Int, cpu: [Float], memory: [Float]
  ) {
    self.names = names
    self.startMilliseconds = startMilliseconds
    self.intervalMilliseconds = intervalMilliseconds
    self.sampleCount = sampleCount
    self.cpuValues = cpu
    self.memoryValues = memory
    if let rows {
      self.rowOfName = rows
    } else {
      self.rowOfName = Dictionary(
        names.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
    }
  }

  /// Number of entities (rows).
  public var entityCount: Int { names.count }

  /// End of the last sample (exclusive), in milliseconds since the simulation start.
  public var endMilliseconds: Int64 { startMilliseconds + Int64(sampleCount) * intervalMilliseconds }

  /// Start time of sample `sample`, in milliseconds since the simulation start.
  public func timeMilliseconds(ofSample sample: Int) -> Int64 {
    startMilliseconds + Int64(sample) * intervalMilliseconds
  }

  /// Index of the sample covering time `milliseconds`, or nil outside the series.
  public func sampleIndex(atMilliseconds milliseconds: Int64) -> Int? {
    guard milliseconds >= startMilliseconds, milliseconds < endMilliseconds else { return nil }
    return Int((milliseconds - startMilliseconds) / intervalMilliseconds)
  }

  /// CPU demand of one entity over all samples, in reference cores.
  public func cpu(_ entity: Int) -> ArraySlice<Float> {
    cpuValues[entity * sampleCount..<(entity + 1) * sampleCount]
  }

  /// Memory demand of one entity over all samples, in GiB.
  public func memory(_ entity: Int) -> ArraySlice<Float> {
    memoryValues[entity * sampleCount..<(entity + 1) * sampleCount]
  }

  /// CPU demand of one entity in one sample, in reference cores.
  public func cpu(entity: Int, sample: Int) -> Float {
    precondition(sample >= 0 && sample < sampleCount, "sample \(sample) outside 0..<\(sampleCount)")
    return cpuValues[entity * sampleCount + sample]
  }

  /// Memory demand of one entity in one sample, in GiB.
  public func memory(entity: Int, sample: Int) -> Float {
    precondition(sample >= 0 && sample < sampleCount, "sample \(sample) outside 0..<\(sampleCount)")
    return memoryValues[entity * sampleCount + sample]
  }

  /// Row of the entity called `name`, or nil when there is none.
  public func index(of name: String) -> Int? { rowOfName[name] }

  /// The same series with every CPU and memory value multiplied by `k` (e.g. a growth factor).
  ///
  /// - Precondition: `k` is finite and not negative.
  public func scaled(by k: Double) -> DemandSeries {
    precondition(k.isFinite && k >= 0, "scale factor must be finite and non-negative, got \(k)")
    let f = Float(k)
    return DemandSeries(
      checkedNames: names, rows: rowOfName, startMilliseconds: startMilliseconds,
      intervalMilliseconds: intervalMilliseconds, sampleCount: sampleCount,
      cpu: cpuValues.map { Self.clampFinite($0 * f) }, memory: memoryValues.map { Self.clampFinite($0 * f) })
  }

  /// Keeps a product finite (a huge factor on a huge value would overflow `Float`).
  private static func clampFinite(_ x: Float) -> Float { x.isFinite ? x : .greatestFiniteMagnitude }
}

extension DemandSeries {
  /// Splits one entity's demand over `parts` identical instances behind a load balancer: each
  /// instance gets `1/parts` of the CPU and of the memory demand in every sample.
  ///
  /// - Precondition: `parts ≥ 1`.
  /// - Returns: per-instance CPU (reference cores) and memory (GiB), `sampleCount` values each.
  public func splitEqually(entity: Int, parts: Int) -> (cpu: [Float], memory: [Float]) {
    precondition(parts >= 1, "an entity must be split into at least one part, got \(parts)")
    let share = 1 / Float(parts)
    return (cpu(entity).map { $0 * share }, memory(entity).map { $0 * share })
  }
}
