import Foundation
import Stochastics

/// Percentiles of one metric of one entity (type-7 quantiles, `Statistics.quantile`).
public struct PercentileSizing: Sendable, Equatable, Codable {
  /// Mean.
  public var mean: Double
  /// Median.
  public var p50: Double
  /// 95th percentile.
  public var p95: Double
  /// 99th percentile.
  public var p99: Double
  /// Largest value.
  public var max: Double

  /// Creates figures.
  public init(mean: Double, p50: Double, p95: Double, p99: Double, max: Double) {
    self.mean = mean
    self.p50 = p50
    self.p95 = p95
    self.p99 = p99
    self.max = max
  }

  /// The figures of ascending-sorted values; nil when there are none.
  public init?(sorted: [Double]) {
    guard let last = sorted.last else { return nil }
    var sum = 0.0
    for x in sorted { sum += x }
    self.init(
      mean: sum / Double(sorted.count), p50: Statistics.quantile(sorted: sorted, 0.5),
      p95: Statistics.quantile(sorted: sorted, 0.95), p99: Statistics.quantile(sorted: sorted, 0.99),
      max: last)
  }

  /// Every figure multiplied by `k` (utilisation to cores or GiB).
  public func scaled(by k: Double) -> PercentileSizing {
    PercentileSizing(mean: mean * k, p50: p50 * k, p95: p95 * k, p99: p99 * k, max: max * k)
  }
}

/// Per-entity figures of an inspection.
public struct EntityInspection: Sendable, Equatable, Codable {
  /// Name.
  public var name: String
  /// Readings the importer delivered.
  public var readings: Int
  /// Samples of the entity's run.
  public var samples: Int
  /// Samples of the run that are missing (gaps longer than the forward-fill limit).
  public var missing: Int
  /// CPU capacity from the trace, cores.
  public var cpuCapacityCores: Double?
  /// Memory capacity from the trace, GiB.
  public var memoryCapacityGiB: Double?
  /// CPU utilisation percentiles (fractions of the capacity) over the samples present.
  public var cpuUtilisation: PercentileSizing?
  /// CPU percentiles in cores on the target host model: utilisation × capacity × normalisation
  /// factor; nil without a capacity or a VM size.
  public var cpuCores: PercentileSizing?
  /// Memory utilisation percentiles.
  public var memoryUtilisation: PercentileSizing?
  /// Memory percentiles in GiB; nil without a capacity or a VM size.
  public var memoryGiB: PercentileSizing?
  /// The entity's counts and repairs.
  public var quality: EntityQuality
}

/// A data-quality and sizing report of a trace store (`yunhe trace inspect`).
public struct TraceInspection: Sendable, Equatable, Codable {
  /// Format read.
  public var format: String
  /// Source path.
  public var source: String
  /// Number of entities (VMs, machines, containers…).
  public var entities: Int
  /// Entities without a single valid reading.
  public var emptyEntities: Int
  /// Readings the importer delivered.
  public var readings: Int
  /// Samples stored per metric (all runs).
  public var storedSamples: Int
  /// Stored CPU samples that are not missing.
  public var presentSamples: Int
  /// Sample interval of the store, seconds.
  public var intervalSeconds: Double
  /// Mean step between consecutive readings of an entity, seconds (nil with no steps).
  public var meanReadingStepSeconds: Double?
  /// Smallest step between consecutive readings of an entity, seconds (nil with no steps).
  public var smallestReadingStepSeconds: Double?
  /// Start of the first sample on the trace's clock, milliseconds.
  public var startMilliseconds: Int64
  /// End of the last sample, milliseconds.
  public var endMilliseconds: Int64
  /// Start and end in UTC, when the clock looks like Unix time (2000–2100).
  public var startUTC: String?
  /// End in UTC, see `startUTC`.
  public var endUTC: String?
  /// Span in days.
  public var spanDays: Double
  /// Whether the store has memory utilisation.
  public var hasMemory: Bool
  /// Bytes of sample codes held.
  public var sampleBytes: Int
  /// Sample-code bytes per stored sample per metric (2 by construction).
  public var bytesPerSamplePerMetric: Double
  /// Totals of every entity's counts.
  public var totals: EntityQuality
  /// Repairs reported by the importer.
  public var repairs: [TraceRepair]
  /// Things that look like unit or format mistakes, in words.
  public var suspicions: [String]
  /// CPU normalisation applied to the sizing in cores, if any.
  public var normalisation: CPUNormalisation?
  /// Per-entity figures, in store order.
  public var vms: [EntityInspection]
}

