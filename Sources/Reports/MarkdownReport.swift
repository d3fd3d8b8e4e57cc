import CapacityModel
import Foundation
import Scenario
import Simulation

extension ReportContent {
  /// `report.md`: a readable account of the run for planners.
  public static func markdown(_ r: SimulationResult, scenario: Scenario) -> String {
    var md = "# Consolidation report: \(cell(scenario.name))\n\n"
    if !scenario.description.isEmpty { md += "\(escapeMarkdown(scenario.description))\n\n" }
    let days = Double(r.horizonMilliseconds) / 86_400_000
    md += "Seed \(r.seed) · scheduler `\(r.scheduler)` · horizon \(fixed(days, 1)) days sampled every "
    md += "\(fixed(Double(r.sampleIntervalMilliseconds) / 60_000, 1)) min\n\n"

    md += "## Before and after\n\n"
    md += "| | before | after | change |\n|---|---:|---:|---:|\n"
    func line(_ name: String, _ b: Double, _ a: Double, digits: Int = 0) {
      md += "| \(name) | \(fixed(b, digits)) | \(fixed(a, digits)) | \(change(b, a)) |\n"
    }
    line("business systems", Double(r.before.systems), Double(r.after.systems))
    line("dedicated servers", Double(r.before.servers), Double(r.after.servers))
    line("VMs", Double(r.before.vms), Double(r.after.vms))
    line("pool hosts (incl. spare)", Double(r.before.hosts), Double(r.after.hosts))
    line("cabinets", Double(r.before.cabinets), Double(r.after.cabinets))
    line("mean IT power (kW)", r.before.meanITPowerWatts / 1000, r.after.meanITPowerWatts / 1000, digits: 2)
    line("facility energy over the horizon (kWh)", r.before.energyKWh, r.after.energyKWh)
    line("cabinet rent (CNY/month)", r.before.cost.cabinetRent, r.after.cost.cabinetRent)
    line("electricity (CNY/month)", r.before.cost.electricity, r.after.cost.electricity)
    line("amortisation (CNY/month)", r.before.cost.amortisation, r.after.cost.amortisation)
    line("**total (CNY/month)**", r.before.cost.total, r.after.cost.total)
    md += "\n"

    md += "## Pool utilisation after consolidation\n\n"
    md +=
      "| pool | scheduler | hosts used | spare | VMs | vCPU allocated | memory allocated | CPU mean | CPU p95 | overloaded host-intervals |\n"
    md += "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    for p in r.pools {
      md += "| \(cell(p.name)) | \(cell(p.scheduler)) | \(p.hostsUsed) | \(p.spareHosts) | \(p.vms) | "
      md +=
        "\(percent(p.vcpuAllocated)) | \(percent(p.memoryAllocated)) | \(percent(p.utilisation.cpuMean)) | "
      md += "\(percent(p.utilisation.cpuP95)) | \(p.utilisation.overloadHostIntervals) |\n"
    }
    md += "\nAll pools: CPU mean \(percent(r.utilisation.cpuMean)), p95 \(percent(r.utilisation.cpuP95)), "
    md += "memory mean \(percent(r.utilisation.memoryMean)); \(r.utilisation.overloadHostIntervals) of "
    md += "\(r.utilisation.hostIntervals) host-intervals had CPU demand above capacity.\n\n"

    if !r.waves.isEmpty {
      md += "## Migration waves\n\n"
      md +=
        "| wave | starts (day) | systems | VMs placed | rejected | servers retired | hosts after | cabinets after |\n"
      md += "|---|---:|---|---:|---:|---:|---:|---:|\n"
      for w in r.waves {
        md += "| \(cell(w.name)) | \(fixed(Double(w.startMilliseconds) / 86_400_000, 1)) | "
        md += "\(w.systems.map(cell).joined(separator: ", ")) | \(w.vmsPlaced) | \(w.vmsRejected) | "
        md += "\(w.serversRetired) | \(w.hostsAfter) | \(w.cabinetsAfter) |\n"
      }
      md += "\n"
    }

    md += "## VM sizing per system\n\n"
    md += "| system | pool | flavour | VMs | p95 CPU (cores) | peak memory (GiB) | rule |\n"
    md += "|---|---|---|---:|---:|---:|---|\n"
    for s in r.sizing {
      md +=
        "| \(cell(s.system)) | \(cell(s.pool)) | \(cell(s.flavour)) | \(s.vms) | \(fixed(s.cpuP95Cores, 2)) | "
      md += "\(fixed(s.memoryPeakGiB, 1)) | \(cell(s.rule)) |\n"
    }
    md += "\n"

    if !r.rejections.isEmpty {
      md += "## Rejected VMs\n\n| VM | system | wave | pool | reason |\n|---|---|---|---|---|\n"
      for j in r.rejections {
        md +=
          "| \(cell(j.vm)) | \(cell(j.system)) | \(cell(j.wave)) | \(cell(j.pool)) | \(cell(j.reason)) |\n"
      }
      md += "\n"
    }

    md += "## How these figures are computed\n\n"
    md += "- *Before*: every system with dedicated servers runs on them for the whole horizon; each bureau's "
    md += "servers fill its own cabinets (\(scenario.cabinetBefore.usableRackUnits) usable U, "
    md += "\(fixed(scenario.cabinetBefore.powerBudgetKW, 1)) kW budget at nameplate power).\n"
    md +=
      "- *After*: every wave has moved; pool hosts, spare hosts and pool equipment fill the pool cabinets "
    md +=
      "(\(scenario.cabinetAfter.usableRackUnits) usable U, \(fixed(scenario.cabinetAfter.powerBudgetKW, 1)) kW); "
    md += "a dedicated cloud gets cabinets of its own.\n"
    md +=
      "- Energy is IT power × PUE (\(fixed(scenario.datacenter.pue, 2))) over the horizon; monthly electricity "
    md += "uses the mean power × 730 h × \(fixed(scenario.datacenter.tariffCNYPerKWh, 2)) CNY/kWh.\n"
    md += "- `timeseries.csv` follows the migration plan: each wave moves at its start offset.\n"
    if !scenario.warnings.isEmpty {
      md += "\n## Warnings\n\n"
      for w in scenario.warnings { md += "- \(escapeMarkdown(w.formatted(severity: "warning")))\n" }
    }
    return md
  }

  static func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

  static func percent(_ x: Double) -> String { String(format: "%.1f %%", x * 100) }

  static func change(_ before: Double, _ after: Double) -> String {
    guard before != 0 else { return "—" }
    return String(format: "%+.0f %%", (after - before) / before * 100)
  }

  /// Escapes characters that would break a Markdown table cell or inject markup.
  static func cell(_ s: String) -> String {
    escapeMarkdown(s).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
  }

  static func escapeMarkdown(_ s: String) -> String {
    s.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
  }
}
