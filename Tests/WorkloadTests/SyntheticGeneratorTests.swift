import CapacityModel
import Foundation
import Stochastics
import Testing

@testable import Workload

private let minute: Int64 = 60_000
private let hour: Int64 = 3_600_000
private let day: Int64 = 86_400_000

/// Mean CPU of the samples of `entity` whose start time satisfies `select(dayIndex, hourOfDay)`.
private func meanCPU(
  _ series: DemandSeries, entity: Int = 0, where select: (_ day: Int64, _ hour: Double) -> Bool
) -> Double {
  var sum = 0.0
  var n = 0
  for s in 0..<series.sampleCount {
    let t = series.timeMilliseconds(ofSample: s)
    if select(t / day, Double(t % day) / Double(hour)) {
      sum += Double(series.cpu(entity: entity, sample: s))
      n += 1
    }
  }
  precondition(n > 0, "no sample selected")
  return sum / Double(n)
}

private func isWeekday(_ d: Int64) -> Bool { d % 7 < 5 }

private func generate(
  _ loads: [(name: String, load: SyntheticLoad)], days: Int64, interval: Int64 = 5 * minute, seed: UInt64 = 42
) -> DemandSeries {
  SyntheticGenerator.generate(
    loads, horizonMilliseconds: days * day, intervalMilliseconds: interval,
    streams: StreamFactory(runSeed: seed))
}

/// A flat load (shape has no effect) with the given knobs.
private func flat(
  peak: Double = 2, noiseCV: Double = 0, monthEnd: Double = 1, spikeRate: Double = 0, spikeFactor: Double = 2
) -> SyntheticLoad {
  SyntheticLoad(
    kind: .internet, peakCores: peak, baseFraction: 1, memoryGiB: 8, memoryBaseFraction: 1,
    noiseCV: noiseCV, monthEndFactor: monthEnd, spikeRatePerDay: spikeRate, spikeFactor: spikeFactor)
}

@Suite struct SyntheticGeneratorTests {
  let shared = SyntheticLoad.defaults(for: .shared, peakCores: 8, memoryGiB: 16)
  let internet = SyntheticLoad.defaults(for: .internet, peakCores: 4, memoryGiB: 8)
  let dedicated = SyntheticLoad.defaults(for: .dedicated, peakCores: 6, memoryGiB: 32)

  @Test func shapeAndCountOfTheSeries() {
    let series = generate([("oa", shared), ("portal", internet)], days: 2, interval: 7 * minute)
    #expect(series.names == ["oa", "portal"])
    #expect(series.startMilliseconds == 0)
    #expect(series.intervalMilliseconds == 7 * minute)
    #expect(series.sampleCount == 412)  // ⌈2880 / 7⌉
    #expect(series.cpu(1).count == 412)
    #expect(series.index(of: "portal") == 1)
  }

  @Test func sameSeedGivesIdenticalSeries() {
    let loads = [("oa", shared), ("portal", internet), ("land", dedicated)]
    #expect(generate(loads, days: 7) == generate(loads, days: 7))
  }

  @Test func differentSeedGivesDifferentSeries() {
    let loads = [("oa", shared)]
    let a = generate(loads, days: 7, seed: 1)
    let b = generate(loads, days: 7, seed: 2)
    #expect(a != b)
    let differing = zip(a.cpu(0), b.cpu(0)).filter { $0 != $1 }.count
    #expect(differing > a.sampleCount / 2)
  }

  @Test func addingASystemDoesNotChangeTheOthers() throws {
    let alone = generate([("oa", shared)], days: 7)
    let together = generate([("portal", internet), ("oa", shared), ("land", dedicated)], days: 7)
    let row = try #require(together.index(of: "oa"))
    #expect(Array(alone.cpu(0)) == Array(together.cpu(row)))
    #expect(Array(alone.memory(0)) == Array(together.memory(row)))
  }

