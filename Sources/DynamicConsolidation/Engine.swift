import Foundation
import Stochastics

/// Length of a VM's CPU-utilisation history (CloudSim's `PowerVm.HISTORY_LENGTH`).
let historyLength = 30

/// The frame-driven simulation of one policy-day. Data-oriented: every VM and host attribute is a
/// flat array indexed by id; a host's VM list is a small array of VM ids in CloudSim's list order
/// (which decides ties).
final class Engine {
  let config: DynamicConfiguration
  let policy: DynamicPolicy
  let workload: DynamicWorkload
  let hostCount: Int
  let vmCount: Int

  // Hosts (constant).
  let hostTotal: [Double]
  let hostPe: [Double]
  let hostRam: [Int]
  let hostBw: [Double]
  let hostPower: [Double]  // 11 per host
  // VMs (constant).
  let vmMips: [Double]
  let vmRam: [Int]
  let vmBw: [Int]

  // VM state.
  var req: [Double]
  var inMigration: [Bool]
  var removed: [Bool]
  var vmHost: [Int32]
  var historyBuffer: [Double]
  var historyCount: [Int]
  var historyHead: [Int]
  var lastHistoryTime: [Double]
  var removedAt: [Double]
  var frameUtilisation: [Double]

  // Host state.
  var list: [[Int32]]
  var alloc: [[Double]]
  var migIn: [[Int32]]
  var available: [Double]
  var util: [Double]  // MIPS, from the last processing of the host
  var currentPower: [Double]  // P(util), from the last processing of the host
  var requestedSum: [Double]  // planning state: Σ requested MIPS of the host's VM list
  var plannedMips: [Double]  // planning state: CloudSim's getUtilizationOfCpuMips
  var hostHistoryCache: [Double]
  var hostHistoryValid: [Bool]
  /// An empty, idle host whose last two state entries are inactive: processing it changes
  /// nothing but the time of its pending inactive entry (which no metric reads), so frames skip it.
  var quiet: [Bool]
  /// Hosts that are not pristine (pristine: no VM listed, none migrating in, zero utilisation at
  /// the last processing), unordered, with each host's position (−1: pristine). Pristine hosts of
  /// one type are interchangeable for best fit, so only the lowest-numbered one is examined.
  var busy: [Int32]
  var busyPosition: [Int32]
  /// Pristine hosts as a bit set, and each host type's hosts as a mask over the same words.
  var pristineBits: [UInt64]
  var typeMasks: [[UInt64]]
  let hostType: [Int]

  // Metrics.
  var energyWs = 0.0
  var migrations = 0
  var lastProcessTime = 0.0
  var frames = 0
  var hostPend: [HostEntry]
  var hostHasPend: [Bool]
  var hostPrev: [HostEntry]
  var hostHasPrev: [Bool]
  var hostLastActive: [Bool]
  var hostLastOn: [Double]
  var slaTime = 0.0
  var activeTime = 0.0
  var shutdownTimes: [Double] = []
  var vmPend: [VMEntry]
  var vmHasPend: [Bool]
  var vmPrev: [VMEntry]
  var vmHasPrev: [Bool]
  var vmTotalAllocated: [Double]
  var vmTotalRequested: [Double]
  var vmUnderMigration: [Double]
  var violationSum = 0.0
  var violationCount = 0
  var migrationLog: [(time: Double, vm: Int32, from: Int32, to: Int32)] = []
  var logMigrations = false
  var unplaced = 0
  var initialPlacementHook = false
  var initialHosts: [Int] = []

  let random: RandomStream
  var scratch = [Double](repeating: 0, count: historyLength)

  struct HostEntry {
    var time: Double
    var allocated: Double
    var requested: Double
    var active: Bool
  }

  struct VMEntry {
    var time: Double
    var allocated: Double
    var requested: Double
    var migrating: Bool
  }

