import Foundation
import Stochastics

/// Fits the parameters of `FittedTrace` models on a trace store (`yunhe trace fit`).
///
/// For each model (one per entity, or one for all entities), per metric:
/// 1. **Level and profile.** Each member's series is divided by its mean; the hour-of-week bin
///    means of the pooled series (relative to their overall mean) are shrunk towards 1 by the
///    James–Stein factor `λ = max(0, 1 − v/s²)`, where `v` is the mean sampling variance of a bin
///    mean and `s²` the variance of the bin means, so that noise does not pass for a profile.
/// 2. **Spikes.** Residuals `r = x / (level × profile)`: a sample is a spike when `log r` exceeds
///    the median of `log r` by more than `max(4 × 1.4826 × MAD, log 1.5)` and neither neighbour
///    does (isolated samples). Spike probability = spikes / samples; factor = mean spike residual
///    / mean non-spike residual.
/// 3. **Noise.** The non-spike residuals, divided by their mean: the fraction of zeros, then
///    lognormal (maximum likelihood), gamma (moments) and Weibull (moments: shape from the
///    coefficient of variation) fitted to the positive ones; the family with the smallest
///    Kolmogorov–Smirnov distance (CDFs from GSL via `Distribution`) is kept if that distance is at
///    most `empiricalThreshold`, otherwise the empirical quantiles are. The noise is scaled to
///    mean 1.
/// 4. **Cap and level.** Generated values are capped at the trace's largest value; the level is
///    then corrected (bisection on the expectation over the profile and the noise quantiles) so
///    that the model's mean equals the trace's mean despite the cap.
/// 5. **Autocorrelation.** The AR(1) coefficient `φ` of the latent Gaussian is calibrated by
///    bisection on simulated series (fixed stream `fit/<model>/<metric>`, 40 000 samples long) so
///    that the lag-1 h autocorrelation of the generated utilisation matches the trace's (the mean
///    over the members, for a group); `φ^(1 h / interval)` is kept at most `maximumHourCorrelation`
///    so that a generated series forgets its start within about a day.
public enum LoadFitter {
  /// How to group entities into models.
  public enum Grouping: String, Sendable, CaseIterable {
    /// One model per entity.
    case vm
    /// One model for all entities.
    case all
  }

  /// Fitting options.
  public struct Options: Sendable {
    /// Grouping. Default `.vm`.
    public var grouping: Grouping = .vm
    /// Hours added to UTC for traces on Unix time, to get their local week. Default 0.
    public var utcOffsetHours: Double = 0
    /// Largest KS distance accepted for a parametric noise family. Default 0.1.
    public var empiricalThreshold: Double = 0.1
    /// Upper bound of the latent autocorrelation at lag 1 h. Default 0.95.
    public var maximumHourCorrelation: Double = 0.95

    /// Default options.
    public init() {}
  }

  /// Length of the simulated series the AR(1) coefficient is calibrated on (139 days at 5 minutes).
  static let calibrationSamples = 40_000

  /// Clocks from 2000-01-01 on are Unix time.
  static let unixClockStart: Int64 = 946_684_800_000
  /// 1970-01-05 00:00 UTC, a Monday.
  static let unixMonday: Int64 = 4 * 86_400_000

  /// Fits the store's entities.
  ///
  /// - Throws: `WorkloadError` naming the store's source when no entity has a reading.
  public static func fit(_ store: TraceStore, options: Options = Options()) throws(WorkloadError)
    -> FittedTrace
  {
    let unix = store.originMilliseconds >= unixClockStart
    let weekOffset = unix ? unixMonday - Int64((options.utcOffsetHours * 3_600_000).rounded()) : 0
    let members = (0..<store.entityCount).filter { e in
      store.withCodes(.cpu, entity: e) { codes in codes.contains { $0 != FixedPoint.missing } }
    }
    guard !members.isEmpty else {
      throw WorkloadError(
        file: store.info.source.isEmpty ? nil : store.info.source,
        message: "no entity has a CPU reading to fit")
    }
    var models: [FittedLoad] = []
    switch options.grouping {
    case .vm:
      for e in members {
        if let model = fitModel(
          name: store.names[e], entities: [e], store: store, weekOffset: weekOffset, options: options)
        {
          models.append(model)
        }
      }
    case .all:
      if let model = fitModel(
        name: "all", entities: members, store: store, weekOffset: weekOffset, options: options)
      {
        models.append(model)
      }
    }
    return FittedTrace(
      format: store.info.format, source: store.info.source,
      intervalSeconds: Double(store.intervalMilliseconds) / 1000, clock: unix ? "unix" : "relative",
      utcOffsetHours: unix ? options.utcOffsetHours : 0, grouping: options.grouping.rawValue, models: models)
  }

