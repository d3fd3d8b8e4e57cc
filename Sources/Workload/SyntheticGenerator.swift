import CapacityModel
import Foundation
import Stochastics

/// Generates synthetic demand series from `SyntheticLoad` parameters.
public enum SyntheticGenerator {
  /// Milliseconds per day.
  static let dayMilliseconds: Int64 = 86_400_000
  /// Resolution at which the profile is averaged within a sample interval (5 minutes).
  static let profileStepMilliseconds: Int64 = 300_000

  /// Generates demand for named systems over `[0, horizon)` at the interval.
  ///
  /// Each entity draws from its own stream `streams.stream("workload/<name>")`, so adding or removing
  /// a system does not change the others' series, and the same run seed gives the same series.
  /// Day 0 is a Monday, 00:00 local time. Sample `s` covers `[s·interval, (s+1)·interval)`; its
  /// profile and month-end factor are averaged over the interval (at 5-minute resolution), noise
  /// and spikes are drawn once per sample. There are `⌈horizon / interval⌉` samples.
  ///
  /// - Parameters:
  ///   - loads: systems in row order, with unique non-empty names and valid parameters
  ///     (`SyntheticLoad.validate()` empty).
  ///   - horizonMilliseconds: length of the generated period, ≥ 0.
  ///   - intervalMilliseconds: sample length, > 0.
  ///   - streams: factory of the run's random streams.
  /// - Precondition: the arguments satisfy the constraints above (check them with `validate()`
  ///   first; a violation is a programming error).
  public static func generate(
    _ loads: [(name: String, load: SyntheticLoad)], horizonMilliseconds: Int64,
    intervalMilliseconds: Int64, streams: StreamFactory
  ) -> DemandSeries {
    precondition(intervalMilliseconds > 0, "interval must be positive, got \(intervalMilliseconds)")
    precondition(horizonMilliseconds >= 0, "horizon must not be negative, got \(horizonMilliseconds)")
    var names: [String] = []
    var rows: [String: Int] = [:]
    for (i, entry) in loads.enumerated() {
      precondition(!entry.name.isEmpty, "system \(i) has an empty name")
      precondition(rows.updateValue(i, forKey: entry.name) == nil, "duplicate system name '\(entry.name)'")
      let problems = entry.load.validate()
      precondition(problems.isEmpty, "invalid load of '\(entry.name)': \(problems.joined(separator: "; "))")
      names.append(entry.name)
    }
    let sampleCount = Int(
      horizonMilliseconds / intervalMilliseconds
        + (horizonMilliseconds % intervalMilliseconds == 0 ? 0 : 1))
    let calendar = SampleCalendar(sampleCount: sampleCount, intervalMilliseconds: intervalMilliseconds)

    var cpu = [Float](repeating: 0, count: loads.count * sampleCount)
    var memory = [Float](repeating: 0, count: loads.count * sampleCount)
    var shapes: [BusinessKind: [Double]] = [:]
    let intervalDays = Double(intervalMilliseconds) / Double(dayMilliseconds)
    for (row, entry) in loads.enumerated() {
      let load = entry.load
      let shape: [Double]
      if let known = shapes[load.kind] {
        shape = known
      } else {
        shape = calendar.meanShape(of: load)
        shapes[load.kind] = shape
      }
      let stream = streams.stream("workload/\(entry.name)")
      let sigma = (log1p(load.noiseCV * load.noiseCV)).squareRoot()
      let mu = -sigma * sigma / 2
      let spikeProbability = -expm1(-load.spikeRatePerDay * intervalDays)
      let offset = row * sampleCount
      for s in 0..<sampleCount {
        var level = load.peakCores * (load.baseFraction + (1 - load.baseFraction) * shape[s])
        level *= 1 + (load.monthEndFactor - 1) * calendar.monthEndFraction[s]
        if sigma > 0 { level *= stream.lognormal(mu: mu, sigma: sigma) }
        if spikeProbability > 0, stream.bernoulli(spikeProbability) { level *= load.spikeFactor }
        cpu[offset + s] = finiteFloat(level)
        memory[offset + s] = finiteFloat(
          load.memoryGiB * (load.memoryBaseFraction + (1 - load.memoryBaseFraction) * shape[s]))
      }
    }
    return DemandSeries(
      checkedNames: names, rows: rows, startMilliseconds: 0, intervalMilliseconds: intervalMilliseconds,
      sampleCount: sampleCount, cpu: cpu, memory: memory)
  }

  /// Converts to `Float`, saturating instead of overflowing to infinity.
  static func finiteFloat(_ x: Double) -> Float {
    Float(Swift.min(Swift.max(x, 0), Double(Float.greatestFiniteMagnitude)))
  }

  /// Sub-sample points of each sample interval and the month-end fraction of each sample.
  private struct SampleCalendar {
    let sampleCount: Int
    let intervalMilliseconds: Int64
    /// Points per interval at which the profile is evaluated.
    let pointsPerSample: Int
    /// Fraction of each sample's points that fall on the last 3 days of a 30-day month.
    let monthEndFraction: [Double]

    init(sampleCount: Int, intervalMilliseconds: Int64) {
      self.sampleCount = sampleCount
      self.intervalMilliseconds = intervalMilliseconds
      let points = intervalMilliseconds / SyntheticGenerator.profileStepMilliseconds
      self.pointsPerSample = Int(Swift.min(Swift.max(points, 1), 4096))
      var fractions = [Double](repeating: 0, count: sampleCount)
      let n = pointsPerSample
      for s in 0..<sampleCount {
        var hits = 0
        for k in 0..<n {
          let day =
            Self.time(sample: s, point: k, of: n, interval: intervalMilliseconds)
            / SyntheticGenerator.dayMilliseconds
          if day % 30 >= 27 { hits += 1 }
        }
        fractions[s] = Double(hits) / Double(n)
      }
      self.monthEndFraction = fractions
    }

    /// Time of point `k` of `n` in sample `s` (the midpoint of its sub-interval), in milliseconds.
    static func time(sample s: Int, point k: Int, of n: Int, interval: Int64) -> Int64 {
      Int64(s) * interval + (interval * Int64(2 * k + 1)) / Int64(2 * n)
    }

    /// Profile shape of `load`'s kind averaged over each sample interval.
    func meanShape(of load: SyntheticLoad) -> [Double] {
      let n = pointsPerSample
      var result = [Double](repeating: 0, count: sampleCount)
      for s in 0..<sampleCount {
        var sum = 0.0
        for k in 0..<n {
          let t = Self.time(sample: s, point: k, of: n, interval: intervalMilliseconds)
          let day = t / SyntheticGenerator.dayMilliseconds
          let hour = Double(t % SyntheticGenerator.dayMilliseconds) / 3_600_000
          sum += load.shape(dayOfWeek: Int(day % 7), hour: hour)
        }
        result[s] = sum / Double(n)
      }
      return result
    }
  }
}
