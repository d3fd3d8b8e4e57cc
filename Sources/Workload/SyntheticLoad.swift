import CapacityModel
import Foundation

/// Parameters of the synthetic load of one business system.
///
/// CPU demand at time `t` is
/// `peakCores × (baseFraction + (1 − baseFraction) × shape(t)) × noise × monthEnd × spike`, where
/// `shape(t) ∈ [0, 1]` is the daily/weekly profile of the business kind (see `kind`), `noise` is
/// lognormal with mean 1 and coefficient of variation `noiseCV`, `monthEnd` is `monthEndFactor` on
/// the last 3 days of each 30-day month and 1 otherwise, and `spike` is `spikeFactor` in a sample hit
/// by a spike (Poisson arrivals at `spikeRatePerDay`) and 1 otherwise. Memory follows the same shape
/// without noise or spikes: `memoryGiB × (memoryBaseFraction + (1 − memoryBaseFraction) × shape(t))`.
///
/// Day 0 is a Monday, 00:00 local time.
public struct SyntheticLoad: Sendable, Hashable {
  /// Business kind, which sets the shape of the profile:
  /// - `.shared`: office hours on weekdays — high 08:30–12:00 and 14:00–17:30 (ramping up from
  ///   08:00 and down until 18:30, half load over lunch), base load at night; on weekends only a
  ///   little activity (10 % of the weekday swing, 09:00–17:00).
  /// - `.internet`: diurnal, sinusoid-like, peak at 21:00 and trough at 04:00, every day
  ///   (weekends at 95 % of the weekday swing).
  /// - `.dedicated`: flat at a low daytime level (15 % of the swing on weekdays 08:00–18:00, base
  ///   otherwise) plus a nightly batch window at full load 01:00–04:00 (30-minute ramps), every day.
  public var kind: BusinessKind
  /// Demand at the profile's typical daily peak, in reference cores (before noise, month-end and
  /// spikes). ≥ 0.
  public var peakCores: Double
  /// Off-peak (trough) demand as a fraction of `peakCores`, in [0, 1].
  public var baseFraction: Double
  /// Resident memory at peak, in GiB. ≥ 0.
  public var memoryGiB: Double
  /// Memory at the trough as a fraction of `memoryGiB`, in [0, 1]. Default 0.7 (memory varies little).
  public var memoryBaseFraction: Double
  /// Coefficient of variation of the multiplicative CPU noise (lognormal with mean 1), ≥ 0;
  /// independent from sample to sample. Default 0.1; 0 turns noise off.
  public var noiseCV: Double
  /// CPU multiplier on the last 3 days (days 27–29) of each 30-day month, ≥ 0. Default 1 (none).
  public var monthEndFactor: Double
  /// Rate of short CPU spikes, per day (Poisson), ≥ 0. Default 0 (none).
  public var spikeRatePerDay: Double
  /// CPU multiplier of a spike, ≥ 1; a spike lasts one sample. Default 2.
  public var spikeFactor: Double

  /// Creates load parameters; the optional ones default to: memory base fraction 0.7, noise CV 0.1,
  /// no month-end effect (1), no spikes (rate 0, factor 2).
  public init(
    kind: BusinessKind, peakCores: Double, baseFraction: Double, memoryGiB: Double,
    memoryBaseFraction: Double = 0.7, noiseCV: Double = 0.1, monthEndFactor: Double = 1,
    spikeRatePerDay: Double = 0, spikeFactor: Double = 2
  ) {
    self.kind = kind
    self.peakCores = peakCores
    self.baseFraction = baseFraction
    self.memoryGiB = memoryGiB
    self.memoryBaseFraction = memoryBaseFraction
    self.noiseCV = noiseCV
    self.monthEndFactor = monthEndFactor
    self.spikeRatePerDay = spikeRatePerDay
    self.spikeFactor = spikeFactor
  }

