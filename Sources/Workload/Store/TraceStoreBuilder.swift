/// Builds a `TraceStore` from readings streamed by an importer, aligning them to a fixed interval
/// on the fly with bounded state per entity.
///
/// Resampling rules (every one counted in `EntityQuality`, never silent):
/// 1. **Buckets.** A reading at time `t` falls in bucket `⌊(t − alignment) / interval⌋`; the bucket
///    holds the **mean** of its readings' values, CPU and memory separately. Duplicated times are
///    averaged in like any other reading (counted as `duplicateTimes`).
/// 2. **Values.** Negative values are clamped to 0 (`negativeValues`); NaN or infinite CPU values, and
///    infinite memory values, are left out of the mean (`nonFiniteValues`); a NaN memory value means
///    the format has no memory column and is not a problem. Values above 1 (100 %) are kept
///    (`cpuAboveCapacity`, `memoryAboveCapacity`) up to the top code; a larger mean is clipped to it
///    (`saturatedBuckets`). A bucket with readings but no valid value of a metric holds a missing
///    code for that metric.
/// 3. **Run.** An entity's samples run from its first to its last bucket with a valid reading;
///    nothing is stored before or after.
/// 4. **Gaps.** Inside the run, up to `forwardFillLimit` consecutive empty buckets take the previous
///    bucket's values (`forwardFilledBuckets`); a longer run of empty buckets stays missing
///    (`FixedPoint.missing`) and is reported as a gap (`gaps`, `gapBuckets`).
/// 5. **Order.** Readings may arrive out of order within the last `reorderWindow` buckets of the
///    entity (`decreasingTimes` counts them); a reading older than that is dropped (`lateDropped`).
///
/// State per entity is the open window of `reorderWindow` buckets plus a few counters; finished
/// buckets are encoded straight away into 2-byte codes (the store's own memory).
public struct TraceStoreBuilder: TraceSink {
  /// How readings are aligned.
  public struct Options: Sendable, Equatable {
    /// Bucket length in milliseconds (> 0). Default 300 000 (5 minutes).
    public var intervalMilliseconds: Int64
    /// Bucket boundaries are `alignment + k·interval` on the trace's clock. Default 0.
    public var alignmentMilliseconds: Int64
    /// Longest run of empty buckets filled with the previous value (≥ 0). Default 3.
    public var forwardFillLimit: Int
    /// Buckets an entity keeps open for out-of-order readings (≥ 1). Default 4.
    public var reorderWindow: Int
    /// Quantum of CPU codes. Default `FixedPoint.defaultQuantum` (1/10 000).
    public var cpuQuantum: Double
    /// Quantum of memory codes. Default `FixedPoint.defaultQuantum`.
    public var memoryQuantum: Double
    /// Format name recorded in the store.
    public var format: String
    /// Source path recorded in the store.
    public var source: String

    /// Creates options; see the properties for the defaults.
    public init(
      intervalMilliseconds: Int64 = 300_000, alignmentMilliseconds: Int64 = 0, forwardFillLimit: Int = 3,
      reorderWindow: Int = 4, cpuQuantum: Double = FixedPoint.defaultQuantum,
      memoryQuantum: Double = FixedPoint.defaultQuantum, format: String = "", source: String = ""
    ) {
      self.intervalMilliseconds = intervalMilliseconds
      self.alignmentMilliseconds = alignmentMilliseconds
      self.forwardFillLimit = forwardFillLimit
      self.reorderWindow = reorderWindow
      self.cpuQuantum = cpuQuantum
      self.memoryQuantum = memoryQuantum
      self.format = format
      self.source = source
    }

    /// Problems with the options, in words; empty when valid.
    public func validate() -> [String] {
      var problems: [String] = []
      if intervalMilliseconds <= 0 {
        problems.append("interval must be positive, got \(intervalMilliseconds) ms")
      }
      if forwardFillLimit < 0 {
        problems.append("forward-fill limit must not be negative, got \(forwardFillLimit)")
      }
      if reorderWindow < 1 || reorderWindow > 4096 {
        problems.append("reorder window must be 1 … 4096 buckets, got \(reorderWindow)")
      }
      for (name, q) in [("CPU", cpuQuantum), ("memory", memoryQuantum)] where !(q.isFinite && q > 0) {
        problems.append("\(name) quantum must be a positive number, got \(q)")
      }
      return problems
    }
  }

  /// Longest run of samples one entity may span (2²⁸ ≈ 2 550 years at 5 minutes): a longer one is
  /// almost surely a unit mistake in the timestamps.
  public static let maximumRunSamples = 1 << 28

  /// One open bucket: sums and counts.
  struct Bucket {
    var cpuSum = 0.0
    var memorySum = 0.0
    var cpuCount: UInt32 = 0
    var memoryCount: UInt32 = 0
  }