  init(config: DynamicConfiguration, policy: DynamicPolicy, workload: DynamicWorkload) {
    self.config = config
    self.policy = policy
    self.workload = workload
    hostCount = config.hostTypeOfHost.count
    vmCount = Swift.min(workload.count, config.vmTypeOfVM.count)
    let ht = config.hostTypeOfHost.map { config.hostTypes[$0] }
    hostTotal = ht.map(\.totalMips)
    hostPe = ht.map(\.peMips)
    hostRam = ht.map(\.ramMB)
    hostBw = ht.map { Double($0.bandwidth) }
    hostPower = ht.flatMap(\.powerTable)
    let vt = config.vmTypeOfVM.prefix(vmCount).map { config.vmTypes[$0] }
    vmMips = vt.map(\.mips)
    vmRam = vt.map(\.ramMB)
    vmBw = vt.map(\.bandwidth)
    req = vmMips
    inMigration = [Bool](repeating: false, count: vmCount)
    removed = [Bool](repeating: false, count: vmCount)
    vmHost = [Int32](repeating: -1, count: vmCount)
    historyBuffer = [Double](repeating: 0, count: vmCount * historyLength)
    historyCount = [Int](repeating: 0, count: vmCount)
    historyHead = [Int](repeating: historyLength - 1, count: vmCount)
    lastHistoryTime = [Double](repeating: 0, count: vmCount)
    removedAt = [Double](repeating: .nan, count: vmCount)
    frameUtilisation = [Double](repeating: 0, count: vmCount)
    list = [[Int32]](repeating: [], count: hostCount)
    alloc = [[Double]](repeating: [], count: hostCount)
    migIn = [[Int32]](repeating: [], count: hostCount)
    available = hostTotal
    util = [Double](repeating: 0, count: hostCount)
    currentPower = [Double](repeating: 0, count: hostCount)
    requestedSum = [Double](repeating: 0, count: hostCount)
    plannedMips = [Double](repeating: 0, count: hostCount)
    hostHistoryCache = [Double](repeating: 0, count: hostCount * historyLength)
    hostHistoryValid = [Bool](repeating: false, count: hostCount)
    quiet = [Bool](repeating: false, count: hostCount)
    hostType = config.hostTypeOfHost
    busy = []
    busyPosition = [Int32](repeating: -1, count: hostCount)
    let words = (hostCount + 63) / 64
    pristineBits = [UInt64](repeating: 0, count: words)
    typeMasks = [[UInt64]](repeating: [UInt64](repeating: 0, count: words), count: config.hostTypes.count)
    for h in 0..<hostCount {
      pristineBits[h >> 6] |= 1 << UInt64(h & 63)
      typeMasks[config.hostTypeOfHost[h]][h >> 6] |= 1 << UInt64(h & 63)
    }
    let h0 = HostEntry(time: 0, allocated: 0, requested: 0, active: false)
    hostPend = [HostEntry](repeating: h0, count: hostCount)
    hostHasPend = [Bool](repeating: false, count: hostCount)
    hostPrev = hostPend
    hostHasPrev = hostHasPend
    hostLastActive = [Bool](repeating: true, count: hostCount)
    hostLastOn = [Double](repeating: 0, count: hostCount)
    let v0 = VMEntry(time: 0, allocated: 0, requested: 0, migrating: false)
    vmPend = [VMEntry](repeating: v0, count: vmCount)
    vmHasPend = [Bool](repeating: false, count: vmCount)
    vmPrev = vmPend
    vmHasPrev = vmHasPend
    vmTotalAllocated = [Double](repeating: 0, count: vmCount)
    vmTotalRequested = vmTotalAllocated
    vmUnderMigration = vmTotalAllocated
    random = RandomStream(runSeed: config.seed, name: "dynamic.vm-selection.rs")
    for h in 0..<hostCount { currentPower[h] = power(h, 0) }
  }

  // MARK: - Model functions

  /// Trace utilisation at time `t` (CloudSim's in-memory PlanetLab model: exact on multiples of
  /// the interval, linear in between).
  @inline(__always) func utilisation(_ v: Int, _ t: Double) -> Double {
    let w = workload.samplesPerVM
    let base = v * w
    let period = workload.intervalSeconds
    if t.truncatingRemainder(dividingBy: period) == 0 {
      return workload.samples[base + Swift.min(Int(t) / Int(period), w - 1)]
    }
    let t1 = Int((t / period).rounded(.down))
    let t2 = Int((t / period).rounded(.up))
    let u1 = workload.samples[base + Swift.min(t1, w - 1)]
    let u2 = workload.samples[base + Swift.min(t2, w - 1)]
    let delta = (u2 - u1) / (Double(t2 - t1) * period)
    return u1 + delta * (t - Double(t1) * period)
  }

