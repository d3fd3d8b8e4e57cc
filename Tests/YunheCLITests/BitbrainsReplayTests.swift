import Foundation
import Testing

@testable import YunheCLI

/// The figures of a replay scenario that the checks depend on.
struct ReplayFigures {
  var hostCores: Int
  var hostSpeed: Double
  var hostMemoryGiB: Double
  var hostRackUnits: Int
  var hostMaxWatts: Double
  var cpuOvercommit: Double
  var headroom: Double
  /// Usable rack units and power budget of an after-cabinet.
  var cabinetRackUnits: Int
  var cabinetBudgetWatts: Double

  /// Reference cores of one pool host.
  var compute: Double { Double(hostCores) * hostSpeed }
  var allocatableVCPU: Double { Double(hostCores) * cpuOvercommit * (1 - headroom) }
  var allocatableGiB: Double { hostMemoryGiB * (1 - headroom) }
  var hostsPerCabinet: Int {
    min(cabinetRackUnits / hostRackUnits, Int((cabinetBudgetWatts / hostMaxWatts).rounded(.down)))
  }

  /// The generated fixture scenario (`ReplayScenario.yaml`).
  static let fixture = ReplayFigures(
    hostCores: 24, hostSpeed: 1.25, hostMemoryGiB: 128, hostRackUnits: 2, hostMaxWatts: 400, cpuOvercommit: 2,
    headroom: 0.1, cabinetRackUnits: 40, cabinetBudgetWatts: 6000)

  /// `scenarios/bitbrains-replay.yaml` (pool host `pool-2u`, pool `rnd`, `cabinets.after`).
  static let bundled = ReplayFigures(
    hostCores: 48, hostSpeed: 1.25, hostMemoryGiB: 768, hostRackUnits: 2, hostMaxWatts: 650, cpuOvercommit: 3,
    headroom: 0.2, cabinetRackUnits: 38, cabinetBudgetWatts: 8000)
}

/// A scenario whose one pool replays a Bitbrains folder: one system `vm-<id>` per trace VM, each
/// with one dedicated 16-core server before, all moving in one wave.
enum ReplayScenario {
  enum Mapping {
    /// `map: {vm-<id>: "<id>"}`, flavour = the VM's size in the trace.
    case explicit
    /// `map: sample` with this seed, every system of flavour `vmSize`, which is also `vm_size`.
    case sample(seed: Int, vmSize: String)
  }

  /// Dedicated server of every system: 16 cores at speed 1, 2 U, 300 W.
  static let serverCores = 16.0
  /// Before-cabinets hold 40 U and 1.5 kW: 5 servers each.
  static let serversPerCabinet = 5

  static func yaml(
    name: String, trace: String, vms: [ReferenceVM], mapping: Mapping, horizon: String, waveStart: String,
    figures f: ReplayFigures = .fixture
  ) -> String {
    var map = ""
    var flavours: [String] = []
    switch mapping {
    case .explicit:
      map = "{" + vms.map { "vm-\($0.name): \"\($0.name)\"" }.joined(separator: ", ") + "}"
      flavours = vms.map(\.flavour)
    case .sample(let seed, let size):
      map = "sample\n      seed: \(seed)\n      vm_size: \(size)"
      flavours = vms.map { _ in size }
    }
    var y = """
      name: \(name)
      seed: 11
      horizon: \(horizon)
      sample_interval: 5m
      scheduler: first-fit-decreasing
      datacenter: {pue: 1.5, tariff_cny_per_kwh: 1}
      cabinets:
        before: {rack_units: 42, reserved_rack_units: 2, power_budget_kw: 1.5, monthly_rent_cny: 1000}
        after: {rack_units: 42, reserved_rack_units: \(42 - f.cabinetRackUnits), power_budget_kw: \(f.cabinetBudgetWatts / 1000), monthly_rent_cny: 2000}
      host_models:
        - {name: old, cores: \(Int(serverCores)), memory_gib: 128, rack_units: 2, power: {idle_w: 150, max_w: 300}, price_cny: 20000, amortisation_months: 60}
        - {name: new, cores: \(f.hostCores), relative_speed: \(f.hostSpeed), memory_gib: \(f.hostMemoryGiB), rack_units: \(f.hostRackUnits), power: {idle_w: 120, max_w: \(f.hostMaxWatts)}, price_cny: 60000, amortisation_months: 60}
      pools:
        - name: pool
          host_model: new
          cpu_overcommit: \(f.cpuOvercommit)
          headroom: \(f.headroom)
          trace:
            format: bitbrains
            path: \(trace)
            map: \(map)
      bureaus:
        - {name: b, class: small}
      systems:

      """
    for (vm, flavour) in zip(vms, flavours) {
      y +=
        "  - {name: vm-\(vm.name), bureau: b, kind: shared, before: {servers: 1, model: old}, after: {pool: pool, flavour: \(flavour), vms: 1}}\n"
    }
    y +=
      "waves:\n  - name: all\n    start: \(waveStart)\n    systems: [\(vms.map { "vm-\($0.name)" }.joined(separator: ", "))]\n"
    return y
  }
}