  /// The streaming state of one entity.
  struct EntityState {
    var started = false
    var emittedAny = false
    /// First bucket of the open window (absolute bucket index).
    var windowStart: Int64 = 0
    /// Highest bucket with a reading in the window.
    var windowHigh: Int64 = 0
    /// Bucket of `cpu[0]`.
    var firstBucket: Int64 = 0
    /// Empty buckets after the last emitted one.
    var pendingEmpty: Int64 = 0
    var lastCPU = FixedPoint.missing
    var lastMemory = FixedPoint.missing
    var hasTime = false
    var lastTime: Int64 = 0
    var hasCPU = false
    var cpu: [UInt16] = []
    var memory: [UInt16] = []
    var quality = EntityQuality()

    /// Takes one reading; false when the run grew beyond `maximumRunSamples`.
    mutating func ingest(
      time t: Int64, cpu cpuValue: Double, memory memoryValue: Double, ring: inout [Bucket], base: Int,
      options: Options
    ) -> Bool {
      quality.readings += 1
      // Times.
      if hasTime {
        if t == lastTime {
          quality.duplicateTimes += 1
        } else if t < lastTime {
          quality.decreasingTimes += 1
        } else {
          let step = t &- lastTime
          quality.steps += 1
          quality.stepSumMilliseconds &+= step
          if quality.minimumStepMilliseconds == 0 || step < quality.minimumStepMilliseconds {
            quality.minimumStepMilliseconds = step
          }
        }
        quality.firstTimeMilliseconds = Swift.min(quality.firstTimeMilliseconds, t)
        quality.lastTimeMilliseconds = Swift.max(quality.lastTimeMilliseconds, t)
      } else {
        hasTime = true
        quality.firstTimeMilliseconds = t
        quality.lastTimeMilliseconds = t
      }
      lastTime = t
      // Values.
      var cpu = cpuValue
      let cpuValid = cpu.isFinite
      if cpuValid {
        if hasCPU {
          quality.minimumCPU = Swift.min(quality.minimumCPU, cpu)
          quality.maximumCPU = Swift.max(quality.maximumCPU, cpu)
        } else {
          hasCPU = true
          quality.minimumCPU = cpu
          quality.maximumCPU = cpu
        }
        if cpu < 0 {
          quality.negativeValues += 1
          cpu = 0
        } else if cpu > 1 {
          quality.cpuAboveCapacity += 1
        }
      } else {
        quality.nonFiniteValues += 1
      }
      var memory = memoryValue
      var memoryValid = false
      if !memory.isNaN {
        if memory.isFinite {
          memoryValid = true
          quality.memoryReadings += 1
          quality.maximumMemory =
            quality.memoryReadings == 1 ? memory : Swift.max(quality.maximumMemory, memory)
          if memory < 0 {
            quality.negativeValues += 1
            memory = 0
          } else if memory > 1 {
            quality.memoryAboveCapacity += 1
          }
        } else {
          quality.nonFiniteValues += 1
        }
      }
      guard cpuValid || memoryValid else { return true }
      // Bucket.
      let window = Int64(options.reorderWindow)
      let bucket = floorDivide(t &- options.alignmentMilliseconds, options.intervalMilliseconds)
      if !started {
        started = true
        windowStart = bucket
        windowHigh = bucket
      } else if bucket < windowStart {
        if !emittedAny && windowHigh - bucket < window {
          windowStart = bucket
        } else {
          quality.lateDropped += 1
          return true
        }
      } else if bucket >= windowStart + window {
        guard advance(to: bucket - window + 1, ring: &ring, base: base, options: options) else {
          return false
        }
      }
      if bucket > windowHigh { windowHigh = bucket }
      let slot = base + Int(floorModulo(bucket, window))
      if cpuValid {
        ring[slot].cpuSum += cpu
        ring[slot].cpuCount += 1
      }
      if memoryValid {
        ring[slot].memorySum += memory
        ring[slot].memoryCount += 1
      }
      return true
    }

    /// Finishes the buckets before `newStart` and moves the window there; false when the run grew
    /// beyond `maximumRunSamples`.
    mutating func advance(to newStart: Int64, ring: inout [Bucket], base: Int, options: Options) -> Bool {
      let end = Swift.min(newStart, windowHigh + 1)
      var b = windowStart
      while b < end {
        finishBucket(b, ring: &ring, base: base, options: options)
        b += 1
      }
      // Buckets between the last reading and the new window start are empty.
      if newStart > end && emittedAny { pendingEmpty += newStart - end }
      windowStart = newStart
      if windowHigh < newStart { windowHigh = newStart }
      return !emittedAny || Int64(cpu.count) + pendingEmpty <= Int64(maximumRunSamples)
    }