extension TraceStore {
  /// Inspects the store: counts, gaps, out-of-range values, unit suspicions and per-entity
  /// percentile sizing.
  ///
  /// - Parameters:
  ///   - normalisation: CPU normalisation to the target host model applied to the sizing in cores.
  ///   - vmSize: cores and GiB of utilisation 1.0 for entities whose capacity the trace does not
  ///     state (nil leaves their sizing in cores and GiB empty).
  public func inspect(normalisation: CPUNormalisation? = nil, vmSize: (cores: Double, gib: Double)? = nil)
    -> TraceInspection
  {
    let factor = normalisation?.factor ?? 1
    var totals = EntityQuality()
    var first = true
    var vms: [EntityInspection] = []
    vms.reserveCapacity(entityCount)
    var present = 0
    var empty = 0
    for e in 0..<entityCount {
      let q = quality[e]
      accumulate(&totals, q, first: &first)
      let cpu = sortedPresent(.cpu, entity: e)
      let memory = hasMemory ? sortedPresent(.memory, entity: e) : []
      present += cpu.count
      let run = sampleRange(of: e).count
      if run == 0 { empty += 1 }
      let cpuUtilisation = PercentileSizing(sorted: cpu)
      let memoryUtilisation = PercentileSizing(sorted: memory)
      let cores = cpuCapacityCores[e] ?? vmSize?.cores
      let gib = memoryCapacityGiB[e] ?? vmSize?.gib
      vms.append(
        EntityInspection(
          name: names[e], readings: q.readings, samples: run, missing: run - cpu.count,
          cpuCapacityCores: cpuCapacityCores[e], memoryCapacityGiB: memoryCapacityGiB[e],
          cpuUtilisation: cpuUtilisation,
          cpuCores: cores.flatMap { c in cpuUtilisation?.scaled(by: c * factor) },
          memoryUtilisation: memoryUtilisation,
          memoryGiB: gib.flatMap { g in memoryUtilisation?.scaled(by: g) }, quality: q))
    }
    let interval = Double(intervalMilliseconds) / 1000
    let steps = totals.steps
    let span = Double(endMilliseconds - originMilliseconds) / 86_400_000
    return TraceInspection(
      format: info.format, source: info.source, entities: entityCount, emptyEntities: empty,
      readings: totals.readings, storedSamples: storedSampleCount, presentSamples: present,
      intervalSeconds: interval,
      meanReadingStepSeconds: steps > 0 ? Double(totals.stepSumMilliseconds) / Double(steps) / 1000 : nil,
      smallestReadingStepSeconds: steps > 0 ? Double(totals.minimumStepMilliseconds) / 1000 : nil,
      startMilliseconds: originMilliseconds, endMilliseconds: endMilliseconds,
      startUTC: Self.utc(originMilliseconds), endUTC: Self.utc(endMilliseconds), spanDays: span,
      hasMemory: hasMemory, sampleBytes: sampleBytes,
      bytesPerSamplePerMetric: storedSampleCount > 0
        ? Double(sampleBytes) / Double(storedSampleCount) / Double(hasMemory ? 2 : 1) : 0,
      totals: totals, repairs: info.repairs, suspicions: suspicions(totals: totals, vms: vms),
      normalisation: normalisation, vms: vms)
  }

  /// Present values of one entity's metric, ascending.
  private func sortedPresent(_ metric: TraceMetric, entity: Int) -> [Double] {
    let q = quantum(metric)
    return withCodes(metric, entity: entity) { codes in
      var kept = codes.filter { $0 != FixedPoint.missing }
      kept.sort()
      return kept.map { Double($0) * q }
    }
  }