  /// SPECpower interpolation (CloudSim's `PowerModelSpecPower.getPower`).
  @inline(__always) func power(_ h: Int, _ u: Double) -> Double {
    let base = h * 11
    let scaled = u * 10
    // u ∈ [0, 1]: truncation is floor. CloudSim tests `u % 0.1 == 0`; fmod is only needed when
    // u is next to a table point.
    let lower = Int(scaled)
    let fraction = scaled - Double(lower)
    if (fraction < 1e-6 || fraction > 1 - 1e-6) && isMultipleOfTenth(u) {
      return hostPower[base + Int(scaled)]
    }
    let upper = fraction > 0 ? lower + 1 : lower
    let p1 = hostPower[base + lower]
    let p2 = hostPower[base + upper]
    let delta = (p2 - p1) / 10
    return p1 + delta * (u - Double(lower) / 10) * 100
  }

  /// `u.truncatingRemainder(dividingBy: 0.1) == 0` without libm's fmod: for 0 ≤ u ≤ 2 the
  /// remainder is zero exactly when u = k·0.1 for the integer k nearest u / 0.1, and a fused
  /// multiply-add tells that exactly (k·0.1 − u is computed with one rounding, zero only when
  /// the exact value is zero).
  @inline(__always) func isMultipleOfTenth(_ u: Double) -> Bool {
    guard u >= 0 && u <= 2 else { return u.truncatingRemainder(dividingBy: 0.1) == 0 }
    let k = (u / 0.1).rounded()
    return (-u).addingProduct(k, 0.1) == 0
  }

  @inline(__always) func cpuUtilisation(_ h: Int) -> Double {
    let u = util[h] / hostTotal[h]
    return (u > 1 && u < 1.01) ? 1 : Swift.min(u, 1)
  }

  @inline(__always) func isMigratingIn(_ h: Int, _ v: Int32) -> Bool {
    migIn[h].contains(v)
  }

  @inline(__always) func history(_ v: Int, _ i: Int) -> Double {
    historyBuffer[v * historyLength + (historyHead[v] - i + historyLength) % historyLength]
  }

  func appendHistory(_ v: Int, _ x: Double) {
    let head = (historyHead[v] + 1) % historyLength
    historyHead[v] = head
    historyBuffer[v * historyLength + head] = x
    historyCount[v] = Swift.min(historyCount[v] + 1, historyLength)
  }

  /// Recomputes a host's MIPS allocation from its VM list (time-shared with over-subscription:
  /// requests capped at the PE MIPS; a migrating-in VM gets 10 %, a migrating-out VM 90 %; if the
  /// requests exceed the capacity every VM is scaled and floored).
  func reallocate(_ h: Int) {
    let capacity = hostTotal[h]
    let pe = hostPe[h]
    var avail = capacity
    var over = false
    var total = 0.0
    var requested = 0.0
    var planned = 0.0
    let incomingList = migIn[h]
    list[h].withUnsafeBufferPointer { vms in
      if alloc[h].count != vms.count { alloc[h] = [Double](repeating: 0, count: vms.count) }
      alloc[h].withUnsafeMutableBufferPointer { a in
        for i in 0..<vms.count {
          let v = Int(vms[i])
          let r = req[v]
          requested += r
          let capped = Swift.min(r, pe)
          let incoming = !incomingList.isEmpty && incomingList.contains(vms[i])
          let tr = incoming ? capped * 0.1 : capped
          total += tr
          if !over && avail >= tr {
            avail -= tr
            a[i] = inMigration[v] && !incoming ? capped * 0.9 : (incoming ? capped * 0.1 : capped)
          } else {
            over = true
          }
        }
        if over {
          let scale = capacity / total
          for i in 0..<vms.count {
            let v = Int(vms[i])
            let capped = Swift.min(req[v], pe)
            let incoming = !incomingList.isEmpty && incomingList.contains(vms[i])
            if inMigration[v] && !incoming {
              a[i] = (capped * scale * 0.9).rounded(.down)
            } else if incoming {
              a[i] = (capped * 0.1 * scale).rounded(.down)
            } else {
              a[i] = (capped * scale).rounded(.down)
            }
          }
          avail = 0
        }
        for i in 0..<vms.count {
          if !incomingList.isEmpty && incomingList.contains(vms[i]) { planned += a[i] * 0.9 / 0.1 }
          planned += a[i]
        }
      }
    }
    available[h] = avail
    requestedSum[h] = requested
    plannedMips[h] = planned
    hostHistoryValid[h] = false
    if !list[h].isEmpty || !incomingList.isEmpty { quiet[h] = false }
    updatePristine(h)
  }