/// What a replay report must show.
struct ReplayExpectation {
  /// Trace VMs, in trace order.
  var vms: [ReferenceVM]
  /// System of each VM (same order) and its flavour's vCPU and GiB.
  var systems: [(name: String, vcpu: Double, gib: Double)]
  /// CPU and memory scale of each VM: cores and GiB at utilisation 1.
  var cpuScale: [Double]
  var memoryScale: [Double]
  var figures: ReplayFigures
  /// Samples in the horizon.
  var samples: Int
  /// Start of the first and of the last wave, seconds.
  var firstWave: Int64
  var lastWave: Int64
  /// Compute capacity of the dedicated servers (reference cores) and the before-cabinets, when
  /// every system has one server of the same size.
  var dedicatedCompute: Double
  var beforeCabinets: Int?
}

/// Checks a replay report against the trace read independently (see `ReferenceVM`).
func checkReplay(_ report: RunReport, _ e: ReplayExpectation) throws {
  let n = e.vms.count
  let f = e.figures
  for file in ["manifest.json", "summary.json", "timeseries.csv", "placements.csv", "report.md"] {
    #expect(
      FileManager.default.fileExists(atPath: report.folder.appendingPathComponent(file).path), "\(file)")
  }

  // Every trace VM is one system with one VM, placed exactly once, at its flavour.
  let placed = report.placements.filter { $0["status"] == "placed" }
  #expect(report.placements.count == n, "rejected or extra rows in placements.csv")
  #expect(placed.map { $0["system"] ?? "" }.sorted() == e.systems.map(\.name).sorted())
  #expect(Set(placed.map { $0["vm"] ?? "" }) == Set(e.systems.map { "\($0.name)-vm1" }))
  let size = Dictionary(uniqueKeysWithValues: e.systems.map { ($0.name, ($0.vcpu, $0.gib)) })
  var perHost: [Int: (vcpu: Double, gib: Double)] = [:]
  for p in placed {
    let system = p["system"] ?? ""
    let vcpu = Double(p["vcpu"] ?? "") ?? .nan
    let gib = Double(p["memory_gib"] ?? "") ?? .nan
    #expect(vcpu == size[system]?.0 && gib == size[system]?.1, "\(system): \(vcpu) vCPU, \(gib) GiB")
    let host = Int(p["host"] ?? "") ?? -1
    perHost[host, default: (0, 0)].vcpu += vcpu
    perHost[host, default: (0, 0)].gib += gib
  }

  // Hosts: positive, what the placements use, within the capacity bounds.
  let hosts = report.integer("after", "hosts")
  let pools = report.objects("pools")
  #expect(pools.count == 1)
  #expect(hosts > 0)
  #expect(
    hosts == Int(numeric(pools.first?["hosts_used"]) ?? -1) + Int(numeric(pools.first?["spare_hosts"]) ?? -1))
  #expect(Set(perHost.keys) == Set(0..<hosts), "hosts used by placements: \(perHost.keys.sorted())")
  for (host, used) in perHost {
    #expect(
      used.vcpu <= f.allocatableVCPU + 1e-9 && used.gib <= f.allocatableGiB + 1e-9, "host \(host): \(used)")
  }
  let vcpu = e.systems.reduce(0) { $0 + $1.vcpu }
  let gib = e.systems.reduce(0) { $0 + $1.gib }
  let lowerBound = max(
    Int((vcpu / f.allocatableVCPU).rounded(.up)), Int((gib / f.allocatableGiB).rounded(.up)))
  #expect(hosts >= lowerBound && hosts <= n, "\(hosts) hosts for \(vcpu) vCPU and \(gib) GiB")
  #expect(report.integer("after", "vms") == n)
  #expect(report.integer("after", "systems") == n)
  #expect(report.integer("after", "servers") == 0)
  #expect(report.integer("before", "systems") == n)
  #expect(report.integer("before", "servers") == n)
  #expect(report.integer("before", "hosts") == 0)
  #expect(report.integer("before", "vms") == 0)
  #expect(report.integer("rejected_vms") == 0)

  // Cabinets: positive and consistent with the hosts and servers.
  for state in ["before", "after"] {
    #expect(report.integer(state, "cabinets") > 0)
    #expect(
      report.integer(state, "cabinets")
        == report.integer(state, "dedicated_cabinets") + report.integer(state, "pool_cabinets"))
  }
  #expect(report.integer("after", "dedicated_cabinets") == 0)
  #expect(report.integer("before", "pool_cabinets") == 0)
  #expect(report.integer("after", "pool_cabinets") == (hosts + f.hostsPerCabinet - 1) / f.hostsPerCabinet)
  if let before = e.beforeCabinets { #expect(report.integer("before", "cabinets") == before) }
  #expect(report.integer("before", "cabinets") <= n)
  let waves = report.objects("waves")
  #expect(numeric(waves.last?["hosts_after"]) == Double(hosts))
  #expect(numeric(waves.last?["cabinets_after"]) == Double(report.integer("after", "cabinets")))
  #expect(waves.reduce(0) { $0 + (numeric($1["vms_placed"]) ?? 0) } == Double(n))

  // Demand: the trace's, sample by sample. A VM's demand is capped at its flavour's vCPU × host
  // speed; no trace VM comes near it here, so the report must show the trace's demand unchanged.
  for (i, vm) in e.vms.enumerated() {
    #expect(
      vm.peakCPUUtilisation * e.cpuScale[i] < e.systems[i].vcpu * f.hostSpeed, "VM \(vm.name) would be capped"
    )
  }
  let origin = e.vms.map(\.firstBucket).min()!
  var cpu = [Double](repeating: 0, count: e.samples)
  var memory = [Double](repeating: 0, count: e.samples)
  for (i, vm) in e.vms.enumerated() {
    for (k, x) in vm.cpuDemand(origin: origin, count: e.samples, cores: e.cpuScale[i]).enumerated() {
      cpu[k] += x
    }
    for (k, x) in vm.memoryDemand(origin: origin, count: e.samples, gib: e.memoryScale[i]).enumerated() {
      memory[k] += x
    }
  }
  // Tolerances: the store keeps utilisation to 1/10 000 (half a code of each VM's scale), demand is
  // a Float (relative 1e-6 is generous), and the report rounds utilisation to 6 decimals.
  let cpuQuantum = 0.5e-4 * e.cpuScale.reduce(0, +)
  let memoryQuantum = 0.5e-4 * e.memoryScale.reduce(0, +)
  let meanCPU = cpu.reduce(0, +) / Double(e.samples)
  let meanMemory = memory.reduce(0, +) / Double(e.samples)
  let capacity = Double(hosts) * f.compute
  let memoryCapacity = Double(hosts) * f.hostMemoryGiB
  let cpuTolerance = cpuQuantum + 1e-6 * meanCPU + 5e-7 * capacity
  let memoryTolerance = memoryQuantum + 1e-6 * meanMemory + 5e-7 * memoryCapacity
  #expect(meanCPU > 20 * cpuTolerance && meanMemory > 20 * memoryTolerance, "the check would be empty")

  // summary.json: every host holds VMs in every sample of the after state, so the mean host
  // utilisation is the mean demand over the pool's capacity.
  #expect(report.integer("utilization", "host_intervals") == e.samples * hosts)
  let reportedCPU = report.number("utilization", "cpu_mean") * capacity
  let reportedMemory = report.number("utilization", "mem_mean") * memoryCapacity
  #expect(
    abs(reportedCPU - meanCPU) <= cpuTolerance,
    "mean CPU demand: report \(reportedCPU) cores, trace \(meanCPU) (tolerance \(cpuTolerance))")
  #expect(
    abs(reportedMemory - meanMemory) <= memoryTolerance,
    "mean memory: report \(reportedMemory) GiB, trace \(meanMemory) (tolerance \(memoryTolerance))")
  #expect(report.number("overload", "host_intervals") == 0)

  // timeseries.csv: the pool after the last wave and the dedicated servers before the first one
  // carry the trace's demand in every sample.
  let poolRows = report.timeseries.filter { $0["pool"] == "pool" || $0["pool"] == "rnd" }
  let dedicatedRows = report.timeseries.filter { $0["pool"] == "dedicated" }
  #expect(poolRows.count == e.samples && dedicatedRows.count == e.samples)
  var checked = 0
  for (k, row) in poolRows.enumerated() {
    let time = Int64(row["time_s"] ?? "") ?? -1
    #expect(time == Int64(k) * BitbrainsReference.bucketSeconds)
    let active = Int(row["hosts_active"] ?? "") ?? -1
    if time < e.firstWave { #expect(active == 0) }
    guard time >= e.lastWave else { continue }
    #expect(active == hosts)
    let cores = (Double(row["cpu_util"] ?? "") ?? .nan) * capacity
    let used = (Double(row["mem_util"] ?? "") ?? .nan) * memoryCapacity
    let tolerance = cpuQuantum + 1e-6 * cpu[k] + 5e-7 * capacity
    #expect(abs(cores - cpu[k]) <= tolerance, "sample \(k): pool \(cores) cores, trace \(cpu[k])")
    #expect(
      abs(used - memory[k]) <= memoryQuantum + 1e-6 * memory[k] + 5e-7 * memoryCapacity,
      "sample \(k): pool \(used) GiB, trace \(memory[k])")
    checked += 1
  }
  for (k, row) in dedicatedRows.enumerated() where Int64(k) * BitbrainsReference.bucketSeconds < e.firstWave {
    #expect(Int(row["hosts_active"] ?? "") == n)
    let cores = (Double(row["cpu_util"] ?? "") ?? .nan) * e.dedicatedCompute
    let tolerance = cpuQuantum + 1e-6 * cpu[k] + 5e-7 * e.dedicatedCompute
    #expect(abs(cores - cpu[k]) <= tolerance, "sample \(k): dedicated \(cores) cores, trace \(cpu[k])")
    checked += 1
  }
  #expect(checked >= e.samples / 2)
}

