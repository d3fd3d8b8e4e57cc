// Dynamic-consolidation benchmarks: the nine CloudSim 3.0.3 example policy-days on PlanetLab
// 20110303 (800 hosts, 1052 VMs, 24 h, compat mode), trace load included, when
// ../../shared/data is present; and two synthetic weeks (LrMmt, 7 days), which need no data:
// 1 000 VMs on 100 hosts (best fit scans the hosts) and 10 000 VMs on 1 000 hosts (best fit
// searches its host index, with the C leaf scan; from 2 000 hosts on two threads). The figures to compare are CloudSim 3.0.3's quiet-harness wall times in
// ../shared/data/baselines/cloudsim-3.0.3-planetlab-20110303.md (ThrMmt 49.1 s: the 200× target
// is 0.25 s); docs/cloudsim-parity.md has the measured table.
import Benchmark
import DynamicConsolidation
import Foundation

let day = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  .appendingPathComponent("shared/data/traces/planetlab/20110303")

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock, .cpuTotal, .peakMemoryResident], maxIterations: 5)
  Benchmark("synthetic week 1k VMs 100 hosts LrMmt") { _ in
    let w = SyntheticWorkload(vms: 1000, days: 7, seed: 1).generate()
    var config = DynamicConfiguration.cloudSimPlanetLab(vms: w.count, hosts: 100)
    config.limitSeconds = 7 * 86_400
    blackHole(
      DynamicSimulation.run(policy: DynamicPolicy.named("LrMmt")!, workload: w, configuration: config))
  }
  Benchmark(
    "synthetic week 10k VMs 1000 hosts LrMmt",
    configuration: .init(
      metrics: [.wallClock, .cpuTotal, .peakMemoryResident], warmupIterations: 0, maxDuration: .seconds(20),
      maxIterations: 3)
  ) { _ in
    let w = SyntheticWorkload(vms: 10_000, days: 7, seed: 1).generate()
    var config = DynamicConfiguration.cloudSimPlanetLab(vms: w.count, hosts: 1_000)
    config.limitSeconds = 7 * 86_400
    blackHole(
      DynamicSimulation.run(policy: DynamicPolicy.named("LrMmt")!, workload: w, configuration: config))
  }
  guard FileManager.default.fileExists(atPath: day.path) else { return }
  Benchmark("trace load 20110303") { _ in
    blackHole(try DynamicWorkload.planetLab(folder: day))
  }
  for policy in DynamicPolicy.cloudSimExamples {
    Benchmark("policy-day \(policy.name) 20110303") { _ in
      let w = try DynamicWorkload.planetLab(folder: day)
      let config = DynamicConfiguration.cloudSimPlanetLab(vms: w.count)
      blackHole(DynamicSimulation.run(policy: policy, workload: w, configuration: config))
    }
  }
}