  /// One member's series of a metric: values (NaN = missing) and the start time of sample 0.
  struct Series {
    var values: [Double]
    var start: Int64
    var mean: Double
  }

  static func fitModel(name: String, entities: [Int], store: TraceStore, weekOffset: Int64, options: Options)
    -> FittedLoad?
  {
    var capacityCounts: [CapacityChoice] = []
    for e in entities {
      let cores = store.cpuCapacityCores[e]
      let gib = store.memoryCapacityGiB[e]
      if let i = capacityCounts.firstIndex(where: { $0.cpuCores == cores && $0.memoryGiB == gib }) {
        capacityCounts[i].count += 1
      } else {
        capacityCounts.append(CapacityChoice(cpuCores: cores, memoryGiB: gib, count: 1))
      }
    }
    func series(_ metric: TraceMetric) -> [Series] {
      entities.compactMap { e in
        let values = store.utilisation(metric, entity: e)
        var sum = 0.0
        var n = 0
        for x in values where !x.isNaN {
          sum += x
          n += 1
        }
        guard n > 0 else { return nil }
        let start =
          store.originMilliseconds + Int64(store.sampleRange(of: e).lowerBound) * store.intervalMilliseconds
        return Series(values: values, start: start, mean: sum / Double(n))
      }
    }
    let cpuSeries = series(.cpu)
    let active = cpuSeries.filter { $0.mean > 0 }
    let idleFraction = Double(cpuSeries.count - active.count) / Double(Swift.max(cpuSeries.count, 1))
    guard
      var cpu = fitMetric(
        active.isEmpty ? cpuSeries : active, interval: store.intervalMilliseconds, weekOffset: weekOffset,
        calibration: "fit/\(name)/cpu", options: options)
    else { return nil }
    if active.isEmpty { cpu.level = 0 }
    var memory: FittedMetric? = nil
    if store.hasMemory {
      let memorySeries = series(.memory)
      if !memorySeries.isEmpty {
        memory = fitMetric(
          memorySeries, interval: store.intervalMilliseconds, weekOffset: weekOffset,
          calibration: "fit/\(name)/memory", options: options)
      }
    }
    return FittedLoad(
      name: name, members: entities.count, capacities: capacityCounts,
      idleFraction: active.isEmpty ? 0 : idleFraction, cpu: cpu, memory: memory)
  }

