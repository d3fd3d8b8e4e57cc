// Dynamic-consolidation benchmarks: one CloudSim-example policy-day on PlanetLab 20110303
// (800 hosts, 1052 VMs, 24 h), trace load included, when ../../shared/data is present. The
// figures to compare are CloudSim 3.0.3's quiet-harness wall times in
// ../shared/data/baselines/results.csv (ThrMmt 49.1 s).
import Benchmark
import DynamicConsolidation
import Foundation

let day = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  .appendingPathComponent("shared/data/traces/planetlab/20110303")

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident], maxIterations: 5)
  guard FileManager.default.fileExists(atPath: day.path) else { return }
  Benchmark("trace load 20110303") { _ in
    blackHole(try DynamicWorkload.planetLab(folder: day))
  }
  for name in ["Dvfs", "ThrMmt", "LrMmt", "LrMc"] {
    Benchmark("policy-day \(name) 20110303") { _ in
      let w = try DynamicWorkload.planetLab(folder: day)
      let policy = DynamicPolicy.named(name)!
      let config = DynamicConfiguration.cloudSimPlanetLab(vms: w.count)
      blackHole(DynamicSimulation.run(policy: policy, workload: w, configuration: config))
    }
  }
}