  @Test func sharedProfileFollowsOfficeHours() {
    let series = generate([("oa", shared)], days: 28)
    let weekdayMorning = meanCPU(series) { d, h in isWeekday(d) && h >= 10 && h < 11 }
    let night = meanCPU(series) { _, h in h >= 1 && h < 5 }
    let weekendMorning = meanCPU(series) { d, h in !isWeekday(d) && h >= 10 && h < 11 }
    let lunch = meanCPU(series) { d, h in isWeekday(d) && h >= 12.5 && h < 13.5 }
    #expect(weekdayMorning > 3 * night)
    #expect(weekendMorning < 0.5 * weekdayMorning)
    #expect(lunch < weekdayMorning && lunch > night)
    // The peak level is the parameter: month-end days excluded, spikes are rare.
    let ordinary = meanCPU(series) { d, h in isWeekday(d) && d % 30 < 27 && h >= 9 && h < 11.5 }
    #expect(abs(ordinary - 8) < 0.4)
  }

  @Test func internetProfileIsHighInTheEvening() {
    let series = generate([("portal", internet)], days: 28)
    let evening = meanCPU(series) { _, h in h >= 20 && h < 22 }
    let earlyMorning = meanCPU(series) { _, h in h >= 3.5 && h < 4.5 }
    let noon = meanCPU(series) { _, h in h >= 11.5 && h < 12.5 }
    #expect(evening > 2 * earlyMorning)
    #expect(evening > noon && noon > earlyMorning)
    let weekendEvening = meanCPU(series) { d, h in !isWeekday(d) && h >= 20 && h < 22 }
    let weekdayEvening = meanCPU(series) { d, h in isWeekday(d) && h >= 20 && h < 22 }
    #expect(abs(weekendEvening / weekdayEvening - 1) < 0.15)
  }

  @Test func dedicatedProfileHasANightlyBatchWindow() {
    let series = generate([("land", dedicated)], days: 28)
    let batch = meanCPU(series) { _, h in h >= 1.5 && h < 3.5 }
    let daytime = meanCPU(series) { d, h in isWeekday(d) && h >= 10 && h < 16 }
    let evening = meanCPU(series) { _, h in h >= 20 && h < 23 }
    #expect(batch > 2 * daytime)
    #expect(daytime > evening)
  }

  @Test func noiseHasMeanOneAndTheRequestedCV() throws {
    let series = generate([("flat", flat(peak: 2, noiseCV: 0.3))], days: 100, interval: 5 * minute)
    let values = series.cpu(0).map { Double($0) / 2 }
    #expect(values.count == 28_800)
    let mean = try Statistics.mean(values)
    let sd = try Statistics.standardDeviation(values)
    #expect(abs(mean - 1) < 0.015)  // standard error ≈ 0.3 / √28800 ≈ 0.0018
    #expect(abs(sd - 0.3) < 0.02)
  }

  @Test func withoutNoiseTheFlatLoadIsExact() {
    let series = generate([("flat", flat(peak: 2))], days: 3)
    #expect(series.cpu(0).allSatisfy { $0 == 2 })
    #expect(series.memory(0).allSatisfy { $0 == 8 })
  }

  @Test func monthEndFactorAppliesToTheLastThreeDaysOfEach30DayMonth() {
    let series = generate([("flat", flat(peak: 2, monthEnd: 1.5))], days: 62, interval: hour)
    func at(_ d: Int64, _ h: Int64) -> Float { series.cpu(entity: 0, sample: Int(d * 24 + h)) }
    #expect(at(10, 12) == 2)
    #expect(at(26, 23) == 2)
    #expect(at(27, 0) == 3)
    #expect(at(29, 23) == 3)
    #expect(at(30, 0) == 2)
    #expect(at(58, 6) == 3)
    #expect(at(60, 6) == 2)
  }

  @Test func spikesArriveAtTheirRateAndMultiplyOneSample() {
    // 4 spikes/day at hourly samples: P(spike in a sample) = 1 − e^(−1/6) ≈ 0.154, 1440 samples.
    let series = generate([("flat", flat(peak: 2, spikeRate: 4, spikeFactor: 3))], days: 60, interval: hour)
    let spikes = series.cpu(0).filter { $0 == 6 }.count
    let plain = series.cpu(0).filter { $0 == 2 }.count
    #expect(spikes + plain == series.sampleCount)
    #expect((170...275).contains(spikes))
  }