  /// Fits one metric on the pooled, mean-normalised series of the members.
  static func fitMetric(
    _ members: [Series], interval: Int64, weekOffset: Int64, calibration: String, options: Options
  ) -> FittedMetric? {
    guard !members.isEmpty else { return nil }
    let means = members.map(\.mean)
    let level = means.reduce(0, +) / Double(means.count)
    let positiveMeans = means.filter { $0 > 0 }
    var spread = 0.0
    if positiveMeans.count > 1 {
      let logs = positiveMeans.map { log($0) }
      spread = (try? Statistics.standardDeviation(logs)) ?? 0
    }
    var cap = 0.0
    var allValues: [Double] = []
    for m in members {
      for x in m.values where !x.isNaN {
        cap = Swift.max(cap, x)
        allValues.append(x)
      }
    }
    allValues.sort()
    let p95 = Statistics.quantile(sorted: allValues, 0.95)
    let lag = Swift.max(1, Int((3_600_000.0 / Double(interval)).rounded()))
    var acfSum = 0.0
    var acfWeight = 0.0
    for m in members {
      if let r = autocorrelation(m.values, lag: lag) {
        let w = Double(m.values.count)
        acfSum += r * w
        acfWeight += w
      }
    }
    let targetACF = acfWeight > 0 ? acfSum / acfWeight : 0

    // 1. Profile, estimated twice: the second time without the samples far above the first
    //    profile, so that bursts do not pass for a profile.
    let active = members.filter { $0.mean > 0 }
    var (profile, shrinkage) = estimateProfile(
      active, interval: interval, weekOffset: weekOffset, excluding: nil)
    var (residuals, boundaries) = residualsOf(
      active, profile: profile, interval: interval, weekOffset: weekOffset)
    var threshold = spikeThreshold(residuals)
    (profile, shrinkage) = estimateProfile(
      active, interval: interval, weekOffset: weekOffset,
      excluding: residuals.map { $0 > 0 && log($0) > threshold })
    (residuals, boundaries) = residualsOf(
      active, profile: profile, interval: interval, weekOffset: weekOffset)
    threshold = spikeThreshold(residuals)
    var daily = [Double](repeating: 0, count: 24)
    var weekly = [Double](repeating: 0, count: 7)
    for h in 0..<168 {
      daily[h % 24] += profile[h] / 7
      weekly[h / 24] += profile[h] / 24
    }

    // 2. Spikes: isolated samples above the threshold.
    let isCandidate = residuals.map { $0 > 0 && log($0) > threshold }
    var isSpike = [Bool](repeating: false, count: residuals.count)
    for b in 0..<boundaries.count - 1 {
      for i in boundaries[b]..<boundaries[b + 1] where isCandidate[i] {
        let before = i > boundaries[b] && isCandidate[i - 1]
        let after = i + 1 < boundaries[b + 1] && isCandidate[i + 1]
        isSpike[i] = !before && !after
      }
    }
    var spikeSum = 0.0
    var spikes = 0
    var calmSum = 0.0
    var calm: [Double] = []
    var present = 0
    for (i, r) in residuals.enumerated() where !r.isNaN {
      present += 1
      if isSpike[i] {
        spikeSum += r
        spikes += 1
      } else {
        calmSum += r
        calm.append(r)
      }
    }
    let calmMean = calm.isEmpty ? 1 : calmSum / Double(calm.count)
    let spikeProbability = present > 0 ? Double(spikes) / Double(present) : 0
    let spikeFactor = spikes > 0 && calmMean > 0 ? Swift.max(1, spikeSum / Double(spikes) / calmMean) : 1
    let samplesPerDay = 86_400_000.0 / Double(interval)

    // 3. Noise.
    let noise = fitNoise(calm.map { calmMean > 0 ? $0 / calmMean : 0 }, threshold: options.empiricalThreshold)

    var metric = FittedMetric(
      level: level, mean: level, levelSpread: spread, hourOfWeek: profile, profileShrinkage: shrinkage,
      daily: daily, weekly: weekly, noise: noise,
      spikes: FittedSpikes(
        probability: Swift.min(spikeProbability, 0.5), ratePerDay: spikeProbability * samplesPerDay,
        factor: spikeFactor),
      cap: cap, p95: p95, autocorrelation1h: targetACF)
    guard level > 0 else { return metric }

    // 4. Level despite the cap.
    metric.level = level * meanCorrection(metric, target: level)

    // 5. Autocorrelation.
    let base = MetricSampler(metric, intervalMilliseconds: interval, sampleCount: 0)
    let length = calibrationSamples
    var low = 0.0
    var high = options.maximumHourCorrelation
    for _ in 0..<14 {
      let mid = (low + high) / 2
      let sampler = MetricSampler(copying: base, phi: pow(mid, 1 / Double(lag)), levelFactor: 1)
      let simulated = sampler.simulate(count: length, stream: StreamFactory(runSeed: 0).stream(calibration))
      if (autocorrelation(simulated, lag: lag) ?? 0) < targetACF { low = mid } else { high = mid }
    }
    metric.noise.stepCorrelation = pow((low + high) / 2, 1 / Double(lag))
    return metric
  }

  /// Hour-of-week profile of mean-normalised members (James–Stein shrunk) and its shrinkage; samples
  /// flagged in `excluding` (pooled order of the members' samples) are left out.
  static func estimateProfile(_ members: [Series], interval: Int64, weekOffset: Int64, excluding: [Bool]?)
    -> (profile: [Double], shrinkage: Double)
  {
    var count = [Double](repeating: 0, count: 168)
    var sum = [Double](repeating: 0, count: 168)
    var squares = [Double](repeating: 0, count: 168)
    var k = 0
    for m in members {
      for (i, x) in m.values.enumerated() {
        defer { k += 1 }
        guard !x.isNaN, !(excluding?[k] ?? false) else { continue }
        let h = FittedProfile.bin(
          atMilliseconds: m.start + Int64(i) * interval, intervalMilliseconds: interval,
          weekOffsetMilliseconds: weekOffset)
        let y = x / m.mean
        count[h] += 1
        sum[h] += y
        squares[h] += y * y
      }
    }
    let totalCount = count.reduce(0, +)
    let overall = totalCount > 0 ? sum.reduce(0, +) / totalCount : 1
    guard overall > 0 else { return ([Double](repeating: 1, count: 168), 0) }
    var raw = [Double](repeating: 1, count: 168)
    var noiseVariance = 0.0
    var varianceBins = 0.0
    for h in 0..<168 where count[h] > 0 {
      let mean = sum[h] / count[h]
      raw[h] = mean / overall
      if count[h] > 1 {
        let variance = Swift.max(0, (squares[h] - count[h] * mean * mean) / (count[h] - 1))
        noiseVariance += variance / count[h] / (overall * overall)
        varianceBins += 1
      }
    }
    noiseVariance = varianceBins > 0 ? noiseVariance / varianceBins : 0
    let observed = raw.indices.filter { count[$0] > 0 }.map { raw[$0] }
    var shrinkage = 0.0
    if observed.count > 1, let s2 = try? Statistics.variance(observed), s2 > 0 {
      shrinkage = Swift.max(0, 1 - noiseVariance / s2)
    }
    return (raw.map { 1 + shrinkage * ($0 - 1) }, shrinkage)
  }