    /// Encodes one bucket (resolving the empty buckets before it) and empties its slot.
    mutating func finishBucket(_ b: Int64, ring: inout [Bucket], base: Int, options: Options) {
      let slot = base + Int(floorModulo(b, Int64(options.reorderWindow)))
      let bucket = ring[slot]
      ring[slot] = Bucket()
      guard bucket.cpuCount > 0 || bucket.memoryCount > 0 else {
        if emittedAny { pendingEmpty += 1 }
        return
      }
      if !emittedAny {
        emittedAny = true
        firstBucket = b
      } else if pendingEmpty > 0 {
        let gap = pendingEmpty
        pendingEmpty = 0
        if Int64(cpu.count) + gap > Int64(maximumRunSamples) {
          pendingEmpty = gap
          return
        }
        let n = Int(gap)
        quality.longestGapBuckets = Swift.max(quality.longestGapBuckets, n)
        if gap <= Int64(options.forwardFillLimit) {
          quality.forwardFilledBuckets += n
          cpu.append(contentsOf: repeatElement(lastCPU, count: n))
          memory.append(contentsOf: repeatElement(lastMemory, count: n))
        } else {
          quality.gaps += 1
          quality.gapBuckets += n
          cpu.append(contentsOf: repeatElement(FixedPoint.missing, count: n))
          memory.append(contentsOf: repeatElement(FixedPoint.missing, count: n))
        }
      }
      if bucket.cpuCount > 1 || bucket.memoryCount > 1 { quality.averagedBuckets += 1 }
      var cpuCode = FixedPoint.missing
      if bucket.cpuCount > 0 {
        let (code, clipped) = FixedPoint.encode(
          bucket.cpuSum / Double(bucket.cpuCount), quantum: options.cpuQuantum)
        if clipped { quality.saturatedBuckets += 1 }
        cpuCode = code
      }
      var memoryCode = FixedPoint.missing
      if bucket.memoryCount > 0 {
        let (code, clipped) = FixedPoint.encode(
          bucket.memorySum / Double(bucket.memoryCount), quantum: options.memoryQuantum)
        if clipped { quality.saturatedBuckets += 1 }
        memoryCode = code
      }
      cpu.append(cpuCode)
      memory.append(memoryCode)
      lastCPU = cpuCode
      lastMemory = memoryCode
    }
  }

  /// The options in force.
  public let options: Options
  /// Readings received so far, all entities (for progress reports).
  public private(set) var readingCount = 0

  private var names: [String] = []
  private var rowOfName: [String: Int] = [:]
  private var cpuCapacity: [Double?] = []
  private var memoryCapacity: [Double?] = []
  private var states: [EntityState] = []
  /// Open buckets, `reorderWindow` per entity; bucket `b` of entity `e` is at `e·W + b mod W`.
  private var ring: [Bucket] = []
  private var repairs: [TraceRepair] = []
  private var repairIndex: [String: Int] = [:]
  private var failure: WorkloadError?

  /// Creates a builder.
  ///
  /// - Throws: `WorkloadError` (field `options`) when `options.validate()` reports a problem.
  public init(options: Options = Options()) throws(WorkloadError) {
    if let problem = options.validate().first {
      throw WorkloadError(
        file: options.source.isEmpty ? nil : options.source, field: "options", message: problem)
    }
    self.options = options
  }

  // MARK: - TraceSink

  public mutating func declare(entity name: String, cpuCapacityCores: Double?, memoryCapacityGiB: Double?)
    -> Int
  {
    var name = name
    if name.isEmpty {
      name = "entity-\(names.count + 1)"
      record(
        TraceRepair(
          kind: "empty entity name replaced by entity-<n>", file: options.source, firstLine: 0, count: 1))
    }
    if let known = rowOfName[name] {
      record(
        TraceRepair(
          kind: "entity declared twice, readings merged", file: options.source, firstLine: 0, count: 1))
      return known
    }
    let row = names.count
    names.append(name)
    rowOfName[name] = row
    cpuCapacity.append(Self.capacity(cpuCapacityCores))
    memoryCapacity.append(Self.capacity(memoryCapacityGiB))
    states.append(EntityState())
    ring.append(contentsOf: repeatElement(Bucket(), count: options.reorderWindow))
    return row
  }

  public mutating func append(
    entity: Int, timeMilliseconds t: Int64, cpuUtilisation: Double, memoryUtilisation: Double
  ) {
    guard failure == nil else { return }
    precondition(entity >= 0 && entity < states.count, "entity id \(entity) was not declared")
    readingCount += 1
    let options = self.options
    let ok = states[entity].ingest(
      time: t, cpu: cpuUtilisation, memory: memoryUtilisation, ring: &ring,
      base: entity * options.reorderWindow, options: options)
    if !ok { fail(entity) }
  }

  public mutating func repair(_ repair: TraceRepair) {
    record(repair)
  }

