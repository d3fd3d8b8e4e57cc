/// What the store builder counted and repaired for one entity: nothing is dropped or changed
/// without being counted here (see `TraceStoreBuilder` for the rules).
public struct EntityQuality: Sendable, Equatable, Codable {
  /// Readings received from the importer.
  public var readings: Int = 0
  /// Readings whose time equals the entity's previous reading's time (both are averaged in).
  public var duplicateTimes: Int = 0
  /// Readings earlier than the entity's previous reading (kept when inside the reorder window).
  public var decreasingTimes: Int = 0
  /// Readings dropped because they came later than the reorder window allows.
  public var lateDropped: Int = 0
  /// Negative CPU or memory values, clamped to 0.
  public var negativeValues: Int = 0
  /// NaN or infinite CPU values (and infinite memory values), left out of their bucket's mean.
  public var nonFiniteValues: Int = 0
  /// CPU values above 1 (more than 100 % of the capacity), kept.
  public var cpuAboveCapacity: Int = 0
  /// Memory values above 1, kept.
  public var memoryAboveCapacity: Int = 0
  /// Bucket means clipped to the top code (`FixedPoint.saturated`).
  public var saturatedBuckets: Int = 0
  /// Buckets holding the mean of two or more readings.
  public var averagedBuckets: Int = 0
  /// Empty buckets inside the run filled with the previous value (gaps up to the limit).
  public var forwardFilledBuckets: Int = 0
  /// Empty buckets inside the run left missing (gaps longer than the limit).
  public var gapBuckets: Int = 0
  /// Gaps longer than the limit (runs of missing buckets).
  public var gaps: Int = 0
  /// Longest gap in buckets (filled or not).
  public var longestGapBuckets: Int = 0
  /// Readings with a memory value (NaN memory means the format has none).
  public var memoryReadings: Int = 0
  /// Time of the first reading on the trace's clock, milliseconds (0 without readings).
  public var firstTimeMilliseconds: Int64 = 0
  /// Time of the last reading, milliseconds.
  public var lastTimeMilliseconds: Int64 = 0
  /// Smallest positive step between consecutive readings, milliseconds (0 when none).
  public var minimumStepMilliseconds: Int64 = 0
  /// Sum of the positive steps between consecutive readings, milliseconds.
  public var stepSumMilliseconds: Int64 = 0
  /// Number of positive steps between consecutive readings.
  public var steps: Int = 0
  /// Smallest finite CPU value read (before clamping), or 0 without readings.
  public var minimumCPU: Double = 0
  /// Largest finite CPU value read, or 0 without readings.
  public var maximumCPU: Double = 0
  /// Largest finite memory value read, or 0 without memory readings.
  public var maximumMemory: Double = 0

  /// Creates empty counts.
  public init() {}

  /// Mean positive step between readings, milliseconds; nil with fewer than two readings.
  public var meanStepMilliseconds: Double? {
    steps > 0 ? Double(stepSumMilliseconds) / Double(steps) : nil
  }

  /// Number of `Int64` fields in the binary form.
  static let fieldCount = 23

  /// The binary form: 23 `Int64`, doubles as their bit patterns, in declaration order.
  var fields: [Int64] {
    [
      Int64(readings), Int64(duplicateTimes), Int64(decreasingTimes), Int64(lateDropped),
      Int64(negativeValues), Int64(nonFiniteValues), Int64(cpuAboveCapacity), Int64(memoryAboveCapacity),
      Int64(saturatedBuckets), Int64(averagedBuckets), Int64(forwardFilledBuckets), Int64(gapBuckets),
      Int64(gaps), Int64(longestGapBuckets), Int64(memoryReadings), firstTimeMilliseconds,
      lastTimeMilliseconds, minimumStepMilliseconds, stepSumMilliseconds, Int64(steps),
      Int64(bitPattern: minimumCPU.bitPattern), Int64(bitPattern: maximumCPU.bitPattern),
      Int64(bitPattern: maximumMemory.bitPattern),
    ]
  }

  /// Reads the binary form (`fieldCount` values).
  init(fields f: UnsafeBufferPointer<Int64>) {
    readings = Int(f[0])
    duplicateTimes = Int(f[1])
    decreasingTimes = Int(f[2])
    lateDropped = Int(f[3])
    negativeValues = Int(f[4])
    nonFiniteValues = Int(f[5])
    cpuAboveCapacity = Int(f[6])
    memoryAboveCapacity = Int(f[7])
    saturatedBuckets = Int(f[8])
    averagedBuckets = Int(f[9])
    forwardFilledBuckets = Int(f[10])
    gapBuckets = Int(f[11])
    gaps = Int(f[12])
    longestGapBuckets = Int(f[13])
    memoryReadings = Int(f[14])
    firstTimeMilliseconds = f[15]
    lastTimeMilliseconds = f[16]
    minimumStepMilliseconds = f[17]
    stepSumMilliseconds = f[18]
    steps = Int(f[19])
    minimumCPU = Double(bitPattern: UInt64(bitPattern: f[20]))
    maximumCPU = Double(bitPattern: UInt64(bitPattern: f[21]))
    maximumMemory = Double(bitPattern: UInt64(bitPattern: f[22]))
  }
}