  /// Residuals `x / (mean × profile)` of the members, pooled (NaN where missing), and the start of
  /// each member's run in them (plus the end).
  static func residualsOf(_ members: [Series], profile: [Double], interval: Int64, weekOffset: Int64)
    -> (residuals: [Double], boundaries: [Int])
  {
    var residuals: [Double] = []
    var boundaries: [Int] = []
    for m in members {
      boundaries.append(residuals.count)
      for (i, x) in m.values.enumerated() {
        let p = FittedProfile.value(
          profile, atMilliseconds: m.start + Int64(i) * interval, intervalMilliseconds: interval,
          weekOffsetMilliseconds: weekOffset)
        residuals.append(x.isNaN || !(p > 0) ? .nan : x / (m.mean * p))
      }
    }
    boundaries.append(residuals.count)
    return (residuals, boundaries)
  }

  /// Log-residual above which a sample is a spike candidate: median + max(4 × 1.4826 × MAD, log 1.5).
  static func spikeThreshold(_ residuals: [Double]) -> Double {
    let logs = residuals.filter { $0 > 0 }.map { log($0) }.sorted()
    guard !logs.isEmpty else { return .infinity }
    let median = Statistics.quantile(sorted: logs, 0.5)
    let deviations = logs.map { abs($0 - median) }.sorted()
    let mad = 1.4826 * Statistics.quantile(sorted: deviations, 0.5)
    return median + Swift.max(4 * mad, log(1.5))
  }

  /// The factor on the level that makes the capped model's mean equal `target`.
  static func meanCorrection(_ metric: FittedMetric, target: Double) -> Double {
    let points = 256
    let q = (0..<points).map { metric.noise.quantile((Double($0) + 0.5) / Double(points)) }
    let p = metric.spikes.probability
    let f = metric.spikes.factor
    let profile = metric.hourOfWeek
    func expected(_ k: Double) -> Double {
      let a = k * metric.level
      var total = 0.0
      for ph in profile {
        var row = 0.0
        for qu in q {
          let v = a * ph * qu
          row += (1 - p) * Swift.min(v, metric.cap) + p * Swift.min(v * f, metric.cap)
        }
        total += row
      }
      return total / Double(profile.count * points)
    }
    let uncapped = expected(1)
    guard uncapped > 0 else { return 1 }
    let peak = (profile.max() ?? 1) * (q.last ?? 1) * f * metric.level
    if peak <= metric.cap { return target / uncapped }
    var low = 0.0
    var high = 1.0
    var guardCount = 0
    while expected(high) < target && guardCount < 60 {
      high *= 2
      guardCount += 1
    }
    for _ in 0..<40 {
      let mid = (low + high) / 2
      if expected(mid) < target { low = mid } else { high = mid }
    }
    return (low + high) / 2
  }