@Suite struct BitbrainsReplayTests {
  /// Seven VMs of Bitbrains Rnd 2013-7, 16.6 hours (see Tests/WorkloadTests/Fixtures/importers/README.md).
  static let fixture = root.appendingPathComponent(
    "Tests/WorkloadTests/Fixtures/importers/bitbrains-replay/2013-7")

  /// The shared month, when `../shared/data` is next to the repository.
  static let sharedMonth = root.deletingLastPathComponent().appendingPathComponent(
    "shared/data/traces/bitbrains-rnd/2013-7")
  static var sharedMonthPresent: Bool { FileManager.default.fileExists(atPath: sharedMonth.path) }

  func run(_ scenario: String, out: URL) throws -> RunReport {
    let code = YunheMain.run(["run", scenario, "--out", out.path, "--run-id", "r", "--quiet"])
    #expect(code == 0)
    let name = try String(contentsOfFile: scenario, encoding: .utf8).split(separator: "\n")
      .first { $0.hasPrefix("name: ") }!.dropFirst(6)
    return try RunReport(out.appendingPathComponent("\(name)/r"))
  }

  @Test func fixtureTraceReplaysThroughAPoolAndReports() throws {
    let vms = try BitbrainsReference.read(Self.fixture)
    #expect(vms.map(\.name) == ["8", "14", "23", "24", "28", "33", "38"])
    // VM 14 appears 3.7 h into the window (demand 0 before), VM 38 is off for its first 59 rows.
    #expect(vms.map(\.firstBucket).max()! - vms.map(\.firstBucket).min()! == 44)
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let scenario = folder.appendingPathComponent("replay.yaml")
    try ReplayScenario.yaml(
      name: "bitbrains-fixture", trace: Self.fixture.path, vms: vms, mapping: .explicit, horizon: "16h",
      waveStart: "2h"
    ).write(to: scenario, atomically: true, encoding: .utf8)
    let report = try run(scenario.path, out: folder)
    try checkReplay(
      report,
      ReplayExpectation(
        vms: vms, systems: vms.map { ("vm-\($0.name)", $0.cores, $0.memoryGiB.rounded(.up)) },
        cpuScale: vms.map(\.cores), memoryScale: vms.map(\.memoryGiB), figures: .fixture, samples: 192,
        firstWave: 7200, lastWave: 7200, dedicatedCompute: Double(vms.count) * ReplayScenario.serverCores,
        beforeCabinets: (vms.count + ReplayScenario.serversPerCabinet - 1) / ReplayScenario.serversPerCabinet)
    )
    // Two hosts at least: the 32- and 16-vCPU VMs do not share one (43.2 vCPU each).
    #expect(report.integer("after", "hosts") >= 2)
  }

