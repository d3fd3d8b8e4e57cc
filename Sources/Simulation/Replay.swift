import CapacityModel
import Scenario
import SimCore

/// Accumulates host utilisation: sums for means and a fixed-width histogram for the p95.
struct UtilisationAccumulator {
  static let binWidth = 0.001
  static let bins = 4000
  var count = 0
  var cpuSum = 0.0
  var memorySum = 0.0
  var overloads = 0
  var histogram = [Int](repeating: 0, count: bins + 1)

  mutating func add(cpu: Double, memory: Double, overloaded: Bool) {
    count += 1
    cpuSum += cpu
    memorySum += memory
    if overloaded { overloads += 1 }
    let bin = min(Self.bins, max(0, Int(cpu / Self.binWidth)))
    histogram[bin] += 1
  }

  /// Smallest bin upper edge below which at least `p` of the samples fall.
  func quantile(_ p: Double) -> Double {
    guard count > 0 else { return 0 }
    let needed = Int((p * Double(count)).rounded(.up))
    var cumulative = 0
    for (i, n) in histogram.enumerated() {
      cumulative += n
      if cumulative >= needed { return Double(i + 1) * Self.binWidth }
    }
    return Double(Self.bins) * Self.binWidth
  }

  var summary: UtilisationSummary {
    UtilisationSummary(
      cpuMean: count > 0 ? cpuSum / Double(count) : 0, cpuP95: quantile(0.95),
      memoryMean: count > 0 ? memorySum / Double(count) : 0, overloadHostIntervals: overloads,
      hostIntervals: count)
  }
}

/// What one replay measured.
struct ReplayOutput {
  var pools: [UtilisationAccumulator]
  var total: UtilisationAccumulator
  /// IT energy over the horizon, watt-hours.
  var itEnergyWh: Double
  var rows: [TimeseriesRow]
  var events: Int
}

/// The demand-replay engine: at every sample, adds each active VM's demand to its host and
/// each dedicated system's demand to its servers, then derives utilisation and power.
struct ReplayModel {
  let scenario: Scenario
  let demand: [SystemDemand]
  let plan: PlacementPlan
  let sampleCount: Int

  init(scenario: Scenario, demand: [SystemDemand], plan: PlacementPlan) {
    self.scenario = scenario
    self.demand = demand
    self.plan = plan
    self.sampleCount = Int(scenario.horizonMilliseconds / scenario.sampleIntervalMilliseconds)
  }

