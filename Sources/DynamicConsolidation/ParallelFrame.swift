import Foundation
import Synchronization

/// Where closing host and VM entries add to the run's sums (active time, SLA time, shutdowns,
/// VM violations).
protocol FrameSums {
  mutating func addActiveTime(_ d: Double)
  mutating func addSLATime(_ d: Double)
  mutating func addShutdown(_ d: Double)
  mutating func addViolation(_ x: Double)
}

/// Straight into the engine's sums (serial frames and everything outside frames).
struct EngineSums: FrameSums {
  unowned(unsafe) let engine: Engine

  @inline(__always) func addActiveTime(_ d: Double) { engine.activeTime += d }
  @inline(__always) func addSLATime(_ d: Double) { engine.slaTime += d }
  @inline(__always) func addShutdown(_ d: Double) { engine.shutdownTimes.append(d) }
  @inline(__always) func addViolation(_ x: Double) {
    engine.violationSum += x
    engine.violationCount += 1
  }
}

/// Into one chunk's slots of the frame's logs, in the order its hosts (and their VMs) produce
/// them; the parallel frame adds the logs to the engine's sums in chunk order, which is the
/// serial frame's order.
struct ChunkSums: FrameSums {
  let active: UnsafeMutablePointer<Double>
  let sla: UnsafeMutablePointer<Double>
  let shutdowns: UnsafeMutablePointer<Double>
  let violations: UnsafeMutablePointer<Double>
  var activeCount = 0
  var slaCount = 0
  var shutdownCount = 0
  var violationCount = 0

  @inline(__always) mutating func addActiveTime(_ d: Double) {
    active[activeCount] = d
    activeCount += 1
  }
  @inline(__always) mutating func addSLATime(_ d: Double) {
    sla[slaCount] = d
    slaCount += 1
  }
  @inline(__always) mutating func addShutdown(_ d: Double) {
    shutdowns[shutdownCount] = d
    shutdownCount += 1
  }
  @inline(__always) mutating func addViolation(_ x: Double) {
    violations[violationCount] = x
    violationCount += 1
  }
}

/// The buffers of the parallel steps. Hosts are taken in chunks of `hostChunk` (VMs in chunks of
/// `vmChunk`) by whichever thread comes first; a host adds at most one value to each log per
/// frame, so chunk c's entries fit in the slots of its own hosts (its violations, at most one per
/// list entry, in the slots of its list entries), and the logs are read back in chunk order.
final class FrameBuffers {
  let hostChunk: Int
  let vmChunk: Int
  let chunks: Int
  let energy: Slab<Double>
  let active: Slab<Double>
  let sla: Slab<Double>
  let shutdowns: Slab<Double>
  let processed: Slab<Int32>
  private(set) var violations: Slab<Double>
  /// Per chunk: hosts processed, energy terms, active times, SLA times, shutdowns, violations.
  let counts: Slab<Int>
  /// Per chunk: the slot of its first list entry (for the violations).
  let listStart: Slab<Int>
  /// Per chunk: whether a VM is listed outside the incoming list of one of its hosts that is not
  /// the VM's home.
  let stray: Slab<Bool>
  /// Per host: whether it was pristine before the frame's reallocation of it; the overload scan's
  /// answers.
  let flags: Slab<Bool>
  /// The next chunk to take.
  let next = Atomic<Int>(0)
  /// Per thread (part): its own scratch and findings.
  let parts = [FramePart(), FramePart()]

  init(hosts: Int, vms: Int, hostChunk: Int, vmChunk: Int) {
    self.hostChunk = hostChunk
    self.vmChunk = vmChunk
    chunks = (hosts + hostChunk - 1) / hostChunk
    energy = Slab(repeating: 0, count: hosts)
    active = Slab(repeating: 0, count: hosts)
    sla = Slab(repeating: 0, count: hosts)
    shutdowns = Slab(repeating: 0, count: hosts)
    processed = Slab(repeating: 0, count: hosts)
    violations = Slab(repeating: 0, count: 0)
    counts = Slab(repeating: 0, count: chunks * 6)
    listStart = Slab(repeating: 0, count: chunks + 1)
    stray = Slab(repeating: false, count: chunks)
    flags = Slab(repeating: false, count: hosts)
  }

