/// How stored utilisation becomes demand.
public struct DemandConversion: Sendable, Equatable {
  /// What a utilisation of 1.0 is, in cores and GiB.
  public enum Sizing: Sendable, Equatable {
    /// Each entity's own capacity from the trace (an error when the trace does not state it).
    case capacity
    /// A given VM size for every entity: CPU demand = utilisation × `cpuCores`, memory demand =
    /// utilisation × `memoryGiB`.
    case fixed(cpuCores: Double, memoryGiB: Double)
  }

  /// What a sample the trace does not have becomes.
  public enum Missing: Sendable, Equatable {
    /// No demand (the entity is off or absent).
    case zero
    /// The previous demand of the entity (0 before its first reading).
    case holdPrevious
  }

  /// Sizing of utilisation 1.0.
  public var sizing: Sizing
  /// Treatment of missing samples, outside and inside an entity's run.
  public var missing: Missing
  /// Multiplier on CPU demand for normalising between host models by relative speed
  /// (`CPUNormalisation.factor`); 1 keeps the trace's cores.
  public var cpuFactor: Double

  /// Creates a conversion; by default each entity's own capacity, missing samples as 0, no CPU
  /// normalisation.
  public init(sizing: Sizing = .capacity, missing: Missing = .zero, cpuFactor: Double = 1) {
    self.sizing = sizing
    self.missing = missing
    self.cpuFactor = cpuFactor
  }
}

/// CPU normalisation between host models by relative per-core speed: a core of the trace's host
/// model does `sourceSpeed / targetSpeed` cores of work on the target model (speeds in any one
/// unit: a benchmark score per core, or GHz of the same microarchitecture).
public struct CPUNormalisation: Sendable, Equatable, Codable {
  /// Per-core speed of the host model the trace was recorded on.
  public var sourceSpeed: Double
  /// Per-core speed of the host model demand is expressed in.
  public var targetSpeed: Double

  /// Creates a normalisation; both speeds must be finite and positive (see `validate`).
  public init(sourceSpeed: Double, targetSpeed: Double) {
    self.sourceSpeed = sourceSpeed
    self.targetSpeed = targetSpeed
  }

  /// The multiplier on cores: `sourceSpeed / targetSpeed`.
  public var factor: Double { sourceSpeed / targetSpeed }

  /// Problems with the speeds, in words; empty when valid.
  public func validate() -> [String] {
    var problems: [String] = []
    for (name, x) in [("source speed", sourceSpeed), ("target speed", targetSpeed)]
    where !(x.isFinite && x > 0) {
      problems.append("\(name) must be a positive number, got \(x)")
    }
    return problems
  }
}

