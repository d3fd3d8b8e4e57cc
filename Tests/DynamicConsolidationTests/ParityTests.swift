import Foundation
import Testing

@testable import DynamicConsolidation

/// Acceptance tests against CloudSim 3.0.3 (need ../shared/data next to the repository).
@Suite(.serialized) struct ParityTests {
  static let hasData = SharedData.day20110303 != nil && SharedData.baselines != nil

  @Test(.enabled(if: hasData), arguments: DynamicPolicy.cloudSimExamples)
  func reducedDayMatchesGolden(_ policy: DynamicPolicy) throws {
    let r = try #require(try reducedRun(policy))
    #expect(r.json.trimmingCharacters(in: .whitespacesAndNewlines) == reducedDayGolden[policy.name])
  }

  @Test(.enabled(if: hasData)) func sameSeedSameBytesIncludingRandomSelection() throws {
    let rs = DynamicPolicy.named("LrRs")!
    let a = try #require(try reducedRun(rs, seed: 7))
    let b = try #require(try reducedRun(rs, seed: 7))
    #expect(a.json == b.json)
    let c = try #require(try reducedRun(rs, seed: 8))
    #expect(a.json != c.json)
  }

  @Test(.enabled(if: hasData)) func initialPlacementsAndRemovalsMatchCloudSim() throws {
    let w = try #require(try SharedData.workload())
    #expect(w.count == 1052)
    let config = DynamicConfiguration.cloudSimPlanetLab(vms: w.count)
    for (policy, file) in [
      ("ThrMmt", "initial_placement_pabfd_t0.csv"), ("Dvfs", "initial_placement_firstfit_t0_npa_dvfs.csv"),
    ] {
      var short = config
      short.limitSeconds = 0
      let (_, _, placement, _) = DynamicSimulation.runLogged(
        policy: DynamicPolicy.named(policy)!, workload: w, configuration: short)
      let rows = try #require(try SharedData.csv(file))
      var mismatches = 0
      for row in rows where placement[Int(row[0])!] != Int(row[1])! { mismatches += 1 }
      #expect(rows.count == 1052)
      #expect(mismatches == 0, "\(policy): \(mismatches) placements differ")
    }
    var dvfs = config
    dvfs.limitSeconds = 86_400
    let (r, _, _, removedAt) = DynamicSimulation.runLogged(
      policy: DynamicPolicy.named("Dvfs")!, workload: w, configuration: dvfs)
    #expect(r.vmsRemoved == 532)
    let removals = try #require(try SharedData.csv("vm_removals.csv"))
    for row in removals {
      let v = Int(row[1])!
      #expect(abs(removedAt[v] - Double(row[0])!) < 0.01)
    }
  }

  /// The full 20110303 ThrMmt day against the baseline tolerances (results.csv).
  @Test(.enabled(if: hasData)) func fullDayThrMmtWithinTolerance() throws {
    let w = try #require(try SharedData.workload())
    let config = DynamicConfiguration.cloudSimPlanetLab(vms: w.count)
    let r = DynamicSimulation.run(policy: DynamicPolicy.named("ThrMmt")!, workload: w, configuration: config)
    let text = try String(
      contentsOf: SharedData.baselines!.deletingLastPathComponent().appendingPathComponent("results.csv"),
      encoding: .utf8)
    let row = try #require(
      text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",").map(String.init) }
        .first { $0.count > 14 && $0[1] == "ThrMmt" && $0[3] == "sorted" })
    let energy = Double(row[6])!
    let migrations = Double(row[8])!
    let slatah = Double(row[9])!
    let pdm = Double(row[10])!
    let shutdowns = Double(row[14])!
    #expect(abs(r.energyKWh / energy - 1) <= 0.01)
    #expect(abs(Double(r.migrations) / migrations - 1) <= 0.03)
    #expect(abs(r.slatah / slatah - 1) <= 0.10)
    #expect(abs(r.pdm / pdm - 1) <= 0.10)
    #expect(abs(r.slav / (slatah * pdm) - 1) <= 0.10)
    #expect(abs(Double(r.shutdowns) / shutdowns - 1) <= 0.03)
  }
}