  /// Room for `n` violations (serially, before a step).
  func reserveViolations(_ n: Int) {
    guard n > violations.count else { return }
    violations.deallocate()
    violations = Slab(repeating: 0, count: Swift.max(n, 2 * violations.count))
  }

  /// The next chunk of `count` (nil when all are taken).
  @inline(__always) func take(_ count: Int) -> Int? {
    let c = next.add(1, ordering: .relaxed).oldValue
    return c < count ? c : nil
  }

  func deallocate() {
    for s in [energy, active, sla, shutdowns, violations] { s.deallocate() }
    processed.deallocate()
    counts.deallocate()
    listStart.deallocate()
    stray.deallocate()
    flags.deallocate()
    for part in parts { part.deallocate() }
  }
}

/// One thread's scratch and findings in the parallel steps.
final class FramePart {
  /// VMs whose history waits for the serial pass (listed on a host that is not their home).
  var deferred: [Int32] = []
  var zeroRequests = false
  var zeroWhileMigrating = false
  /// The overload scan's scratch.
  let scratch = Slab<Double>(repeating: 0, count: historyLength)
  let sortScratch = Slab<Double>(repeating: 0, count: historyLength)

  func deallocate() {
    scratch.deallocate()
    sortScratch.deallocate()
  }
}

extension Engine {
  /// Runs `body(0)` and `body(1)` on two threads (`FrameTeam.run`), the team started on first
  /// use; the parts must touch disjoint state.
  func onTwoThreads(_ body: (Int) -> Void) {
    startedTeam()._withUnsafeGuaranteedRef { $0.run(body) }
  }

  /// The second thread, started on first use, without reference counting (the engine keeps it
  /// in `team`).
  @inline(__always) func startedTeam() -> Unmanaged<FrameTeam> {
    if let teamRef { return teamRef }
    let created = FrameTeam()
    team = created
    teamRef = Unmanaged.passUnretained(created)
    return teamRef.unsafelyUnwrapped
  }

  /// The parallel steps' buffers, made on first use.
  func frameBuffers() -> FrameBuffers {
    if let buffers { return buffers }
    let made = FrameBuffers(hosts: hostCount, vms: vmCount, hostChunk: hostChunk, vmChunk: vmChunk)
    buffers = made
    return made
  }