  private func accumulate(_ t: inout EntityQuality, _ q: EntityQuality, first: inout Bool) {
    t.readings += q.readings
    t.duplicateTimes += q.duplicateTimes
    t.decreasingTimes += q.decreasingTimes
    t.lateDropped += q.lateDropped
    t.negativeValues += q.negativeValues
    t.nonFiniteValues += q.nonFiniteValues
    t.cpuAboveCapacity += q.cpuAboveCapacity
    t.memoryAboveCapacity += q.memoryAboveCapacity
    t.saturatedBuckets += q.saturatedBuckets
    t.averagedBuckets += q.averagedBuckets
    t.forwardFilledBuckets += q.forwardFilledBuckets
    t.gapBuckets += q.gapBuckets
    t.gaps += q.gaps
    t.longestGapBuckets = Swift.max(t.longestGapBuckets, q.longestGapBuckets)
    t.memoryReadings += q.memoryReadings
    t.steps += q.steps
    t.stepSumMilliseconds &+= q.stepSumMilliseconds
    if q.steps > 0
      && (t.minimumStepMilliseconds == 0 || q.minimumStepMilliseconds < t.minimumStepMilliseconds)
    {
      t.minimumStepMilliseconds = q.minimumStepMilliseconds
    }
    guard q.readings > 0 else { return }
    if first {
      first = false
      t.firstTimeMilliseconds = q.firstTimeMilliseconds
      t.lastTimeMilliseconds = q.lastTimeMilliseconds
      t.minimumCPU = q.minimumCPU
      t.maximumCPU = q.maximumCPU
      t.maximumMemory = q.maximumMemory
    } else {
      t.firstTimeMilliseconds = Swift.min(t.firstTimeMilliseconds, q.firstTimeMilliseconds)
      t.lastTimeMilliseconds = Swift.max(t.lastTimeMilliseconds, q.lastTimeMilliseconds)
      t.minimumCPU = Swift.min(t.minimumCPU, q.minimumCPU)
      t.maximumCPU = Swift.max(t.maximumCPU, q.maximumCPU)
      t.maximumMemory = Swift.max(t.maximumMemory, q.maximumMemory)
    }
  }

  /// Unit and format suspicions, in words.
  private func suspicions(totals: EntityQuality, vms: [EntityInspection]) -> [String] {
    var out: [String] = []
    let withCPU = vms.filter { $0.cpuUtilisation != nil }
    if totals.readings >= 100 && !withCPU.isEmpty && totals.maximumCPU > 0 && totals.maximumCPU <= 0.01 {
      out.append(
        "every CPU value is at most 1 % (largest \(Self.percent(totals.maximumCPU))): were the values fractions (0–1) read as percent?"
      )
    }
    if totals.maximumCPU > 10 {
      let high = withCPU.filter { ($0.cpuUtilisation?.p50 ?? 0) > 1 }.count
      out.append(
        "CPU values up to \(Self.percent(totals.maximumCPU)) (\(high) entities with a median above 100 %): percent read as a fraction, or absolute units (cores, MHz) read as utilisation?"
      )
    }
    if hasMemory && totals.memoryReadings >= 100 && totals.maximumMemory > 0 && totals.maximumMemory <= 0.01 {
      out.append(
        "every memory value is at most 1 % (largest \(Self.percent(totals.maximumMemory))): fractions read as percent?"
      )
    }
    if totals.maximumMemory > 10 {
      out.append(
        "memory values up to \(Self.percent(totals.maximumMemory)) of the capacity: absolute units read as utilisation?"
      )
    }
    if totals.saturatedBuckets > 0 {
      out.append(
        "\(totals.saturatedBuckets) samples clipped at the top code (\(Self.percent(Double(FixedPoint.saturated) * info.cpuQuantum))): values out of the utilisation range"
      )
    }
    if totals.steps > 0 {
      let step = Double(totals.stepSumMilliseconds) / Double(totals.steps)
      let interval = Double(intervalMilliseconds)
      if step < interval / 50 {
        out.append(
          "readings come every \(Self.seconds(step)) on average, far more often than the \(Self.seconds(interval)) interval: timestamps in seconds read as milliseconds, or a finer --interval intended?"
        )
      } else if step > interval * 50 {
        out.append(
          "readings come every \(Self.seconds(step)) on average, far less often than the \(Self.seconds(interval)) interval: timestamps in milliseconds read as seconds, or a coarser --interval intended?"
        )
      }
    }
    let stillEntities = vms.filter { ($0.cpuUtilisation?.max ?? 1) == 0 && $0.samples > 0 }.count
    if stillEntities > 0 {
      out.append("\(stillEntities) entities have CPU 0 in every sample (switched off, or an empty column?)")
    }
    if !vms.isEmpty && cpuCapacityCores.allSatisfy({ $0 == nil }) {
      out.append("the trace states no CPU capacity: sizing in cores needs a VM size (--vm-size)")
    }
    return out
  }

  static func percent(_ x: Double) -> String { String(format: "%.2f %%", x * 100) }

  static func seconds(_ ms: Double) -> String { String(format: "%.3g s", ms / 1000) }

  /// ISO 8601 UTC text of a time when it looks like Unix milliseconds between 2000 and 2100.
  static func utc(_ ms: Int64) -> String? {
    guard ms >= 946_684_800_000 && ms < 4_102_444_800_000 else { return nil }
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
  }
}