  /// Typical parameters of a business kind:
  ///
  /// | kind | base fraction | noise CV | month-end | spikes/day × factor |
  /// |---|---|---|---|---|
  /// | shared | 0.10 | 0.10 | 1.3 | 0.5 × 1.5 |
  /// | internet | 0.20 | 0.15 | 1.0 | 1.0 × 2.0 |
  /// | dedicated | 0.25 | 0.05 | 1.2 | 0.2 × 1.5 |
  ///
  /// Memory base fraction is 0.7 for all kinds.
  public static func defaults(for kind: BusinessKind, peakCores: Double, memoryGiB: Double) -> SyntheticLoad {
    switch kind {
    case .shared:
      return SyntheticLoad(
        kind: kind, peakCores: peakCores, baseFraction: 0.10, memoryGiB: memoryGiB, noiseCV: 0.10,
        monthEndFactor: 1.3, spikeRatePerDay: 0.5, spikeFactor: 1.5)
    case .internet:
      return SyntheticLoad(
        kind: kind, peakCores: peakCores, baseFraction: 0.20, memoryGiB: memoryGiB, noiseCV: 0.15,
        monthEndFactor: 1.0, spikeRatePerDay: 1.0, spikeFactor: 2.0)
    case .dedicated:
      return SyntheticLoad(
        kind: kind, peakCores: peakCores, baseFraction: 0.25, memoryGiB: memoryGiB, noiseCV: 0.05,
        monthEndFactor: 1.2, spikeRatePerDay: 0.2, spikeFactor: 1.5)
    }
  }

  /// Problems with the parameters, in words; empty when valid.
  public func validate() -> [String] {
    var problems: [String] = []
    func nonNegative(_ name: String, _ value: Double, unit: String) {
      if !(value.isFinite && value >= 0) {
        problems.append("\(name) must be a finite non-negative number\(unit), got \(value)")
      }
    }
    func fraction(_ name: String, _ value: Double) {
      if !(value.isFinite && value >= 0 && value <= 1) {
        problems.append("\(name) must be a fraction in [0, 1], got \(value)")
      }
    }
    nonNegative("peakCores", peakCores, unit: " of reference cores")
    fraction("baseFraction", baseFraction)
    nonNegative("memoryGiB", memoryGiB, unit: " of GiB")
    fraction("memoryBaseFraction", memoryBaseFraction)
    nonNegative("noiseCV", noiseCV, unit: "")
    if noiseCV.isFinite && noiseCV > 10 {
      problems.append("noiseCV must be at most 10, got \(noiseCV)")
    }
    nonNegative("monthEndFactor", monthEndFactor, unit: "")
    nonNegative("spikeRatePerDay", spikeRatePerDay, unit: " per day")
    if !(spikeFactor.isFinite && spikeFactor >= 1) {
      problems.append("spikeFactor must be a finite number ≥ 1, got \(spikeFactor)")
    }
    return problems
  }

  /// Profile shape in [0, 1] at a time of the week: 0 = trough (base load), 1 = typical peak.
  ///
  /// - Parameters:
  ///   - dayOfWeek: 0 = Monday … 6 = Sunday.
  ///   - hour: hour of the day, fractional, in [0, 24).
  func shape(dayOfWeek: Int, hour: Double) -> Double {
    let weekend = dayOfWeek >= 5
    switch kind {
    case .shared:
      if weekend {
        return (9..<17).contains(hour) ? 0.1 : 0
      }
      switch hour {
      case 8..<8.5: return (hour - 8) / 0.5
      case 8.5..<12: return 1
      case 12..<14: return 0.5
      case 14..<17.5: return 1
      case 17.5..<18.5: return 1 - (hour - 17.5)
      default: return 0
      }
    case .internet:
      // Rises from the 04:00 trough to the 21:00 peak over 17 h, falls back over 7 h.
      let sinceTrough = (hour - 4 + 24).truncatingRemainder(dividingBy: 24)
      let phase = sinceTrough < 17 ? sinceTrough / 17 : 1 + (sinceTrough - 17) / 7
      let s = 0.5 - 0.5 * cos(Double.pi * phase)
      return weekend ? 0.95 * s : s
    case .dedicated:
      switch hour {
      case 0.5..<1: return (hour - 0.5) / 0.5
      case 1..<4: return 1
      case 4..<4.5: return 1 - (hour - 4) / 0.5
      case 8..<18 where !weekend: return 0.15
      default: return 0
      }
    }
  }
}