  /// `processHosts` on two threads, with the same result bit for bit. Each step takes VMs or
  /// hosts in chunks, whichever thread comes first (so a thread that is slow to start, or
  /// preempted, leaves the other to do the rest):
  ///
  /// 1. Requests, by VM chunks.
  /// 2. Hosts, by host chunks: histories, allocation, utilisation, power, host entries and
  ///    energy, host by host as the serial loop. A VM's history (appended once per history
  ///    frame, whichever host lists it) is appended only in the chunk of its home host `vmHost`
  ///    (one host, one chunk); a VM listed on another host (migrating in) is left to a serial
  ///    pass. Host entries' contributions to the active time, SLA time and shutdowns, and the
  ///    energy terms, go to the chunk's log slots.
  /// 3. Hosts again, once every listed VM's history holds the new value: history sums
  ///    (`shiftHistorySum` needs the VMs' new values) and VM entries, whose violations go to the
  ///    chunk's log slots. A VM's entry is recorded where it is listed outside the incoming list,
  ///    which is only on its home host (see `refreshHosts`): one chunk per VM. Step 2 checks that
  ///    (`stray`); were it not so, the VM entries are recorded serially in host order.
  /// 4. Serially, in host order: the pristine set (two updates per host, as `reallocate` and
  ///    `updateHost` make them), then the logs added chunk by chunk, which is host order (and
  ///    list order within a host), the serial frame's order of additions.
  ///
  /// Data-race freedom: in each step a chunk writes only the per-host state of its own hosts
  /// (lists' allocations, which live in disjoint slots of the arena, caches, entries, flags),
  /// the per-VM state of its own VMs (step 1: its index range; steps 2–3: VMs whose home host is
  /// one of its hosts), its own log slots and its thread's part; everything else it reads
  /// (requests, flags, lists, `vmHost`) no thread writes during the step. An atomic counter
  /// gives each chunk to one thread, and `onTwoThreads` orders the steps.
  func processHostsInParallel(_ t: Double, dt: Double, periodicHistory: Bool, weights: SampleWeights) {
    let buffers = frameBuffers()
    let chunk = buffers.hostChunk
    var entries = 0
    for c in 0..<buffers.chunks {
      buffers.listStart[c] = entries
      for h in (c * chunk)..<Swift.min((c + 1) * chunk, hostCount) { entries += lists.count(h) }
    }
    buffers.listStart[buffers.chunks] = entries
    buffers.reserveViolations(entries)
    let history = periodicHistory && keepsHistory
    let nonPowerAware: Bool
    if case .nonPowerAware = policy.kind { nonPowerAware = true } else { nonPowerAware = false }

    let vmChunks = (vmCount + buffers.vmChunk - 1) / buffers.vmChunk
    buffers.next.store(0, ordering: .relaxed)
    onTwoThreads { p in
      let part = buffers.parts[p]
      var zeroRequests = false
      var zeroWhileMigrating = false
      while let c = buffers.take(vmChunks) {
        let range = (c * buffers.vmChunk)..<Swift.min((c + 1) * buffers.vmChunk, vmCount)
        let (zero, zeroMigrating) = self.computeRequests(range, weights)
        zeroRequests = zeroRequests || zero
        zeroWhileMigrating = zeroWhileMigrating || zeroMigrating
      }
      part.zeroRequests = zeroRequests
      part.zeroWhileMigrating = zeroWhileMigrating
    }
    buffers.next.store(0, ordering: .relaxed)
    onTwoThreads { p in
      let part = buffers.parts[p]
      part.deferred.removeAll(keepingCapacity: true)
      while let c = buffers.take(buffers.chunks) {
        self.processChunk(c, buffers, part, t, dt: dt, history: history, nonPowerAware: nonPowerAware)
      }
    }
    if history {
      for part in buffers.parts {
        for v32 in part.deferred {
          let v = Int(v32)
          if t > lastHistoryTime[v] {
            appendHistory(v, frameUtilisation[v])
            lastHistoryTime[v] = t
          }
        }
      }
    }
    var stray = serialVMEntries
    for c in 0..<buffers.chunks where buffers.stray[c] { stray = true }
    if history || !stray {
      buffers.next.store(0, ordering: .relaxed)
      onTwoThreads { _ in
        while let c = buffers.take(buffers.chunks) {
          self.closeChunk(c, buffers, t, history: history, recordVMs: !stray)
        }
      }
    }

    var frameEnergy = 0.0
    for c in 0..<buffers.chunks {
      let first = c * chunk
      for i in first..<(first + buffers.counts[c * 6]) {
        let h = Int(buffers.processed[i])
        updatePristine(h, pristine: buffers.flags[h])
        updatePristine(h)
      }
      if stray {
        var sums = EngineSums(engine: self)
        for i in first..<(first + buffers.counts[c * 6]) {
          recordVMEntries(Int(buffers.processed[i]), t, into: &sums)
        }
      }
      for i in first..<(first + buffers.counts[c * 6 + 1]) { frameEnergy += buffers.energy[i] }
    }
    addLogs(buffers, chunks: buffers.chunks, violations: !stray)
    energyWs += frameEnergy
    frames += 1
    parallelFrames += 1
    let parts = buffers.parts
    zeroRequestWhileMigrating = parts[0].zeroWhileMigrating || parts[1].zeroWhileMigrating
    if config.compat && (parts[0].zeroRequests || parts[1].zeroRequests) { removeIdleVMs(t) }
    lastProcessTime = t
  }

