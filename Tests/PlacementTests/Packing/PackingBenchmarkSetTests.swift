import Foundation
import Testing

@testable import Placement

/// `../shared/data/benchmarks` next to the repository, when present.
let sharedBenchmarks: URL = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()
  .appendingPathComponent("shared/data/benchmarks")

let hasSharedBenchmarks = FileManager.default.fileExists(
  atPath: sharedBenchmarks.appendingPathComponent("bpp1d/optima.csv").path)

/// Regression checks on a deterministic sample of the shared benchmark sets; skipped when the
/// data is not there. Kept cheap for debug builds: every 50th proven BPPLIB instance (about 100)
/// with a tenth of the default work budget. The full tables (`yunhe pack … --all-policies`,
/// docs/placement.md) are the measurement; the floors here are below what the full runs reach,
/// so that a change that makes the search worse fails, not one that moves a single instance.
@Suite("Packing: shared benchmark sample", .enabled(if: hasSharedBenchmarks))
struct PackingBenchmarkSetTests {
  /// The work budget of the sample run (the `yunhe pack` default is larger).
  static let sampleBudget = 300_000

  @Test func bpp1dSampleStaysAboveItsFloor() throws {
    let folder = sharedBenchmarks.appendingPathComponent("bpp1d")
    let csv = try String(contentsOf: folder.appendingPathComponent("optima.csv"), encoding: .utf8)
    let rows = csv.split(whereSeparator: \.isNewline).map {
      $0.split(separator: ",", omittingEmptySubsequences: false)
    }
    let header = rows[0].map(String.init)
    let column = { (name: String) in header.firstIndex(of: name)! }
    let (path, optimum, proven, ffdBins) = (
      column("path"), column("optimum_or_best"), column("proven"), column("ffd_bins")
    )
    let sample = rows.dropFirst().filter { $0[proven] == "yes" }
      .sorted { $0[path] < $1[path] }
      .enumerated().filter { $0.offset % 50 == 0 }.map(\.element)
    #expect(sample.count >= 95)

    var atOptimum = 0
    var exceptions: [String] = []
    for row in sample {
      let instance = try PackingReader.read(path: folder.appendingPathComponent(String(row[path])).path)
      let opt = Int(row[optimum])!
      // Our FFD matches the reference FFD of the data set (in 1-D every tie-break gives the same count).
      let ffd = try PackingSolver.solve(instance, with: .heuristic(.firstFitDecreasing(.l1)))
      #expect(ffd.bins == Int(row[ffdBins])!, "\(instance.name)")
      let best = try PackingSolver.solve(
        instance, with: .localSearch, options: PackingOptions(seed: 1, workBudget: Self.sampleBudget))
      #expect(best.bound <= opt, "\(instance.name): bound above the optimum")
      if best.bins == opt { atOptimum += 1 }
      // Known weakness: the Gschwind–Irnich cutting-stock instances with 500 sizes (class GI),
      // where the relaxation may not converge within its limit (a tenth of it here).
      if best.bins > opt + 1 && row[column("class")] != "GI" {
        exceptions.append("\(instance.name): \(best.bins) bins, optimum \(opt)")
      }
    }
    let share = Double(atOptimum) / Double(sample.count)
    // The full set reaches 95.4 % (docs/placement.md).
    #expect(share >= 0.85, "ls at the optimum on \(atOptimum) of \(sample.count) sampled instances")
    #expect(exceptions.isEmpty, "worse than optimum + 1 outside GI: \(exceptions)")
  }

  @Test func vbpSampleIsNoWorseThanThePublishedHeuristics() throws {
    let folder = sharedBenchmarks.appendingPathComponent("vbp")
    let index = try PackingIndex.read(path: folder.appendingPathComponent("index.csv").path)
    let sample = index.byPath.filter { $0.value.bestPublishedHeuristic != nil }.keys.sorted()
      .enumerated().filter { $0.offset % 120 == 0 }.map(\.element)
    #expect(sample.count >= 15)
    var ours = 0
    var published = 0
    for relative in sample {
      var instance = try PackingReader.read(path: folder.appendingPathComponent(relative).path)
      instance.known = index.byPath[relative]!
      let result = try PackingSolver.solve(
        instance, with: .localSearch, options: PackingOptions(seed: 1, workBudget: Self.sampleBudget))
      #expect(result.bins >= result.bound)
      ours += result.bins
      published += instance.known.bestPublishedHeuristic!
    }
    #expect(ours <= published, "ls \(ours) bins, best published heuristics \(published)")
  }
}