  /// Replays the horizon with each wave moving at the given offset (nil: never).
  func replay(waveStarts: [Int64?], record: Bool, progress: @escaping (Double) -> Void) -> ReplayOutput {
    let systems = scenario.systems
    let pools = scenario.pools
    var inPool = [Bool](repeating: false, count: systems.count)
    let systemIndex = Dictionary(uniqueKeysWithValues: systems.enumerated().map { ($1.system.name, $0) })

    // Flat host arrays: pool p's hosts start at offset[p].
    var offset: [Int] = []
    var total = 0
    for p in pools.indices {
      offset.append(total)
      total += plan.hostStates[p].count
    }
    var hostCPU = [Double](repeating: 0, count: total)
    var hostMemory = [Double](repeating: 0, count: total)
    var hostActive = [Bool](repeating: false, count: total)
    let bureauOfSystem = systems.map { s in scenario.bureaus.firstIndex { $0.name == s.system.bureau }! }
    let roomWatts = scenario.roomEquipment.reduce(0) { $0 + $1.watts * Double($1.count) }
    let vmCapacity = plan.vms.map { vm -> Float in
      let s = systems[vm.system]
      return Float(s.flavour.size.vcpu * pools[vm.pool].pool.hostModel.relativeSpeed)
    }

    var out = ReplayOutput(
      pools: Array(repeating: UtilisationAccumulator(), count: pools.count), total: UtilisationAccumulator(),
      itEnergyWh: 0, rows: [], events: 0)
    if record { out.rows.reserveCapacity(sampleCount * (pools.count + 1)) }
    let hoursPerSample = Double(scenario.sampleIntervalMilliseconds) / 3_600_000
    let pue = scenario.datacenter.pue
    var sample = 0
    let progressStep = max(1, sampleCount / 100)

    let sim = Simulator()
    for (w, start) in waveStarts.enumerated() {
      guard let start else { continue }
      sim.schedule(at: SimTime(milliseconds: start), priority: 0) { _ in
        for name in scenario.waves[w].systems {
          if let i = systemIndex[name] { inPool[i] = true }
        }
      }
    }
    let interval = SimDuration(milliseconds: scenario.sampleIntervalMilliseconds)
    let last = SimTime(milliseconds: Int64(sampleCount - 1) * scenario.sampleIntervalMilliseconds)
    sim.every(interval, from: .zero, until: last, priority: 1) { sim in
      let k = sample
      sample += 1
      let time = sim.now.milliseconds / 1000
      for g in 0..<total {
        hostCPU[g] = 0
        hostMemory[g] = 0
        hostActive[g] = false
      }
      for (v, vm) in plan.vms.enumerated() where inPool[vm.system] {
        let g = offset[vm.pool] + vm.host
        let d = demand[vm.system]
        hostCPU[g] += Double(min(d.cpu[k] * vm.share, vmCapacity[v]))
        hostMemory[g] += Double(d.memory[k] * vm.share)
        hostActive[g] = true
      }
      var itWatts = 0.0
      for (p, spec) in pools.enumerated() {
        let model = spec.pool.hostModel
        let compute = model.computeCapacity
        var active = 0
        var cpuSum = 0.0
        var memorySum = 0.0
        var watts = 0.0
        for h in 0..<plan.hostStates[p].count {
          let g = offset[p] + h
          guard hostActive[g] else { continue }
          active += 1
          let u = hostCPU[g] / compute
          let m = hostMemory[g] / model.memoryGiB
          cpuSum += hostCPU[g]
          memorySum += hostMemory[g]
          watts += model.power.watts(atUtilisation: u)
          let overloaded = hostCPU[g] > compute * (1 + 1e-9)
          out.pools[p].add(cpu: u, memory: m, overloaded: overloaded)
          out.total.add(cpu: u, memory: m, overloaded: overloaded)
        }
        if active > 0 {
          watts += Double(spec.pool.spareHosts) * model.power.idleWatts
          watts += spec.equipment.reduce(0) { $0 + $1.watts * Double($1.count) }
        }
        itWatts += watts
        if record {
          let hosts = active + (active > 0 ? spec.pool.spareHosts : 0)
          let capacity = Double(hosts) * compute
          let memoryCapacity = Double(hosts) * model.memoryGiB
          out.rows.append(
            TimeseriesRow(
              timeSeconds: time, pool: spec.pool.name, hostsActive: hosts,
              cpuUtilisation: capacity > 0 ? cpuSum / capacity : 0,
              memoryUtilisation: memoryCapacity > 0 ? memorySum / memoryCapacity : 0, powerWatts: watts * pue)
          )
        }
      }
      // Dedicated servers of systems that have not moved.
      var servers = 0
      var capacity = 0.0
      var memoryCapacity = 0.0
      var cpuSum = 0.0
      var memorySum = 0.0
      var watts = 0.0
      var roomOpen = [Bool](repeating: false, count: scenario.bureaus.count)
      for (i, s) in systems.enumerated() where !inPool[i] {
        guard let fleet = s.system.dedicated else { continue }
        roomOpen[bureauOfSystem[i]] = true
        let cap = fleet.model.computeCapacity * Double(fleet.count)
        let used = min(Double(demand[i].cpu[k]), cap)
        servers += fleet.count
        capacity += cap
        memoryCapacity += fleet.model.memoryGiB * Double(fleet.count)
        cpuSum += used
        memorySum += Double(demand[i].memory[k])
        watts += Double(fleet.count) * fleet.model.power.watts(atUtilisation: cap > 0 ? used / cap : 0)
      }
      watts += Double(roomOpen.filter { $0 }.count) * roomWatts
      itWatts += watts
      if record {
        out.rows.append(
          TimeseriesRow(
            timeSeconds: time, pool: "dedicated", hostsActive: servers,
            cpuUtilisation: capacity > 0 ? cpuSum / capacity : 0,
            memoryUtilisation: memoryCapacity > 0 ? memorySum / memoryCapacity : 0, powerWatts: watts * pue))
      }
      out.itEnergyWh += itWatts * hoursPerSample
      if k % progressStep == 0 { progress(Double(k) / Double(max(sampleCount, 1))) }
    }
    out.events = sim.run(until: SimTime(milliseconds: scenario.horizonMilliseconds))
    progress(1)
    return out
  }
}