extension TraceStore {
  /// Demand series of some entities: CPU in cores and memory in GiB, sample 0 at time 0.
  ///
  /// Output sample `j` covers store samples `startSample + j·k ..< startSample + (j+1)·k`, with
  /// `k = intervalMilliseconds / self.intervalMilliseconds` (a whole number ≥ 1), and holds the
  /// mean utilisation of the samples present there times the sizing (times `cpuFactor` for CPU);
  /// when none is present, `conversion.missing` decides. A store without memory gives 0 GiB.
  ///
  /// - Parameters:
  ///   - entities: rows of the store, in output order (repeats allowed when `names` differ).
  ///   - names: output names (default: the entities' names); unique and non-empty.
  ///   - startSample: first store sample used (may be negative or beyond the store: no data there).
  ///   - sampleCount: output samples, ≥ 0.
  ///   - intervalMilliseconds: output interval (default: the store's), a multiple of the store's.
  ///   - conversion: sizing, missing-sample treatment and CPU factor.
  /// - Throws: `WorkloadError` naming the store's source: an interval that is not a multiple, an
  ///   unknown capacity with `.capacity` sizing, a bad size or factor, or bad names.
  public func demandSeries(
    entities: [Int], names: [String]? = nil, startSample: Int = 0, sampleCount: Int,
    intervalMilliseconds: Int64? = nil, conversion: DemandConversion = DemandConversion()
  ) throws(WorkloadError) -> DemandSeries {
    let file = info.source.isEmpty ? nil : info.source
    let interval = intervalMilliseconds ?? self.intervalMilliseconds
    guard interval > 0, interval % self.intervalMilliseconds == 0 else {
      throw WorkloadError(
        file: file, field: "interval",
        message:
          "the demand interval (\(interval) ms) must be a whole multiple of the trace store's interval (\(self.intervalMilliseconds) ms); re-import the trace at that interval"
      )
    }
    guard sampleCount >= 0 else {
      throw WorkloadError(
        file: file, field: "sampleCount", message: "must not be negative, got \(sampleCount)")
    }
    guard conversion.cpuFactor.isFinite && conversion.cpuFactor > 0 else {
      throw WorkloadError(
        file: file, field: "cpuFactor", message: "must be a positive number, got \(conversion.cpuFactor)")
    }
    if case .fixed(let cores, let memory) = conversion.sizing {
      guard cores.isFinite, cores >= 0, memory.isFinite, memory >= 0 else {
        throw WorkloadError(
          file: file, field: "size",
          message: "VM size must be finite and non-negative, got \(cores) cores, \(memory) GiB")
      }
    }
    let k = Int(interval / self.intervalMilliseconds)
    let outputNames = names ?? entities.map { self.names[$0] }
    guard outputNames.count == entities.count else {
      throw WorkloadError(
        file: file, field: "names", message: "\(outputNames.count) names for \(entities.count) entities")
    }
    var cpu = [Float](repeating: 0, count: entities.count * sampleCount)
    var memory = [Float](repeating: 0, count: entities.count * sampleCount)
    for (row, entity) in entities.enumerated() {
      precondition(entity >= 0 && entity < entityCount, "entity \(entity) outside 0..<\(entityCount)")
      let cpuScale: Double
      let memoryScale: Double
      switch conversion.sizing {
      case .capacity:
        guard let c = cpuCapacityCores[entity] else {
          throw WorkloadError(
            file: file, field: self.names[entity],
            message:
              "the trace does not state the CPU capacity of '\(self.names[entity])'; give a VM size to convert its utilisation to cores"
          )
        }
        cpuScale = c
        if hasMemory && quality[entity].memoryReadings > 0 {
          guard let m = memoryCapacityGiB[entity] else {
            throw WorkloadError(
              file: file, field: self.names[entity],
              message:
                "the trace does not state the memory capacity of '\(self.names[entity])'; give a VM size to convert its utilisation to GiB"
            )
          }
          memoryScale = m
        } else {
          memoryScale = 0
        }
      case .fixed(let cores, let gib):
        cpuScale = cores
        memoryScale = gib
      }
      fill(
        .cpu, entity: entity, into: &cpu, at: row * sampleCount, startSample: startSample, count: sampleCount,
        k: k, scale: cpuScale * conversion.cpuFactor, missing: conversion.missing)
      if hasMemory && memoryScale > 0 {
        fill(
          .memory, entity: entity, into: &memory, at: row * sampleCount, startSample: startSample,
          count: sampleCount, k: k, scale: memoryScale, missing: conversion.missing)
      }
    }
    return try DemandSeries(
      names: outputNames, startMilliseconds: 0, intervalMilliseconds: interval, sampleCount: sampleCount,
      cpu: cpu, memory: memory)
  }

  /// Writes `count` output samples of one entity's metric, each the mean of `k` store samples.
  private func fill(
    _ metric: TraceMetric, entity: Int, into out: inout [Float], at offset: Int, startSample: Int, count: Int,
    k: Int, scale: Double, missing: DemandConversion.Missing
  ) {
    let run = sampleRange(of: entity)
    let q = quantum(metric) * scale
    withCodes(metric, entity: entity) { codes in
      var previous: Float = 0
      for j in 0..<count {
        let lower = startSample + j * k
        let from = Swift.max(lower, run.lowerBound)
        let to = Swift.min(lower + k, run.upperBound)
        var sum = 0
        var n = 0
        if from < to {
          for s in from..<to {
            let code = codes[s - run.lowerBound]
            if code != FixedPoint.missing {
              sum += Int(code)
              n += 1
            }
          }
        }
        let value: Float
        if n > 0 {
          value = SyntheticGenerator.finiteFloat(Double(sum) / Double(n) * q)
        } else {
          value = missing == .zero ? 0 : previous
        }
        out[offset + j] = value
        previous = value
      }
    }
  }
}
