import Testing

@testable import Workload

@Suite struct DemandSeriesTests {
  /// Two entities, four samples of 1 minute starting at 10 minutes.
  func sample() throws -> DemandSeries {
    try DemandSeries(
      names: ["a", "b"], startMilliseconds: 600_000, intervalMilliseconds: 60_000, sampleCount: 4,
      cpu: [1, 2, 3, 4, 0, 0.5, 0, 8], memory: [10, 10, 12, 11, 2, 2, 2, 4])
  }

  @Test func accessorsAreRowMajor() throws {
    let s = try sample()
    #expect(s.entityCount == 2)
    #expect(Array(s.cpu(1)) == [0, 0.5, 0, 8])
    #expect(Array(s.memory(0)) == [10, 10, 12, 11])
    #expect(s.cpu(entity: 0, sample: 3) == 4)
    #expect(s.memory(entity: 1, sample: 3) == 4)
    #expect(s.index(of: "b") == 1)
    #expect(s.index(of: "c") == nil)
    #expect(s.timeMilliseconds(ofSample: 2) == 720_000)
    #expect(s.endMilliseconds == 840_000)
    #expect(s.sampleIndex(atMilliseconds: 659_999) == 0)
    #expect(s.sampleIndex(atMilliseconds: 660_000) == 1)
    #expect(s.sampleIndex(atMilliseconds: 840_000) == nil)
    #expect(s.sampleIndex(atMilliseconds: 0) == nil)
  }

  @Test func initialiserRejectsInconsistentOrInvalidData() {
    func error(
      names: [String] = ["a"], interval: Int64 = 1000, count: Int = 2, cpu: [Float] = [1, 2],
      memory: [Float] = [1, 2]
    ) -> WorkloadError? {
      do {
        _ = try DemandSeries(
          names: names, startMilliseconds: 0, intervalMilliseconds: interval, sampleCount: count, cpu: cpu,
          memory: memory)
        return nil
      } catch {
        return error
      }
    }
    #expect(error() == nil)
    #expect(error(interval: 0)?.field == "intervalMilliseconds")
    #expect(error(count: -1)?.field == "sampleCount")
    #expect(error(cpu: [1])?.field == "cpu")
    #expect(error(memory: [1, 2, 3])?.field == "memory")
    #expect(error(cpu: [1, .nan])?.field == "cpu")
    #expect(error(cpu: [.infinity, 1])?.field == "cpu")
    #expect(error(memory: [1, -1])?.field == "memory")
    #expect(error(memory: [1, -1])?.message.contains("sample 1") == true)
    #expect(error(names: ["a", "a"], cpu: [1, 2, 3, 4], memory: [1, 2, 3, 4])?.field == "names")
    #expect(error(names: [""])?.field == "names")
  }

  @Test func scaledMultipliesCPUAndMemory() throws {
    let s = try sample()
    let doubled = s.scaled(by: 2)
    #expect(Array(doubled.cpu(0)) == [2, 4, 6, 8])
    #expect(Array(doubled.memory(1)) == [4, 4, 4, 8])
    #expect(doubled.names == s.names && doubled.startMilliseconds == s.startMilliseconds)
    #expect(doubled.index(of: "b") == 1)
    #expect(s.scaled(by: 1) == s)
    #expect(s.scaled(by: 0).cpu(0).allSatisfy { $0 == 0 })
  }

  @Test func splitEquallyDividesEverySample() throws {
    let s = try sample()
    let (cpu, memory) = s.splitEqually(entity: 0, parts: 4)
    #expect(cpu == [0.25, 0.5, 0.75, 1])
    #expect(memory == [2.5, 2.5, 3, 2.75])
    #expect(s.splitEqually(entity: 1, parts: 1).cpu == Array(s.cpu(1)))
  }

  @Test func statisticsOfOneEntity() throws {
    let values: [Float] = (1...20).map(Float.init)
    let s = try DemandSeries(
      names: ["x"], startMilliseconds: 0, intervalMilliseconds: 1, sampleCount: 20, cpu: values,
      memory: values.map { $0 / 2 })
    let stats = DemandStatistics(series: s, entity: 0)
    #expect(stats.cpuMean == 10.5)
    #expect(abs(stats.cpuP95 - 19.05) < 1e-9)  // type 7: 19 + 0.05 × (20 − 19)
    #expect(stats.cpuMax == 20)
    #expect(stats.memoryMax == 10)
    let other = DemandStatistics(series: try sample(), entity: 1)
    #expect(other.cpuMax == 8 && other.memoryMax == 4 && other.cpuMean == 2.125)
  }

  @Test func statisticsOfAnEmptySeriesAreZero() throws {
    let s = try DemandSeries(
      names: ["x"], startMilliseconds: 0, intervalMilliseconds: 1, sampleCount: 0, cpu: [], memory: [])
    #expect(
      DemandStatistics(series: s, entity: 0)
        == DemandStatistics(cpuMean: 0, cpuP95: 0, cpuMax: 0, memoryMax: 0))
  }

  @Test func errorDescriptionNamesFileLineAndField() {
    #expect(
      WorkloadError(file: "t.csv", line: 7, field: "cpu_cores", message: "is NaN").description
        == "t.csv:7: cpu_cores: is NaN")
    #expect(WorkloadError(file: "t.csv", message: "empty").description == "t.csv: empty")
    #expect(WorkloadError(field: "cpu", message: "bad").description == "cpu: bad")
    #expect(WorkloadError(line: 3, message: "bad").description == "line 3: bad")
  }
}