  /// Keeps the pristine set in step with the host's VM list, incoming list and utilisation.
  @inline(__always) func updatePristine(_ h: Int) {
    let pristine = list[h].isEmpty && migIn[h].isEmpty && util[h] == 0
    let position = Int(busyPosition[h])
    if pristine {
      guard position >= 0 else { return }
      let last = busy.removeLast()
      if Int(last) != h {
        busy[position] = last
        busyPosition[Int(last)] = Int32(position)
      }
      busyPosition[h] = -1
      pristineBits[h >> 6] |= 1 << UInt64(h & 63)
    } else {
      guard position < 0 else { return }
      busyPosition[h] = Int32(busy.count)
      busy.append(Int32(h))
      pristineBits[h >> 6] &= ~(1 << UInt64(h & 63))
    }
  }

  /// The lowest-numbered pristine host of `type` not excluded, or −1.
  func firstPristine(ofType type: Int, excluded: [Bool]) -> Int {
    let mask = typeMasks[type]
    for w in 0..<pristineBits.count {
      var bits = pristineBits[w] & mask[w]
      while bits != 0 {
        let h = w << 6 | bits.trailingZeroBitCount
        if !excluded[h] { return h }
        bits &= bits - 1
      }
    }
    return -1
  }

  // MARK: - Initial placement (t = 0)

  func initialPlacement() {
    var ramFree = hostRam
    var bwFree = hostBw
    let firstFit: Bool
    switch policy.kind {
    case .nonPowerAware, .dvfs: firstFit = true
    case .migration: firstFit = false
    }
    for v in 0..<vmCount {
      let mips = vmMips[v]
      var best = -1
      var minPower = Double.greatestFiniteMagnitude
      for h in 0..<hostCount {
        guard hostPe[h] >= mips, available[h] >= mips, ramFree[h] >= vmRam[v], bwFree[h] >= Double(vmBw[v])
        else { continue }
        if firstFit {
          best = h
          break
        }
        let after = (plannedUtilisationMips(h) + mips) / hostTotal[h]
        guard after <= 1 else { continue }
        let diff = power(h, after) - currentPower[h]
        if diff < minPower {
          minPower = diff
          best = h
        }
      }
      guard best >= 0 else {
        unplaced += 1
        removed[v] = true
        continue
      }
      ramFree[best] -= vmRam[v]
      bwFree[best] -= Double(vmBw[v])
      list[best].append(Int32(v))
      vmHost[v] = Int32(best)
      reallocate(best)
    }
  }

  // MARK: - Frames

