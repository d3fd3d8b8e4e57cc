import Foundation

/// The figures of one policy-day (CloudSim's `Helper.printResults` definitions).
public struct DynamicResult: Sendable, Equatable {
  /// Policy name.
  public var policy: String
  /// Hosts and VMs simulated.
  public var hosts: Int
  /// VMs.
  public var vms: Int
  /// Energy, W·s.
  public var energyWs: Double
  /// Migrations started.
  public var migrations: Int
  /// SLA violation time per active host (fraction).
  public var slatah: Double
  /// Performance degradation due to migration (fraction).
  public var pdm: Double
  /// Overall SLA violation.
  public var overallViolation: Double
  /// Average SLA violation.
  public var averageViolation: Double
  /// Host shutdowns.
  public var shutdowns: Int
  /// Mean time before a host shutdown, s.
  public var meanTimeBeforeShutdown: Double
  /// Sample standard deviation of the time before a host shutdown, s.
  public var sdTimeBeforeShutdown: Double
  /// VMs removed because they requested nothing.
  public var vmsRemoved: Int
  /// VMs that found no host at t = 0.
  public var vmsUnplaced: Int
  /// Processing frames.
  public var frames: Int
  /// Simulated time of the last frame, s.
  public var lastFrameSeconds: Double

  /// Energy, kWh.
  public var energyKWh: Double { energyWs / 3.6e6 }
  /// SLAV = SLATAH × PDM.
  public var slav: Double { slatah * pdm }
  /// ESV = energy (kWh) × SLAV.
  public var esv: Double { energyKWh * slav }

  /// The summary as deterministic JSON (fixed key order, full precision).
  public var json: String {
    func num(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
    let fields: [(String, String)] = [
      ("policy", "\"\(policy)\""), ("hosts", "\(hosts)"), ("vms", "\(vms)"),
      ("energy_kwh", num(energyKWh)), ("energy_ws", num(energyWs)), ("migrations", "\(migrations)"),
      ("slatah", num(slatah)), ("pdm", num(pdm)), ("slav", num(slav)), ("esv", num(esv)),
      ("overall_sla_violation", num(overallViolation)), ("average_sla_violation", num(averageViolation)),
      ("host_shutdowns", "\(shutdowns)"), ("mean_time_before_host_shutdown_s", num(meanTimeBeforeShutdown)),
      ("stdev_time_before_host_shutdown_s", num(sdTimeBeforeShutdown)),
      ("vms_removed_zero_util", "\(vmsRemoved)"),
      ("vms_unplaced", "\(vmsUnplaced)"), ("frames", "\(frames)"), ("last_frame_s", num(lastFrameSeconds)),
    ]
    return "{\n" + fields.map { "  \"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "\n}\n"
  }

  /// The comparison table's header.
  public static let tableHeader =
    "| policy | energy kWh | migrations | SLATAH | PDM | SLAV | ESV | shutdowns | mean time before shutdown s |\n|---|---|---|---|---|---|---|---|---|"

  /// One table row.
  public var tableRow: String {
    String(
      format: "| %@ | %.5f | %d | %.7f | %.8f | %.5e | %.5e | %d | %.2f |", policy, energyKWh, migrations,
      slatah,
      pdm, slav, esv, shutdowns, meanTimeBeforeShutdown)
  }
}

extension Engine {
  func result() -> DynamicResult {
    var totalAllocated = 0.0
    var totalRequested = 0.0
    var under = 0.0
    for v in 0..<vmCount {
      let ledger = vmLedger[v]
      totalAllocated += ledger.totalAllocated
      totalRequested += ledger.totalRequested
      under += ledger.underMigration
    }
    let n = Double(shutdownTimes.count)
    let mean = shutdownTimes.isEmpty ? Double.nan : shutdownTimes.reduce(0, +) / n
    var variance = 0.0
    for x in shutdownTimes { variance += (x - mean) * (x - mean) }
    let sd = shutdownTimes.count > 1 ? (variance / (n - 1)).squareRoot() : .nan
    return DynamicResult(
      policy: policy.name, hosts: hostCount, vms: vmCount, energyWs: energyWs, migrations: migrations,
      slatah: activeTime > 0 ? slaTime / activeTime : 0,
      pdm: totalRequested > 0 ? under / totalRequested : 0,
      overallViolation: totalRequested > 0 ? (totalRequested - totalAllocated) / totalRequested : 0,
      averageViolation: violationCount > 0 ? violationSum / Double(violationCount) : 0,
      shutdowns: shutdownTimes.count, meanTimeBeforeShutdown: mean, sdTimeBeforeShutdown: sd,
      vmsRemoved: (0..<vmCount).filter { removed[$0] && !removedAt[$0].isNaN }.count,
      vmsUnplaced: unplaced, frames: frames, lastFrameSeconds: lastProcessTime)
  }
}

/// Runs dynamic-consolidation experiments.
public enum DynamicSimulation {
  /// Runs one policy over a workload.
  public static func run(
    policy: DynamicPolicy, workload: DynamicWorkload, configuration: DynamicConfiguration
  ) -> DynamicResult {
    Engine(config: configuration, policy: policy, workload: workload).run()
  }

  /// Runs one policy and also returns the migration list (time, VM, from, to).
  public static func runLogged(
    policy: DynamicPolicy, workload: DynamicWorkload, configuration: DynamicConfiguration
  ) -> (DynamicResult, [(time: Double, vm: Int, from: Int, to: Int)], placement: [Int], removedAt: [Double]) {
    let engine = Engine(config: configuration, policy: policy, workload: workload)
    engine.logMigrations = true
    engine.initialPlacementHook = true
    let r = engine.run()
    return (
      r, engine.migrationLog.map { ($0.time, Int($0.vm), Int($0.from), Int($0.to)) }, engine.initialHosts,
      engine.removedAt.array
    )
  }
}
