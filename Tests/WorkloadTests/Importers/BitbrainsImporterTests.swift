import Foundation
import Testing

@testable import Workload

@Suite struct BitbrainsImporterTests {
  @Test func readsAMonthFolderInNumericOrder() throws {
    let (sink, summary) = try importTrace(.bitbrains, "bitbrains/2013-7")
    #expect(sink.entities.map(\.name) == ["1", "20", "39"])
    #expect(summary.files == 3)
    #expect(summary.rows == 12 + 21 + 13)
    #expect(summary.samples == 12 + 13 + 13)
    #expect(sink.entities.map(\.times.count) == [12, 13, 13])
  }

  @Test func convertsSecondsAndMegahertz() throws {
    let (sink, _) = try importTrace(.bitbrains, "bitbrains/2013-7/1.csv")
    let vm = sink.entities[0]
    #expect(vm.name == "1")
    #expect(vm.cpuCapacityCores == 2)
    #expect(vm.memoryCapacityGiB == 8_218_624.0 / 1_048_576)
    // The header says [ms] but the values are epoch seconds.
    #expect(vm.times.first == 1_372_629_804_000)
    #expect(vm.times.last == 1_372_633_104_000)
    #expect(zip(vm.times, vm.times.dropFirst()).allSatisfy { $1 - $0 == 300_000 })
    #expect(close(vm.cpu.first!, 87.7799835 / 5851.9989))
    #expect(close(vm.memory.first!, 1_034_592.8 / 8_218_624))
    #expect(close(vm.cpu.last!, 29.259994499999998 / 5851.9989))
    #expect(close(vm.memory.last!, 78292.8 / 8_218_624))
    #expect(sink.repairs.isEmpty)
  }

  @Test func mergesDuplicatedTimestampsAndCountsOffRows() throws {
    let (sink, summary) = try importTrace(.bitbrains, "bitbrains/2013-7/20.csv")
    let vm = sink.entities[0]
    #expect(vm.cpuCapacityCores == 1)
    #expect(vm.memoryCapacityGiB == 4)
    #expect(vm.times.count == 13)
    #expect(zip(vm.times, vm.times.dropFirst()).allSatisfy { $0 < $1 })
    #expect(vm.times.first == 1_373_973_037_000)
    #expect(close(vm.cpu.first!, 19.06666159933333 / 2599.999309))
    #expect(close(vm.memory.first!, 137_012.26666666666 / 4_194_304))
    // 1373975437 appears twice (both "off"): memory keeps the larger, 671088 KB.
    let k = vm.times.firstIndex(of: 1_373_975_437_000)!
    #expect(vm.cpu[k] == 0)
    #expect(vm.memory[k] == 671_088.0 / 4_194_304)
    #expect(vm.times.last == 1_373_976_637_000)
    #expect(vm.cpu.last == 0)
    #expect(vm.memory.last == 0)
    let duplicates = repair(sink, "duplicated timestamp")
    #expect(duplicates?.count == 8)
    #expect(duplicates?.firstLine == 11)
    let off = repair(sink, "VM off")
    #expect(off?.count == 13)
    #expect(off?.firstLine == 10)
    #expect(summary.repairCount("duplicated timestamp") == 8)
    #expect(summary.samples + 8 == summary.rows)
  }

  @Test func declaresTheLargestCapacityAndReportsChanges() throws {
    let (sink, _) = try importTrace(.bitbrains, "bitbrains/2013-7/39.csv")
    let vm = sink.entities[0]
    #expect(vm.memoryCapacityGiB == 892_928.0 / 1_048_576)
    #expect(vm.memory[1] == 39_145.86666666667 / 892_928)  // usage / largest capacity
    let changes = repair(sink, "provisioned capacity changes")
    #expect(changes?.count == 2)
    #expect(changes?.firstLine == 6)
  }

  @Test func longFilesAreReadTwiceWithTheSameResult() throws {
    var options = ImportOptions()
    options.bitbrainsBufferedRows = 2
    let kept = try importTrace(.bitbrains, "bitbrains/2013-7")
    let reread = try importTrace(.bitbrains, "bitbrains/2013-7", options: options)
    #expect(kept.sink.entities == reread.sink.entities)
    #expect(kept.summary.repairs == reread.summary.repairs)
    #expect(reread.summary.files == 3)
  }

  @Test func duplicatesCanBeRejected() {
    let error = importError(.bitbrains, "bitbrains/2013-7/20.csv", options: rejectingOptions)
    #expect(error?.line == 11)
    #expect(error?.field == "Timestamp [ms]")
    #expect(error?.message.contains("duplicated time 1373975437") == true)
  }

  @Test func decreasingTimestampsAreDroppedOrRejected() throws {
    let (sink, _) = try importTrace(.bitbrains, "bad/bitbrains-decreasing.csv")
    #expect(sink.entities[0].times == [1_372_629_804_000, 1_372_630_404_000, 1_372_630_704_000])
    #expect(repair(sink, "decreasing timestamp")?.firstLine == 4)
    let error = importError(.bitbrains, "bad/bitbrains-decreasing.csv", options: rejectingOptions)
    #expect(error?.line == 4)
    #expect(error?.message.contains("goes backwards") == true)
  }
}
