import Stochastics

/// Quick statistics of one entity of a demand series.
public struct DemandStatistics: Sendable, Equatable {
  /// Mean CPU demand over all samples, reference cores.
  public var cpuMean: Double
  /// 95th percentile of CPU demand, reference cores (`Statistics.quantile`: linear interpolation
  /// between order statistics, R's type 7).
  public var cpuP95: Double
  /// Largest CPU demand, reference cores.
  public var cpuMax: Double
  /// Largest memory demand, GiB.
  public var memoryMax: Double

  /// Computes the statistics of row `entity` of `series`; all are 0 for a series without samples.
  public init(series: DemandSeries, entity: Int) {
    let cpu = series.cpu(entity)
    guard !cpu.isEmpty else {
      self.init(cpuMean: 0, cpuP95: 0, cpuMax: 0, memoryMax: 0)
      return
    }
    var sum = 0.0
    for x in cpu { sum += Double(x) }
    let sorted = cpu.map(Double.init).sorted()
    let p95 = Statistics.quantile(sorted: sorted, 0.95)
    self.init(
      cpuMean: sum / Double(cpu.count), cpuP95: p95, cpuMax: sorted[sorted.count - 1],
      memoryMax: Double(series.memory(entity).max() ?? 0))
  }

  /// Creates statistics from known values.
  public init(cpuMean: Double, cpuP95: Double, cpuMax: Double, memoryMax: Double) {
    self.cpuMean = cpuMean
    self.cpuP95 = cpuP95
    self.cpuMax = cpuMax
    self.memoryMax = memoryMax
  }
}