  /// Step 2 of `processHostsInParallel` for host chunk `c`: the serial loop's body, without the
  /// pristine set, the deferred histories and the VM entries.
  func processChunk(
    _ c: Int, _ buffers: FrameBuffers, _ part: FramePart, _ t: Double, dt: Double, history: Bool,
    nonPowerAware: Bool
  ) {
    let first = c * buffers.hostChunk
    var sums = ChunkSums(
      active: buffers.active.base + first, sla: buffers.sla.base + first,
      shutdowns: buffers.shutdowns.base + first, violations: buffers.violations.base)
    var processed = 0
    var energyCount = 0
    var stray = false
    for h in first..<Swift.min(first + buffers.hostChunk, hostCount) {
      if quiet[h] {
        if nonPowerAware && dt > 0 {
          buffers.energy[first + energyCount] = hostPower[h * 11 + 10] * dt
          energyCount += 1
        }
        continue
      }
      buffers.processed[first + processed] = Int32(h)
      processed += 1
      if history {
        for v32 in lists.ids(h) {
          let v = Int(v32)
          if Int(vmHost[v]) == h {
            if t > lastHistoryTime[v] {
              appendHistory(v, frameUtilisation[v])
              lastHistoryTime[v] = t
            }
          } else {
            part.deferred.append(v32)
          }
        }
      }
      let previous = cpuUtilisation(h)
      let from = currentPower[h]
      let wasOn = !lists.isEmpty(h)
      buffers.flags[h] = lists.isEmpty(h) && incoming.isEmpty(h) && util[h] == 0
      if !updateHostState(h, t, into: &sums) { stray = true }
      if dt > 0, let e = energy(h, previous: previous, from: from, wasOn: wasOn, dt: dt, nonPowerAware) {
        buffers.energy[first + energyCount] = e
        energyCount += 1
      }
    }
    let counts = buffers.counts.base + c * 6
    counts[0] = processed
    counts[1] = energyCount
    counts[2] = sums.activeCount
    counts[3] = sums.slaCount
    counts[4] = sums.shutdownCount
    buffers.stray[c] = stray
  }

  /// Step 3 of `processHostsInParallel` for host chunk `c`: history sums and VM entries.
  func closeChunk(_ c: Int, _ buffers: FrameBuffers, _ t: Double, history: Bool, recordVMs: Bool) {
    let first = c * buffers.hostChunk
    var sums = ChunkSums(
      active: buffers.active.base, sla: buffers.sla.base, shutdowns: buffers.shutdowns.base,
      violations: buffers.violations.base + buffers.listStart[c])
    for i in first..<(first + buffers.counts[c * 6]) {
      let h = Int(buffers.processed[i])
      if history { shiftHistorySum(h) }
      if recordVMs { recordVMEntries(h, t, into: &sums) }
    }
    buffers.counts[c * 6 + 5] = sums.violationCount
  }
  /// Adds the first `chunks` chunks' logs to the run's sums in chunk order (the serial order):
  /// active times, SLA times, shutdowns, and the violations when the chunks recorded them.
  func addLogs(_ buffers: FrameBuffers, chunks: Int, violations: Bool) {
    let chunk = buffers.hostChunk
    for c in 0..<chunks {
      let first = c * chunk
      for i in first..<(first + buffers.counts[c * 6 + 2]) { activeTime += buffers.active[i] }
      for i in first..<(first + buffers.counts[c * 6 + 3]) { slaTime += buffers.sla[i] }
      for i in first..<(first + buffers.counts[c * 6 + 4]) { shutdownTimes.append(buffers.shutdowns[i]) }
      if violations {
        let start = buffers.listStart[c]
        for i in start..<(start + buffers.counts[c * 6 + 5]) { violationSum += buffers.violations[i] }
        violationCount += buffers.counts[c * 6 + 5]
      }
    }
  }