  /// Processes every host at time `t`: requests, histories, allocations, state entries, energy,
  /// then removes VMs that request nothing.
  func processHosts(_ t: Double) {
    let dt = t - lastProcessTime
    let periodicHistory = (t - 0.1).truncatingRemainder(dividingBy: config.schedulingInterval) == 0
    // The interpolation weights depend on t only: computed once per frame.
    let period = workload.intervalSeconds
    let w = workload.samplesPerVM
    let exact = t.truncatingRemainder(dividingBy: period) == 0
    let t1 = exact ? Int(t) / Int(period) : Int((t / period).rounded(.down))
    let t2 = exact ? t1 : Int((t / period).rounded(.up))
    let k1 = Swift.min(t1, w - 1)
    let k2 = Swift.min(t2, w - 1)
    let span = Double(t2 - t1) * period
    let offset = t - Double(t1) * period
    workload.samples.withUnsafeBufferPointer { samples in
      for v in 0..<vmCount where !removed[v] {
        let u1 = samples[v * w + k1]
        let u: Double
        if exact {
          u = u1
        } else {
          let delta = (samples[v * w + k2] - u1) / span
          u = u1 + delta * offset
        }
        frameUtilisation[v] = u
        req[v] = u * vmMips[v]
      }
    }
    var frameEnergy = 0.0
    let nonPowerAware: Bool
    if case .nonPowerAware = policy.kind { nonPowerAware = true } else { nonPowerAware = false }
    for h in 0..<hostCount {
      if quiet[h] {
        if nonPowerAware && dt > 0 { frameEnergy += hostPower[h * 11 + 10] * dt }
        continue
      }
      if periodicHistory {
        for v32 in list[h] {
          let v = Int(v32)
          if t > lastHistoryTime[v] {
            appendHistory(v, frameUtilisation[v])
            lastHistoryTime[v] = t
          }
        }
      }
      let previous = cpuUtilisation(h)
      let wasOn = !list[h].isEmpty
      updateHost(h, t)
      if dt > 0 {
        if nonPowerAware {
          frameEnergy += hostPower[h * 11 + 10] * dt
        } else if config.compat ? previous != 0 : wasOn {
          // Compat: a host at 0 % draws nothing (CloudSim). Default: a host is off only when
          // it holds no VM; an idle host with VMs draws its idle power.
          let from = power(h, previous)
          let to = power(h, cpuUtilisation(h))
          frameEnergy += (from + (to - from) / 2) * dt
        }
      }
    }
    energyWs += frameEnergy
    frames += 1
    // Remove VMs that request no MIPS and are not migrating.
    for h in 0..<hostCount where !quiet[h] {
      var changed = false
      for v32 in list[h] {
        let v = Int(v32)
        // Compat only: CloudSim destroys a VM for good when it requests 0 MIPS at a frame.
        if config.compat && !inMigration[v] && req[v] == 0 && !removed[v] {
          removed[v] = true
          removedAt[v] = t
          let home = Int(vmHost[v])
          if home >= 0 {
            list[home].removeAll { $0 == v32 }
            reallocate(home)
          }
          if home != h {
            list[h].removeAll { $0 == v32 }
            changed = true
          }
          vmHost[v] = -1
        }
      }
      if changed { reallocate(h) }
    }
    lastProcessTime = t
  }

  /// CloudSim's `HostDynamicWorkload.updateVmsProcessing` for one host at time `t`.
  func updateHost(_ h: Int, _ t: Double) {
    reallocate(h)
    var utilisationMips = 0.0
    var requested = 0.0
    let vms = list[h]
    let a = alloc[h]
    for (i, v32) in vms.enumerated() {
      let v = Int(v32)
      var allocated = a[i]
      if !isMigratingIn(h, v32) {
        recordVM(v, VMEntry(time: t, allocated: allocated, requested: req[v], migrating: inMigration[v]))
        if inMigration[v] { allocated /= 0.9 }
      }
      utilisationMips += allocated
      requested += req[v]
    }
    util[h] = utilisationMips
    currentPower[h] = power(h, cpuUtilisation(h))
    recordHost(
      h, HostEntry(time: t, allocated: utilisationMips, requested: requested, active: utilisationMips > 0))
    updatePristine(h)
    quiet[h] =
      utilisationMips == 0 && vms.isEmpty && migIn[h].isEmpty && hostHasPend[h] && !hostPend[h].active
      && hostHasPrev[h] && !hostPrev[h].active && !hostLastActive[h]
  }

  func recordHost(_ h: Int, _ e: HostEntry) {
    if hostHasPend[h] {
      if hostPend[h].time == e.time {
        hostPend[h] = e
        return
      }
      finalizeHost(h)
    }
    hostPend[h] = e
    hostHasPend[h] = true
  }