  /// `map: sample` hands each system a different VM: with one size for all, the pool's demand in
  /// every sample is the sum over all trace VMs, which a VM drawn twice (or left out) would change.
  @Test func sampledMappingReplaysEveryTraceVMOnce() throws {
    let vms = try BitbrainsReference.read(Self.fixture)
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let scenario = folder.appendingPathComponent("sampled.yaml")
    try ReplayScenario.yaml(
      name: "bitbrains-sampled", trace: Self.fixture.path, vms: vms,
      mapping: .sample(seed: 3, vmSize: "4C8G"),
      horizon: "16h", waveStart: "0s"
    ).write(to: scenario, atomically: true, encoding: .utf8)
    let report = try run(scenario.path, out: folder)
    try checkReplay(
      report,
      ReplayExpectation(
        vms: vms, systems: vms.map { ("vm-\($0.name)", 4, 8) }, cpuScale: vms.map { _ in 4 },
        memoryScale: vms.map { _ in 8 }, figures: .fixture, samples: 192, firstWave: 0, lastWave: 0,
        dedicatedCompute: Double(vms.count) * ReplayScenario.serverCores,
        beforeCabinets: (vms.count + ReplayScenario.serversPerCabinet - 1) / ReplayScenario.serversPerCabinet)
    )
  }

  /// The bundled example on the whole shared month: 39 VMs, 30 days, two waves.
  @Test(.enabled(if: sharedMonthPresent)) func bundledScenarioReplaysTheSharedMonth() throws {
    let vms = try BitbrainsReference.read(Self.sharedMonth)
    #expect(vms.count == 39)
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let report = try run(path("scenarios/bitbrains-replay.yaml"), out: folder)
    // The scenario's dedicated servers: an old-1u (8 cores) for a VM of at most 8 cores and 64 GiB,
    // otherwise an old-2u (32 cores).
    let servers = vms.reduce(0.0) { $0 + ($1.cores <= 8 && $1.memoryGiB.rounded(.up) <= 64 ? 8 : 32) }
    try checkReplay(
      report,
      ReplayExpectation(
        vms: vms, systems: vms.map { ("rnd-\($0.name)", $0.cores, $0.memoryGiB.rounded(.up)) },
        cpuScale: vms.map(\.cores), memoryScale: vms.map(\.memoryGiB), figures: .bundled, samples: 8640,
        firstWave: 86_400, lastWave: 8 * 86_400, dedicatedCompute: servers, beforeCabinets: nil))
  }
}
