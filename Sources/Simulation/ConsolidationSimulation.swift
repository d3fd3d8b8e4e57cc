import CapacityModel
import Placement
import Scenario
import SimCore
import Stochastics

/// Options of one run.
public struct SimulationOptions: Sendable {
  /// Run seed; nil uses the scenario's.
  public var seed: UInt64?
  /// Policy used by every pool instead of the scenario's choice.
  public var scheduler: String?
  /// Where policies are looked up.
  public var registry: PlacementRegistry
  /// Whether to keep the per-sample series of the migration timeline.
  public var recordTimeseries: Bool

  /// Creates options.
  public init(
    seed: UInt64? = nil, scheduler: String? = nil, registry: PlacementRegistry = .standard,
    recordTimeseries: Bool = true
  ) {
    self.seed = seed
    self.scheduler = scheduler
    self.registry = registry
    self.recordTimeseries = recordTimeseries
  }
}

/// Runs a consolidation scenario: sizes VMs, places them wave by wave, replays demand before,
/// after and along the migration timeline, and sums up hosts, cabinets, energy and cost.
///
/// Three replays share one engine on the SimCore kernel:
/// - **before**: every system with dedicated servers stays on them for the whole horizon;
/// - **after**: every wave has moved at time 0 (the steady state of the plan);
/// - **plan**: waves move at their start offsets; this replay gives the time series.
public enum ConsolidationSimulation {
  /// Runs the scenario. `progress` receives fractions in 0…1.
  public static func run(
    _ scenario: Scenario, options: SimulationOptions = SimulationOptions(),
    progress: (@Sendable (Double) -> Void)? = nil
  ) throws(SimulationError) -> SimulationResult {
    let seed = options.seed ?? scenario.seed
    let streams = StreamFactory(runSeed: seed)
    let demand = try DemandBuilder.build(scenario, streams: streams)

    // Policies per pool, configured with the pool's scheduler parameters (none with --scheduler).
    var policies: [any PlacementPolicy] = []
    for p in scenario.pools {
      let name = options.scheduler ?? p.scheduler
      guard var policy = options.registry.policy(named: name) else {
        let hint = options.registry.suggestion(for: name).map { " (did you mean `\($0)`?)" } ?? ""
        throw SimulationError(
          input:
            "unknown scheduler `\(name)`\(hint); known: \(options.registry.names.joined(separator: ", "))")
      }
      if options.scheduler == nil && !p.schedulerParameters.isEmpty {
        let given = p.schedulerParameters
        do {
          policy = try options.registry.policy(named: name, parameters: policyParameters(given))
        } catch {
          throw SimulationError(input: "\(given.location): `\(given.field)`: \(error.description)")
        }
      }
      policies.append(policy)
    }

    let sizing = size(scenario, demand: demand)
    let plan = try place(scenario, sizing: sizing, policies: policies)

    let model = ReplayModel(scenario: scenario, demand: demand, plan: plan)
    let never = [Int64?](repeating: nil, count: scenario.waves.count)
    let atZero = [Int64?](repeating: 0, count: scenario.waves.count)
    let onPlan = scenario.waves.map { Optional($0.startMilliseconds) }
    let beforeRun = model.replay(waveStarts: never, record: false) { progress?($0 / 3) }
    let afterRun = model.replay(waveStarts: atZero, record: false) { progress?((1 + $0) / 3) }
    let planRun = model.replay(waveStarts: onPlan, record: options.recordTimeseries) {
      progress?((2 + $0) / 3)
    }

    let layout = try CabinetPlanner(scenario: scenario, plan: plan)
    let before = layout.state(
      movedWaves: 0, run: beforeRun, datacenter: scenario.datacenter, horizon: scenario.horizonMilliseconds)
    let after = layout.state(
      movedWaves: scenario.waves.count, run: afterRun, datacenter: scenario.datacenter,
      horizon: scenario.horizonMilliseconds)

    var waves: [WaveSummary] = []
    for (w, wave) in scenario.waves.enumerated() {
      let moved = layout.state(
        movedWaves: w + 1, run: nil, datacenter: scenario.datacenter, horizon: scenario.horizonMilliseconds)
      waves.append(
        WaveSummary(
          name: wave.name, startMilliseconds: wave.startMilliseconds, systems: wave.systems,
          vmsPlaced: plan.placements.filter { $0.wave == wave.name }.count,
          vmsRejected: plan.rejections.filter { $0.wave == wave.name }.count,
          serversRetired: wave.systems.reduce(0) { n, s in
            n + (scenario.systems.first { $0.system.name == s }?.system.dedicated?.count ?? 0)
          },
          hostsAfter: scenario.pools.indices.reduce(0) { $0 + plan.hostsUsed(pool: $1, movedWaves: w + 1) },
          cabinetsAfter: moved.cabinets))
    }

    var pools: [PoolSummary] = []
    for (p, spec) in scenario.pools.enumerated() {
      let used = plan.hostsUsed(pool: p, movedWaves: scenario.waves.count)
      let hosts = plan.hostStates[p].prefix(used)
      let allocatable = spec.pool.hostAllocatable * Double(max(used, 1))
      let allocated = hosts.reduce(ResourceVector.zero) { $0 + $1.allocated }
      pools.append(
        PoolSummary(
          name: spec.pool.name, scheduler: policies[p].name, hostsUsed: used,
          spareHosts: used > 0 ? spec.pool.spareHosts : 0,
          vms: plan.placements.filter { $0.pool == spec.pool.name }.count,
          vcpuAllocated: allocatable.vcpu > 0 ? allocated.vcpu / allocatable.vcpu : 0,
          memoryAllocated: allocatable.memoryGiB > 0 ? allocated.memoryGiB / allocatable.memoryGiB : 0,
          utilisation: afterRun.pools[p].summary))
    }

    let schedulerText: String
    let distinct = Array(Set(policies.map(\.name))).sorted()
    if distinct.count == 1 {
      schedulerText = distinct[0]
    } else {
      schedulerText = zip(scenario.pools, policies).map { "\($0.pool.name)=\($1.name)" }.joined(
        separator: ",")
    }
    return SimulationResult(
      scenario: scenario.name, seed: seed, scheduler: schedulerText,
      horizonMilliseconds: scenario.horizonMilliseconds,
      sampleIntervalMilliseconds: scenario.sampleIntervalMilliseconds, before: before, after: after,
      utilisation: afterRun.total.summary, pools: pools, waves: waves, sizing: sizing.map(\.record),
      placements: plan.placements, rejections: plan.rejections, timeseries: planRun.rows,
      eventsDispatched: beforeRun.events + afterRun.events + planRun.events)
  }