  func finalizeHost(_ h: Int) {
    let e = hostPend[h]
    if hostHasPrev[h] {
      let p = hostPrev[h]
      if p.active {
        let d = e.time - p.time
        activeTime += d
        if p.allocated < p.requested { slaTime += d }
      }
    }
    if hostLastActive[h] && !e.active { shutdownTimes.append(e.time - hostLastOn[h]) }
    if !hostLastActive[h] && e.active { hostLastOn[h] = e.time }
    hostLastActive[h] = e.active
    hostPrev[h] = e
    hostHasPrev[h] = true
    hostHasPend[h] = false
  }

  func recordVM(_ v: Int, _ e: VMEntry) {
    if vmHasPend[v] {
      if vmPend[v].time == e.time {
        vmPend[v] = e
        return
      }
      finalizeVM(v)
    }
    vmPend[v] = e
    vmHasPend[v] = true
  }

  func finalizeVM(_ v: Int) {
    let e = vmPend[v]
    if vmHasPrev[v] {
      let p = vmPrev[v]
      let d = e.time - p.time
      vmTotalAllocated[v] += p.allocated * d
      vmTotalRequested[v] += p.requested * d
      if p.allocated < p.requested {
        violationSum += (p.requested - p.allocated) / p.requested
        violationCount += 1
        if p.migrating { vmUnderMigration[v] += (p.requested - p.allocated) * d }
      }
    }
    vmPrev[v] = e
    vmHasPrev[v] = true
    vmHasPend[v] = false
  }

  // MARK: - Run

  func run() -> DynamicResult {
    initialPlacement()
    if initialPlacementHook { initialHosts = vmHost.map { Int($0) } }
    if !config.compat {
      // Default: hosts are processed at t = 0 so that energy and SLA time count from the start
      // (CloudSim's first frame adds nothing, its hosts' previous utilisation being 0).
      processHosts(0)
      frames -= 1
    }
    var t = 0.1 + config.schedulingInterval
    let migrating: Bool
    if case .migration = policy.kind { migrating = true } else { migrating = false }
    while t <= config.limitSeconds {
      processHosts(t)
      if migrating {
        let plan = optimize(t)
        startMigrations(plan, at: t)
        completeMigrations(plan, startedAt: t)
      }
      t += config.schedulingInterval
    }
    for h in 0..<hostCount where hostHasPend[h] { finalizeHost(h) }
    for v in 0..<vmCount where vmHasPend[v] { finalizeVM(v) }
    return result()
  }

  func startMigrations(_ plan: [(vm: Int32, host: Int32)], at t: Double) {
    for (v32, target32) in plan {
      let v = Int(v32)
      let target = Int(target32)
      inMigration[v] = true
      if !migIn[target].contains(v32) {
        migIn[target].append(v32)
        list[target].append(v32)
        updateHost(target, t)
        let source = Int(vmHost[v])
        if source >= 0 { updateHost(source, t) }
        if logMigrations { migrationLog.append((t, v32, vmHost[v], target32)) }
      }
      migrations += 1
    }
  }

  func completeMigrations(_ plan: [(vm: Int32, host: Int32)], startedAt t: Double) {
    guard !plan.isEmpty else { return }
    var events: [(time: Double, index: Int)] = []
    events.reserveCapacity(plan.count)
    for (i, p) in plan.enumerated() {
      let delay = Double(vmRam[Int(p.vm)]) / (hostBw[Int(p.host)] / (2 * 8000))
      events.append((t + delay, i))
    }
    events.sort { $0.time < $1.time || ($0.time == $1.time && $0.index < $1.index) }
    for (k, e) in events.enumerated() where e.time <= config.limitSeconds {
      if e.time > lastProcessTime { processHosts(e.time) }
      let v32 = plan[e.index].vm
      let v = Int(v32)
      let target = Int(plan[e.index].host)
      let home = Int(vmHost[v])
      if home >= 0 {
        list[home].removeAll { $0 == v32 }
        reallocate(home)
      }
      migIn[target].removeAll { $0 == v32 }
      list[target].removeAll { $0 == v32 }
      inMigration[v] = false
      if !removed[v] {
        list[target].append(v32)
        vmHost[v] = Int32(target)
      }
      reallocate(target)
      let next = k + 1 < events.count ? events[k + 1].time : .infinity
      if next > e.time { processHosts(e.time) }
    }
  }
}