  /// Fits the noise distribution of residuals with mean about 1.
  static func fitNoise(_ values: [Double], threshold: Double) -> FittedNoise {
    let positive = values.filter { $0 > 0 }.sorted()
    let zeroFraction = values.isEmpty ? 0 : Double(values.count - positive.count) / Double(values.count)
    var noise = FittedNoise(
      family: "empirical", mu: nil, sigma: nil, shape: nil, scale: nil, quantiles: nil,
      zeroFraction: zeroFraction,
      ksDistance: [:], stepCorrelation: 0)
    guard !positive.isEmpty else {
      noise.quantiles = FittedNoise.quantileGrid.map { _ in 0 }
      return noise
    }
    let n = Double(positive.count)
    let mean = positive.reduce(0, +) / n
    let variance = positive.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
    var candidates: [(String, Distribution)] = []
    let logs = positive.map { log($0) }
    let logMean = logs.reduce(0, +) / n
    let logSD = (logs.reduce(0) { $0 + ($1 - logMean) * ($1 - logMean) } / n).squareRoot()
    if logSD > 0 { candidates.append(("lognormal", .lognormal(mu: logMean, sigma: logSD))) }
    if variance > 0 {
      candidates.append(("gamma", .gamma(shape: mean * mean / variance, scale: variance / mean)))
      if let k = weibullShape(coefficientOfVariation: variance.squareRoot() / mean) {
        candidates.append(("weibull", .weibull(scale: mean / tgamma(1 + 1 / k), shape: k)))
      }
    }
    var best: (String, Distribution, Double)? = nil
    for (name, d) in candidates where (try? d.validate()) != nil {
      let ks = kolmogorovSmirnov(positive, d)
      noise.ksDistance[name] = ks
      if best == nil || ks < best!.2 { best = (name, d, ks) }
    }
    let target = zeroFraction < 1 ? 1 / (1 - zeroFraction) : 1
    if let (name, d, ks) = best, ks <= threshold, let m = d.mean, m > 0 {
      let k = target / m
      noise.family = name
      switch d {
      case .lognormal(let mu, let sigma):
        noise.mu = mu + log(k)
        noise.sigma = sigma
      case .gamma(let shape, let scale):
        noise.shape = shape
        noise.scale = scale * k
      case .weibull(let scale, let shape):
        noise.shape = shape
        noise.scale = scale * k
      default: break
      }
      return noise
    }
    var quantiles = FittedNoise.quantileGrid.map { Statistics.quantile(sorted: positive, $0) }
    for i in quantiles.indices.dropFirst() where quantiles[i] < quantiles[i - 1] {
      quantiles[i] = quantiles[i - 1]
    }
    // Mean of the interpolated quantile function (trapezoids on the grid).
    let grid = FittedNoise.quantileGrid
    var integral = 0.0
    for i in 0..<grid.count - 1 {
      integral += (grid[i + 1] - grid[i]) * (quantiles[i] + quantiles[i + 1]) / 2
    }
    if integral > 0 { quantiles = quantiles.map { $0 * target / integral } }
    noise.quantiles = quantiles
    return noise
  }

  /// Weibull shape with the given coefficient of variation (bisection on
  /// `Γ(1+2/k)/Γ(1+1/k)² − 1 = cv²`); nil when out of range.
  static func weibullShape(coefficientOfVariation cv: Double) -> Double? {
    guard cv.isFinite, cv > 0.01, cv < 30 else { return nil }
    var low = 0.05
    var high = 100.0
    for _ in 0..<100 {
      let k = (low + high) / 2
      let g1 = tgamma(1 + 1 / k)
      let c2 = tgamma(1 + 2 / k) / (g1 * g1) - 1
      if c2 > cv * cv { low = k } else { high = k }
    }
    return (low + high) / 2
  }

  /// Kolmogorov–Smirnov distance between sorted values and `d`, on at most 2 000 order statistics.
  static func kolmogorovSmirnov(_ sorted: [Double], _ d: Distribution) -> Double {
    let n = sorted.count
    let step = Swift.max(1, n / 2000)
    var distance = 0.0
    var i = 0
    while i < n {
      let f = d.cdf(sorted[i])
      distance = Swift.max(distance, abs(f - Double(i) / Double(n)), abs(f - Double(i + 1) / Double(n)))
      i += step
    }
    return distance
  }

  /// Sample autocorrelation at `lag` of a series with NaN for missing values: pairs with both
  /// values present, around the mean of the present values, over their sum of squares (for a
  /// complete series, `Statistics.autocorrelation`). Nil when undefined.
  public static func autocorrelation(_ x: [Double], lag: Int) -> Double? {
    guard lag > 0, x.count > lag else { return nil }
    var sum = 0.0
    var n = 0
    for v in x where !v.isNaN {
      sum += v
      n += 1
    }
    guard n > 1 else { return nil }
    let m = sum / Double(n)
    var denominator = 0.0
    for v in x where !v.isNaN { denominator += (v - m) * (v - m) }
    guard denominator > 0 else { return nil }
    var numerator = 0.0
    for t in 0..<(x.count - lag) {
      let a = x[t]
      let b = x[t + lag]
      if !a.isNaN && !b.isNaN { numerator += (a - m) * (b - m) }
    }
    return numerator / denominator
  }
}