  // MARK: - Finishing

  /// Closes every entity's window and returns the store; the builder is left without samples.
  ///
  /// - Throws: `WorkloadError` naming the source when an entity's run would exceed
  ///   `maximumRunSamples` (usually timestamps in the wrong unit).
  public mutating func finish() throws(WorkloadError) -> TraceStore {
    let options = self.options
    for e in states.indices where states[e].started && failure == nil {
      let end = states[e].windowHigh + 1
      let ok = states[e].advance(to: end, ring: &ring, base: e * options.reorderWindow, options: options)
      if !ok { fail(e) }
    }
    if let failure { throw failure }
    let hasMemory = states.contains { $0.quality.memoryReadings > 0 }
    let origin = states.filter(\.emittedAny).map(\.firstBucket).min() ?? 0
    var firstSample: [Int] = []
    var rowOffsets: [Int] = [0]
    firstSample.reserveCapacity(states.count)
    rowOffsets.reserveCapacity(states.count + 1)
    var sampleCount = 0
    var total = 0
    for s in states {
      let first = s.emittedAny ? Int(s.firstBucket - origin) : 0
      firstSample.append(first)
      total += s.cpu.count
      rowOffsets.append(total)
      sampleCount = Swift.max(sampleCount, first + s.cpu.count)
    }
    // Both metrics in one allocation: CPU codes, then memory codes.
    let memoryOffset = (total * 2 + 63) / 64 * 64
    let byteCount = hasMemory ? memoryOffset + total * 2 : total * 2
    let memory = StoreMemory.allocate(byteCount: byteCount) { raw in
      let codes = raw.baseAddress!.assumingMemoryBound(to: UInt16.self)
      let memoryCodes = (raw.baseAddress! + memoryOffset).assumingMemoryBound(to: UInt16.self)
      for e in states.indices {
        let at = rowOffsets[e]
        states[e].cpu.withUnsafeBufferPointer { (codes + at).update(from: $0.baseAddress!, count: $0.count) }
        if hasMemory {
          states[e].memory.withUnsafeBufferPointer {
            (memoryCodes + at).update(from: $0.baseAddress!, count: $0.count)
          }
        }
        states[e].cpu = []
        states[e].memory = []
      }
    }
    let anchor = options.alignmentMilliseconds &+ origin &* options.intervalMilliseconds
    return TraceStore(
      names: names, originMilliseconds: anchor, intervalMilliseconds: options.intervalMilliseconds,
      sampleCount: sampleCount, cpuCapacityCores: cpuCapacity, memoryCapacityGiB: memoryCapacity,
      quality: states.map(\.quality),
      info: TraceStoreInfo(
        format: options.format, source: options.source, forwardFillLimit: options.forwardFillLimit,
        reorderWindow: options.reorderWindow, cpuQuantum: options.cpuQuantum,
        memoryQuantum: options.memoryQuantum, repairs: repairs),
      firstSample: firstSample, rowOffsets: rowOffsets,
      cpuCodes: CodeColumn(memory: memory, offset: 0, count: total),
      memoryCodes: hasMemory ? CodeColumn(memory: memory, offset: memoryOffset, count: total) : nil)
  }

  // MARK: - Internals

  /// Records that entity `entity` spans too many samples.
  private mutating func fail(_ entity: Int) {
    failure = WorkloadError(
      file: options.source.isEmpty ? nil : options.source, field: names[entity],
      message:
        "entity '\(names[entity])' spans more than \(Self.maximumRunSamples) samples of \(options.intervalMilliseconds) ms; are its timestamps in the right unit?"
    )
  }

  private mutating func record(_ repair: TraceRepair) {
    let key = "\(repair.kind)\u{0}\(repair.file)"
    if let i = repairIndex[key] {
      repairs[i].count += repair.count
      repairs[i].firstLine = Swift.min(repairs[i].firstLine, repair.firstLine)
    } else {
      repairIndex[key] = repairs.count
      repairs.append(repair)
    }
  }

  private static func capacity(_ x: Double?) -> Double? {
    guard let x, x.isFinite, x > 0 else { return nil }
    return x
  }

  /// ⌊a / b⌋ for b > 0.
  fileprivate static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && a < 0) ? q - 1 : q
  }

  /// a mod b in 0..<b for b > 0.
  fileprivate static func floorModulo(_ a: Int64, _ b: Int64) -> Int64 {
    let r = a % b
    return r < 0 ? r + b : r
  }
}

private func floorDivide(_ a: Int64, _ b: Int64) -> Int64 { TraceStoreBuilder.floorDivide(a, b) }
private func floorModulo(_ a: Int64, _ b: Int64) -> Int64 { TraceStoreBuilder.floorModulo(a, b) }
private var maximumRunSamples: Int { TraceStoreBuilder.maximumRunSamples }