  @Test func memoryStaysBetweenItsBaseAndPeak() {
    let series = generate([("oa", shared), ("land", dedicated)], days: 14)
    for entity in 0..<2 {
      let peak: Float = entity == 0 ? 16 : 32
      let memory = series.memory(entity)
      #expect(memory.min()! >= 0.7 * peak - 1e-3)
      #expect(memory.max()! <= peak + 1e-3)
      #expect(memory.max()! > 0.95 * peak)
    }
  }

  @Test func profileIsAveragedOverLongIntervals() {
    // Daily samples of the shared profile: a weekday averages office hours with the night.
    let series = generate(
      [("oa", SyntheticLoad(kind: .shared, peakCores: 10, baseFraction: 0, memoryGiB: 1, noiseCV: 0))],
      days: 7, interval: day)
    let monday = Double(series.cpu(entity: 0, sample: 0))
    // 7 h at full load, 2 h at half, 0.5 h + 1 h of ramps averaging a half: 8.75 h of 24.
    #expect(abs(monday - 10 * 8.75 / 24) < 0.01)
    #expect(series.cpu(entity: 0, sample: 6) < series.cpu(entity: 0, sample: 0) / 5)
  }

  @Test func partialLastIntervalAndEmptyHorizon() {
    let partial = SyntheticGenerator.generate(
      [("a", flat())], horizonMilliseconds: 90 * minute, intervalMilliseconds: hour,
      streams: StreamFactory(runSeed: 1))
    #expect(partial.sampleCount == 2)
    let empty = SyntheticGenerator.generate(
      [("a", flat())], horizonMilliseconds: 0, intervalMilliseconds: hour, streams: StreamFactory(runSeed: 1))
    #expect(empty.sampleCount == 0)
    #expect(empty.names == ["a"])
  }
}

@Suite struct SyntheticLoadTests {
  @Test(arguments: BusinessKind.allCases)
  func defaultsAreValid(kind: BusinessKind) {
    let load = SyntheticLoad.defaults(for: kind, peakCores: 4, memoryGiB: 8)
    #expect(load.validate().isEmpty)
    #expect(load.kind == kind)
    #expect(load.memoryBaseFraction == 0.7)
  }

  @Test func initialiserDefaults() {
    let load = SyntheticLoad(kind: .shared, peakCores: 1, baseFraction: 0.2, memoryGiB: 2)
    #expect(load.memoryBaseFraction == 0.7)
    #expect(load.noiseCV == 0.1)
    #expect(load.monthEndFactor == 1)
    #expect(load.spikeRatePerDay == 0)
    #expect(load.spikeFactor == 2)
  }

  @Test func validateReportsEveryProblem() {
    var load = SyntheticLoad(kind: .internet, peakCores: -1, baseFraction: 1.5, memoryGiB: .nan)
    load.memoryBaseFraction = -0.1
    load.noiseCV = .infinity
    load.monthEndFactor = -1
    load.spikeRatePerDay = -2
    load.spikeFactor = 0.5
    let problems = load.validate()
    #expect(problems.count == 8)
    for name in [
      "peakCores", "baseFraction", "memoryGiB", "memoryBaseFraction", "noiseCV", "monthEndFactor",
      "spikeRatePerDay", "spikeFactor",
    ] {
      #expect(problems.contains { $0.hasPrefix(name + " ") }, "no problem reported for \(name)")
    }
  }

  @Test func shapesStayWithinZeroAndOne() {
    for kind in BusinessKind.allCases {
      let load = SyntheticLoad.defaults(for: kind, peakCores: 1, memoryGiB: 1)
      for d in 0..<7 {
        for step in 0..<(24 * 12) {
          let s = load.shape(dayOfWeek: d, hour: Double(step) / 12)
          #expect(s >= 0 && s <= 1, "\(kind) day \(d) step \(step): \(s)")
        }
      }
    }
  }
}