  /// `updateHost` without the pristine set and the VM entries; returns whether every VM listed
  /// outside the incoming list has this host as its home.
  @inline(__always) func updateHostState<S: FrameSums>(_ h: Int, _ t: Double, into sums: inout S) -> Bool {
    reallocateHost(h)
    var utilisationMips = 0.0
    let requested = requestedSum[h]
    let vms = lists.ids(h)
    let a = lists.values(h)
    let anyIncoming = !incoming.isEmpty(h)
    var home = true
    for i in 0..<vms.count {
      let v32 = vms[i]
      let v = Int(v32)
      var allocated = a[i]
      if !anyIncoming || !incoming.contains(h, v32) {
        if Int(vmHost[v]) != h { home = false }
        if migrating[v] { allocated /= 0.9 }
      }
      utilisationMips += allocated
    }
    util[h] = utilisationMips
    currentPower[h] = power(h, cpuUtilisation(h))
    recordHost(
      h, HostEntry(time: t, allocated: utilisationMips, requested: requested, active: utilisationMips > 0),
      into: &sums)
    quiet[h] =
      utilisationMips == 0 && vms.isEmpty && !anyIncoming && hostHasPend[h] && !hostPend[h].active
      && hostHasPrev[h] && !hostPrev[h].active && !hostLastActive[h]
    return home
  }

  /// The VM entries `updateHost` records for host `h` (after its allocation), in list order.
  @inline(__always) func recordVMEntries<S: FrameSums>(_ h: Int, _ t: Double, into sums: inout S) {
    let vms = lists.ids(h)
    let a = lists.values(h)
    let anyIncoming = !incoming.isEmpty(h)
    for i in 0..<vms.count {
      let v32 = vms[i]
      let v = Int(v32)
      if !anyIncoming || !incoming.contains(h, v32) {
        recordVM(
          v, VMEntry(time: t, allocated: a[i], requested: request[v], migrating: migrating[v]), into: &sums)
      }
    }
  }

  /// `updateHost(h, t)` for each host of `hosts` (distinct) in their order: on two threads when
  /// the frames are (`largeFrames`) and these hosts' lists hold at least a quarter of
  /// `parallelThreshold` entries, with the same result bit for bit (on a PlanetLab day the
  /// hand-overs cost more than they save: LrMmt's day took 3.6 % longer). The steps are those
  /// of `processHostsInParallel` without histories and energy (these updates happen at the time
  /// of the last frame): host state and host entries by chunks of `hosts` (`updateChunk`), their
  /// contributions to the active time, SLA time and shutdowns in the chunks' log slots; then the
  /// VM entries (`closeChunk`; each VM is recorded only on its home host, whose chunk alone
  /// writes its record; serially in the hosts' order if a VM is listed elsewhere, or for tests);
  /// then, serially and in the hosts' order, the pristine set's two updates per host and the
  /// logs (`addLogs`), which is the serial loop's order of additions.
  func updateHosts(_ hosts: [Int], _ t: Double) {
    var entries = 0
    for h in hosts { entries += lists.count(h) }
    guard largeFrames, hosts.count > 1, entries >= parallelThreshold / 4 else {
      for h in hosts { updateHost(h, t) }
      return
    }
    let buffers = frameBuffers()
    let chunk = buffers.hostChunk
    let chunks = (hosts.count + chunk - 1) / chunk
    entries = 0
    for c in 0..<chunks {
      buffers.listStart[c] = entries
      for i in (c * chunk)..<Swift.min((c + 1) * chunk, hosts.count) { entries += lists.count(hosts[i]) }
    }
    buffers.listStart[chunks] = entries
    buffers.reserveViolations(entries)
    buffers.next.store(0, ordering: .relaxed)
    hosts.withUnsafeBufferPointer { list in
      onTwoThreads { _ in
        while let c = buffers.take(chunks) { self.updateChunk(c, list, buffers, t) }
      }
      var stray = serialVMEntries
      for c in 0..<chunks where buffers.stray[c] { stray = true }
      if !stray {
        buffers.next.store(0, ordering: .relaxed)
        onTwoThreads { _ in
          while let c = buffers.take(chunks) {
            self.closeChunk(c, buffers, t, history: false, recordVMs: true)
          }
        }
      }
      var sums = EngineSums(engine: self)
      for h in list {
        updatePristine(h, pristine: buffers.flags[h])
        updatePristine(h)
        if stray { recordVMEntries(h, t, into: &sums) }
      }
      addLogs(buffers, chunks: chunks, violations: !stray)
    }
    parallelUpdates += 1
  }

