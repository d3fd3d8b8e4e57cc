import CapacityModel
import Foundation
import Scenario
import Simulation

/// Renders a run's result into the text of each report file (pure functions, no I/O).
public enum ReportContent {
  /// `summary.json`: the headline figures, nested by topic.
  public static func summary(_ r: SimulationResult) -> JSONValue {
    func state(_ s: StateSummary) -> JSONValue {
      .object([
        ("systems", .integer(s.systems)), ("servers", .integer(s.servers)), ("vms", .integer(s.vms)),
        ("hosts", .integer(s.hosts)), ("cabinets", .integer(s.cabinets)),
        ("dedicated_cabinets", .integer(s.dedicatedCabinets)), ("pool_cabinets", .integer(s.poolCabinets)),
        ("mean_it_power_w", .number(s.meanITPowerWatts)),
      ])
    }
    func cost(_ c: MonthlyCost) -> JSONValue {
      .object([
        ("cabinet_rent", .number(c.cabinetRent)), ("electricity", .number(c.electricity)),
        ("amortisation", .number(c.amortisation)), ("total", .number(c.total)),
      ])
    }
    let u = r.utilisation
    return .object([
      ("scenario", .string(r.scenario)),
      ("seed", .integer(Int(truncatingIfNeeded: r.seed))),
      ("scheduler", .string(r.scheduler)),
      ("horizon_s", .integer(Int(r.horizonMilliseconds / 1000))),
      ("sample_interval_s", .number(Double(r.sampleIntervalMilliseconds) / 1000)),
      ("before", state(r.before)),
      ("after", state(r.after)),
      (
        "utilization",
        .object([
          ("cpu_mean", .number(u.cpuMean)), ("cpu_p95", .number(u.cpuP95)),
          ("mem_mean", .number(u.memoryMean)),
          ("host_intervals", .integer(u.hostIntervals)),
        ])
      ),
      (
        "overload",
        .object([
          ("host_intervals", .integer(u.overloadHostIntervals)),
          (
            "share",
            .number(u.hostIntervals > 0 ? Double(u.overloadHostIntervals) / Double(u.hostIntervals) : 0)
          ),
        ])
      ),
      (
        "energy",
        .object([("before_kwh", .number(r.before.energyKWh)), ("after_kwh", .number(r.after.energyKWh))])
      ),
      (
        "cost",
        .object([
          ("before_cny_per_month", .number(r.before.cost.total)),
          ("after_cny_per_month", .number(r.after.cost.total)),
          ("saving_cny_per_month", .number(r.before.cost.total - r.after.cost.total)),
          ("before", cost(r.before.cost)), ("after", cost(r.after.cost)),
        ])
      ),
      (
        "pools",
        .array(
          r.pools.map { p in
            .object([
              ("name", .string(p.name)), ("scheduler", .string(p.scheduler)),
              ("hosts_used", .integer(p.hostsUsed)),
              ("spare_hosts", .integer(p.spareHosts)), ("vms", .integer(p.vms)),
              ("vcpu_allocated", .number(p.vcpuAllocated)), ("memory_allocated", .number(p.memoryAllocated)),
              ("cpu_mean", .number(p.utilisation.cpuMean)), ("cpu_p95", .number(p.utilisation.cpuP95)),
              ("overload_host_intervals", .integer(p.utilisation.overloadHostIntervals)),
            ])
          })
      ),
      (
        "waves",
        .array(
          r.waves.map { w in
            .object([
              ("name", .string(w.name)), ("start_s", .integer(Int(w.startMilliseconds / 1000))),
              ("systems", .array(w.systems.map { .string($0) })), ("vms_placed", .integer(w.vmsPlaced)),
              ("vms_rejected", .integer(w.vmsRejected)), ("servers_retired", .integer(w.serversRetired)),
              ("hosts_after", .integer(w.hostsAfter)), ("cabinets_after", .integer(w.cabinetsAfter)),
            ])
          })
      ),
      ("rejected_vms", .integer(r.rejections.count)),
    ])
  }

  /// `timeseries.csv`: one row per sample and pool (and `dedicated`).
  public static func timeseriesCSV(_ r: SimulationResult) -> String {
    var out = "time_s,pool,hosts_active,cpu_util,mem_util,power_w\n"
    out.reserveCapacity(r.timeseries.count * 48)
    for row in r.timeseries {
      out += "\(row.timeSeconds),\(csv(row.pool)),\(row.hostsActive),"
      out +=
        "\(formatNumber(row.cpuUtilisation)),\(formatNumber(row.memoryUtilisation)),\(formatNumber(row.powerWatts))\n"
    }
    return out
  }

  /// `placements.csv`: every VM's host, then every rejected VM with its reason.
  public static func placementsCSV(_ r: SimulationResult) -> String {
    var out = "vm,system,bureau,wave,pool,host,flavour,vcpu,memory_gib,status,reason\n"
    for p in r.placements {
      out += [p.vm, p.system, p.bureau, p.wave, p.pool].map(csv).joined(separator: ",")
      out += ",\(p.host),\(csv(p.flavour)),\(formatNumber(p.vcpu)),\(formatNumber(p.memoryGiB)),placed,\n"
    }
    for j in r.rejections {
      out += [j.vm, j.system, "", j.wave, j.pool].map(csv).joined(separator: ",")
      out += ",,,,,rejected,\(csv(j.reason))\n"
    }
    return out
  }

  /// Quotes a CSV field when it holds a comma, quote or line break.
  public static func csv(_ s: String) -> String {
    if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
      return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return s
  }
}