  // MARK: - Sizing

  struct Sized {
    var record: SystemSizing
    var vms: Int
  }

  static func size(_ scenario: Scenario, demand: [SystemDemand]) -> [Sized] {
    var out: [Sized] = []
    for (i, s) in scenario.systems.enumerated() {
      let cpu = demand[i].cpu.map(Double.init)
      let p95 = (try? Statistics.quantile(cpu, 0.95)) ?? 0
      let memPeak = Double(demand[i].memory.max() ?? 0)
      guard s.movable, let pool = scenario.pool(named: s.system.pool) else {
        out.append(
          Sized(
            record: SystemSizing(
              system: s.system.name, pool: "", flavour: "", vms: 0, rule: "stays on dedicated servers",
              cpuP95Cores: p95, memoryPeakGiB: memPeak), vms: 0))
        continue
      }
      let speed = pool.pool.hostModel.relativeSpeed
      var vms: Int
      var rule: String
      switch s.vmCount {
      case .fixed(let n):
        vms = n
        rule = "fixed"
      case .auto(let target, let minimum):
        let vmCores = s.flavour.size.vcpu * speed * target
        let byCPU = vmCores > 0 ? Int((p95 / vmCores).rounded(.up)) : 0
        let byMemory =
          s.flavour.size.memoryGiB > 0 ? Int((memPeak / s.flavour.size.memoryGiB).rounded(.up)) : 0
        vms = max(minimum, byCPU, byMemory)
        rule =
          "auto: p95 \(fmt(p95)) cores / (\(fmt(s.flavour.size.vcpu)) vCPU × speed \(fmt(speed)) × target \(fmt(target))) → \(byCPU); "
          + "peak memory \(fmt(memPeak)) GiB / \(fmt(s.flavour.size.memoryGiB)) GiB → \(byMemory); minimum \(minimum)"
      }
      out.append(
        Sized(
          record: SystemSizing(
            system: s.system.name, pool: pool.pool.name, flavour: s.flavour.name, vms: vms, rule: rule,
            cpuP95Cores: p95, memoryPeakGiB: memPeak), vms: vms))
    }
    return out
  }

  static func fmt(_ x: Double) -> String {
    let r = (x * 100).rounded() / 100
    return r == r.rounded() ? String(Int(r)) : String(r)
  }

  // MARK: - Placement

  /// The placement library's form of a pool's scheduler parameters.
  static func policyParameters(_ given: SchedulerParameters) -> PolicyParameters {
    var weights: [String: Double] = [:]
    for w in given.weights { weights[w.name] = w.value }
    return PolicyParameters(
      weights: weights, filters: given.filters, order: given.order.flatMap(BatchOrder.init(rawValue:)))
  }