  /// The host step of `updateHosts` for chunk `c` of `hosts`: `updateHost` without the pristine
  /// set and the VM entries, the host entries' contributions in the chunk's log slots, the hosts
  /// in `processed` for `closeChunk`.
  func updateChunk(_ c: Int, _ hosts: UnsafeBufferPointer<Int>, _ buffers: FrameBuffers, _ t: Double) {
    let first = c * buffers.hostChunk
    var sums = ChunkSums(
      active: buffers.active.base + first, sla: buffers.sla.base + first,
      shutdowns: buffers.shutdowns.base + first, violations: buffers.violations.base)
    var stray = false
    let end = Swift.min(first + buffers.hostChunk, hosts.count)
    for i in first..<end {
      let h = hosts[i]
      buffers.processed[i] = Int32(h)
      buffers.flags[h] = lists.isEmpty(h) && incoming.isEmpty(h) && util[h] == 0
      if !updateHostState(h, t, into: &sums) { stray = true }
    }
    let counts = buffers.counts.base + c * 6
    counts[0] = end - first
    counts[2] = sums.activeCount
    counts[3] = sums.slaCount
    counts[4] = sums.shutdownCount
    buffers.stray[c] = stray
  }

  /// The overload scan at the start of `optimize` on two threads: hosts in chunks taken by
  /// whichever thread comes first, each thread with its own scratch buffers, the answers in a
  /// per-host flag, collected in host order. Besides its scratch, `isOverloaded` writes only the
  /// tested host's caches (history sum, largest RAM) for every detector (THR reads the requested
  /// sum; IQR and MAD sort their own copy of the history; LR and LRR regress on the stack), and
  /// reads state no thread writes during the scan, so the hosts may be tested in any order and
  /// on either thread, with the same answers and caches as the serial loop.
  func overloadedHostsInParallel(scanEmpty: Bool) -> [Int] {
    let buffers = frameBuffers()
    let chunk = buffers.hostChunk
    let flags = buffers.flags
    buffers.next.store(0, ordering: .relaxed)
    onTwoThreads { p in
      let part = buffers.parts[p]
      // The engine's own scratch on the caller's part, the part's on the worker's.
      let scratch = p == 0 ? self.scratch.base : part.scratch.base
      let sortScratch = p == 0 ? self.sortScratch.base : part.sortScratch.base
      while let c = buffers.take(buffers.chunks) {
        for h in (c * chunk)..<Swift.min((c + 1) * chunk, hostCount) {
          flags[h] =
            (scanEmpty || !lists.isEmpty(h))
            && isOverloaded(h, extra: -1, scratch: scratch, sortScratch: sortScratch)
        }
      }
    }
    var overloaded: [Int] = []
    for h in 0..<hostCount where flags[h] { overloaded.append(h) }
    parallelScans += 1
    return overloaded
  }
}