  /// An empty snapshot of a pool: its hosts form one aggregate carrying the pool's zone, MLPS
  /// level, owner, tags and power curve; hosts per cabinet come from the after-cabinet model
  /// (rack units and power budget at the host's nameplate power), for the fewest-cabinets weigher.
  static func emptyCluster(_ spec: PoolSpec, cabinet: CabinetModel) -> ClusterSnapshot {
    let pool = spec.pool
    let model = pool.hostModel
    let byUnits = model.rackUnits > 0 ? cabinet.usableRackUnits / model.rackUnits : 1
    let byPower = model.budgetWatts > 0 ? Int(cabinet.powerBudgetKW * 1000 / model.budgetWatts) : byUnits
    let aggregate = HostAggregate(
      name: pool.name, zone: pool.zone, mlps: pool.mlps, dedicatedTo: pool.dedicatedTo, tags: Set(spec.tags),
      power: model.power)
    return ClusterSnapshot(
      hosts: [], newHostCapacity: pool.hostAllocatable, canOpenHost: true, aggregates: [aggregate],
      newHostAggregate: 0, hostsPerCabinet: max(1, min(byUnits, byPower)))
  }

  /// The placement request of VM number `k` (from 0) of system `s`.
  static func request(_ s: SystemSpec, vm k: Int) -> PlacementRequest {
    let name = s.system.name
    let group = s.constraints.serverGroup.map { g in
      ServerGroup(name: g.name, policy: g.policy == .affinity ? .affinity : .antiAffinity)
    }
    return PlacementRequest(
      id: "\(name)-vm\(k + 1)", size: s.flavour.size, system: name, bureau: s.system.bureau,
      mlps: s.system.mlps,
      zone: s.constraints.zone, tags: Set(s.constraints.tags), serverGroup: group)
  }

  static func place(_ scenario: Scenario, sizing: [Sized], policies: [any PlacementPolicy])
    throws(SimulationError)
    -> PlacementPlan
  {
    var plan = PlacementPlan(poolCount: scenario.pools.count, waveCount: scenario.waves.count)
    var clusters = scenario.pools.map { emptyCluster($0, cabinet: scenario.cabinetAfter) }
    for wave in scenario.waves {
      for (p, spec) in scenario.pools.enumerated() {
        var batch: [PlacementRequest] = []
        for name in wave.systems {
          guard let i = scenario.systems.firstIndex(where: { $0.system.name == name }) else { continue }
          let s = scenario.systems[i]
          guard s.system.pool == spec.pool.name else { continue }
          for k in 0..<sizing[i].vms {
            batch.append(request(s, vm: k))
          }
        }
        if batch.isEmpty {
          plan.hostsAfterWave[p].append(clusters[p].hosts.count)
          continue
        }
        let outcome = BatchPlacer.place(
          batch, into: clusters[p], maxHosts: spec.pool.maxHosts, policy: policies[p])
        for a in outcome.assignments {
          plan.placements.append(
            PlacementRecord(
              vm: a.request.id, system: a.request.system, bureau: a.request.bureau, wave: wave.name,
              pool: spec.pool.name, host: a.hostIndex, flavour: flavourName(scenario, a.request.system),
              vcpu: a.request.size.vcpu, memoryGiB: a.request.size.memoryGiB))
          guard let sys = scenario.systems.firstIndex(where: { $0.system.name == a.request.system }) else {
            continue
          }
          plan.vms.append(
            PlacedVM(system: sys, pool: p, host: a.hostIndex, share: 1 / Float(max(sizing[sys].vms, 1))))
        }
        for r in outcome.rejections {
          plan.rejections.append(
            RejectionRecord(
              vm: r.request.id, system: r.request.system, wave: wave.name, pool: spec.pool.name,
              reason: r.reason))
        }
        // Hosts must stay in index order 0..<n for the replay's flat indexing.
        for (j, h) in outcome.hosts.enumerated() where h.index != j {
          throw SimulationError(
            internal: "pool \(spec.pool.name): host indices are not contiguous (\(h.index) at \(j))")
        }
        clusters[p].hosts = outcome.hosts
        plan.hostsAfterWave[p].append(outcome.hosts.count)
      }
    }
    plan.hostStates = clusters.map(\.hosts)
    return plan
  }

  static func flavourName(_ scenario: Scenario, _ system: String) -> String {
    scenario.systems.first { $0.system.name == system }?.flavour.name ?? ""
  }
}

/// VM placements of a run and the pools' host counts after each wave.
struct PlacementPlan {
  var placements: [PlacementRecord] = []
  var rejections: [RejectionRecord] = []
  var vms: [PlacedVM] = []
  /// hostsAfterWave[pool][wave]
  var hostsAfterWave: [[Int]]
  var hostStates: [[HostState]] = []

  init(poolCount: Int, waveCount: Int) {
    hostsAfterWave = Array(repeating: [], count: poolCount)
  }

  /// Hosts holding VMs in a pool once `movedWaves` waves have moved.
  func hostsUsed(pool: Int, movedWaves: Int) -> Int {
    movedWaves == 0 ? 0 : hostsAfterWave[pool][movedWaves - 1]
  }
}

/// One VM in the replay: which system's demand it carries, where it runs.
struct PlacedVM {
  var system: Int
  var pool: Int
  var host: Int
  var share: Float
}
