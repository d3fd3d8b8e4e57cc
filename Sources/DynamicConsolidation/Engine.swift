import Foundation
import Stochastics

/// Length of a VM's CPU-utilisation history (CloudSim's `PowerVm.HISTORY_LENGTH`).
let historyLength = 30

// MARK: - Storage

/// Fixed-size storage with unchecked element access. The engine's per-VM and per-host state lives
/// in these rather than in arrays: writing an element of an array held by a class costs a
/// uniqueness check (a runtime call) per write, which was a fifth of a policy-day.
struct Slab<Element> {
  let base: UnsafeMutablePointer<Element>
  let count: Int

  init(repeating value: Element, count: Int) {
    base = Self.allocate(count)
    base.initialize(repeating: value, count: count)
    self.count = count
  }

  init(_ values: [Element]) {
    base = Self.allocate(values.count)
    _ = UnsafeMutableBufferPointer(start: base, count: values.count).initialize(from: values)
    count = values.count
  }

  /// `count` elements whose bytes are all zero (0, 0.0, false, nil), from `calloc`: a large slab
  /// comes as fresh zero pages from the kernel, so pages never written (a history a policy does
  /// not keep) cost no page fault and no clearing.
  init(zeroed count: Int) where Element: BitwiseCopyable {
    precondition(MemoryLayout<Element>.alignment <= 16)
    guard let raw = calloc(Swift.max(count, 1), MemoryLayout<Element>.stride) else {
      fatalError("out of memory: \(count) × \(MemoryLayout<Element>.stride) bytes")
    }
    base = raw.bindMemory(to: Element.self, capacity: Swift.max(count, 1))
    self.count = count
  }

  /// Room for `count` elements from `malloc` (as `init(zeroed:)`'s `calloc`, so that `deallocate`
  /// frees both alike).
  private static func allocate(_ count: Int) -> UnsafeMutablePointer<Element> {
    precondition(MemoryLayout<Element>.alignment <= 16)
    guard let raw = malloc(Swift.max(count, 1) * MemoryLayout<Element>.stride) else {
      fatalError("out of memory: \(count) × \(MemoryLayout<Element>.stride) bytes")
    }
    return raw.bindMemory(to: Element.self, capacity: Swift.max(count, 1))
  }

  @inline(__always) subscript(i: Int) -> Element {
    get { base[i] }
    nonmutating set { base[i] = newValue }
  }

  /// A copy as an array.
  var array: [Element] { Array(UnsafeBufferPointer(start: base, count: count)) }

  /// Overwrites every element (`values.count == count`).
  func assign(_ values: [Element]) {
    precondition(values.count == count)
    for i in 0..<count { base[i] = values[i] }
  }

  func deallocate() {
    base.deinitialize(count: count)
    free(base)
  }
}

/// Per-host VM lists in one arena, in CloudSim's list order, with one `Double` beside each entry
/// (the allocation). A list that outgrows its slot moves to the end of the arena with twice the
/// capacity, so the arena holds at most about twice the largest lists. Buffers returned by
/// `ids(_:)` and `values(_:)` are valid until the next `append` or `replace`.
struct HostLists {
  let start: Slab<Int>
  let length: Slab<Int32>
  let capacity: Slab<Int32>
  /// Each host's list version: a fresh number at every change (numbers are never reused, so a
  /// list restored to earlier contents may take back its earlier number), which caches of
  /// per-list sums compare.
  let version: Slab<UInt64>
  /// The last version given and the arena's used length, in a cache line of their own: they
  /// change at every list change of a round, while best fit's second thread reads the fields
  /// beside them (which do not change), and a line written by one core is a miss for the other.
  private let counters: UnsafeMutablePointer<UInt64>
  private(set) var idArena: UnsafeMutablePointer<Int32>
  private(set) var valueArena: UnsafeMutablePointer<Double>
  private(set) var arenaCapacity: Int

  private(set) var lastVersion: UInt64 {
    get { counters[0] }
    nonmutating set { counters[0] = newValue }
  }
  private(set) var used: Int {
    get { Int(counters[1]) }
    nonmutating set { counters[1] = UInt64(newValue) }
  }

  init(hosts: Int) {
    start = Slab(repeating: 0, count: hosts)
    length = Slab(repeating: 0, count: hosts)
    capacity = Slab(repeating: 0, count: hosts)
    version = Slab(repeating: 0, count: hosts)
    counters = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
      .initializeMemory(as: UInt64.self, repeating: 0, count: 8)
    arenaCapacity = Swift.max(64, hosts * 4)
    idArena = .allocate(capacity: arenaCapacity)
    idArena.initialize(repeating: 0, count: arenaCapacity)
    valueArena = .allocate(capacity: arenaCapacity)
    valueArena.initialize(repeating: 0, count: arenaCapacity)
  }

  func deallocate() {
    start.deallocate()
    length.deallocate()
    capacity.deallocate()
    version.deallocate()
    counters.deallocate()
    idArena.deallocate()
    valueArena.deallocate()
  }

  @inline(__always) func count(_ h: Int) -> Int { Int(length[h]) }
  @inline(__always) func isEmpty(_ h: Int) -> Bool { length[h] == 0 }
  @inline(__always) func ids(_ h: Int) -> UnsafeMutableBufferPointer<Int32> {
    UnsafeMutableBufferPointer(start: idArena + start[h], count: Int(length[h]))
  }
  @inline(__always) func values(_ h: Int) -> UnsafeMutableBufferPointer<Double> {
    UnsafeMutableBufferPointer(start: valueArena + start[h], count: Int(length[h]))
  }
  @inline(__always) func contains(_ h: Int, _ v: Int32) -> Bool {
    let n = Int(length[h])
    guard n > 0 else { return false }
    let p = idArena + start[h]
    for i in 0..<n where p[i] == v { return true }
    return false
  }

  /// Host `h`'s list as an array.
  func array(_ h: Int) -> [Int32] { Array(ids(h)) }

  private mutating func reserve(_ h: Int, _ needed: Int) {
    let cap = Int(capacity[h])
    guard needed > cap else { return }
    let newCap = Swift.max(4, cap * 2, needed)
    if used + newCap > arenaCapacity {
      let grown = Swift.max(arenaCapacity * 2, used + newCap)
      let ids = UnsafeMutablePointer<Int32>.allocate(capacity: grown)
      ids.initialize(repeating: 0, count: grown)
      ids.update(from: idArena, count: used)
      idArena.deallocate()
      idArena = ids
      let values = UnsafeMutablePointer<Double>.allocate(capacity: grown)
      values.update(from: valueArena, count: used)
      (values + used).initialize(repeating: 0, count: grown - used)
      valueArena.deallocate()
      valueArena = values
      arenaCapacity = grown
    }
    let n = Int(length[h])
    (idArena + used).update(from: idArena + start[h], count: n)
    (valueArena + used).update(from: valueArena + start[h], count: n)
    start[h] = used
    capacity[h] = Int32(newCap)
    used += newCap
  }

  mutating func append(_ h: Int, _ v: Int32) {
    let n = Int(length[h])
    reserve(h, n + 1)
    idArena[start[h] + n] = v
    length[h] = Int32(n + 1)
    lastVersion += 1
    version[h] = lastVersion
  }

  /// Removes every occurrence of `v` from host `h`'s list, keeping the order of the others.
  mutating func removeAll(_ h: Int, _ v: Int32) {
    let n = Int(length[h])
    let p = idArena + start[h]
    let q = valueArena + start[h]
    var k = 0
    for i in 0..<n where p[i] != v {
      p[k] = p[i]
      q[k] = q[i]
      k += 1
    }
    length[h] = Int32(k)
    lastVersion += 1
    version[h] = lastVersion
  }

  /// Replaces host `h`'s list by one it had at version `earlier` (its version becomes that).
  mutating func restore<C: Collection<Int32>>(_ h: Int, to vms: C, version earlier: UInt64) {
    replace(h, with: vms)
    version[h] = earlier
  }

  /// Replaces host `h`'s list.
  mutating func replace<C: Collection<Int32>>(_ h: Int, with vms: C) {
    reserve(h, vms.count)
    let p = idArena + start[h]
    for (i, v) in vms.enumerated() { p[i] = v }
    length[h] = Int32(vms.count)
    lastVersion += 1
    version[h] = lastVersion
  }
}

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
  let hostTotal: Slab<Double>
  let hostInverseTotal: Slab<Double>  // 1 / hostTotal, for best fit's approximate first pass
  let hostPe: Slab<Double>
  let hostRam: Slab<Int>
  let hostBw: Slab<Double>
  let hostPower: Slab<Double>  // 11 per host
  let hostPowerSlope: Slab<Double>  // (P[k + 1] − P[k]) / 10, 11 per host (the last 0)
  let tenths = Slab<Double>((0...10).map { Double($0) / 10 })
  let hostType: Slab<Int>
  // VMs (constant).
  let vmMips: Slab<Double>
  let vmRam: Slab<Int>
  let vmBw: Slab<Int>

  // VM state.
  let request: Slab<Double>  // requested MIPS at the last frame
  let migrating: Slab<Bool>
  let removed: Slab<Bool>
  let vmHost: Slab<Int32>
  let historyBuffer: Slab<Double>
  /// Each VM's history × its MIPS / host MIPS, per host type, in the same ring positions as
  /// `historyBuffer`: the terms of every host history sum, computed once when the value enters
  /// the history (`x * mips / total`, the same operations and so the same bits as before).
  let historyTerms: Slab<Double>
  let typeCount: Int
  let typeTotals: [Double]
  let historyCount: Slab<Int>
  let historyHead: Slab<Int>
  let lastHistoryTime: Slab<Double>
  let removedAt: Slab<Double>
  let frameUtilisation: Slab<Double>

  // Host state.
  /// Each host's VM list, with each entry's MIPS allocation beside it.
  var lists: HostLists
  /// Each host's migrating-in VMs.
  var incoming: HostLists
  let available: Slab<Double>
  let util: Slab<Double>  // MIPS, from the last processing of the host
  let currentPower: Slab<Double>  // P(util), from the last processing of the host
  let requestedSum: Slab<Double>  // planning state: Σ requested MIPS of the host's VM list
  let plannedMips: Slab<Double>  // planning state: CloudSim's getUtilizationOfCpuMips
  /// Each host's history sum (Σ VM history × VM MIPS / host MIPS, in list order), valid while
  /// its list version and the history epoch are those recorded.
  let hostHistoryCache: Slab<Double>
  let hostHistoryVersion: Slab<UInt64>
  let hostHistoryEpoch: Slab<Int>
  /// Index of the cached sum's last non-zero value (−1: none).
  let hostHistoryLast: Slab<Int>
  /// Each host's largest VM RAM, valid at the recorded list version.
  let hostMaxRam: Slab<Int>
  let hostMaxRamVersion: Slab<UInt64>
  /// Bumped on every frame that appends to VM histories.
  var historyEpoch = 1
  /// VM histories feed only the migration policies' overload tests and MC.
  let keepsHistory: Bool
  var historyEpochTime = -1.0
  /// An empty, idle host whose last two state entries are inactive: processing it changes
  /// nothing but the time of its pending inactive entry (which no metric reads), so frames skip it.
  let quiet: Slab<Bool>
  /// Hosts that are not pristine (pristine: no VM listed, none migrating in, zero utilisation at
  /// the last processing), unordered, with each host's position (−1: pristine). Pristine hosts of
  /// one type are interchangeable for best fit, so only the lowest-numbered one is examined.
  var busy: [Int32] = []
  let busyPosition: Slab<Int32>
  /// Pristine hosts as a bit set, and each host type's hosts as a mask over the same words.
  let pristineBits: Slab<UInt64>
  let typeMasks: [Slab<UInt64>]
  /// `refreshHosts`' scratch: the touched hosts as a bit set (all zero between calls).
  let touchedBits: Slab<UInt64>
  /// Per host type, a word of `pristineBits` before which no host of the type is pristine.
  let pristineHint: Slab<Int>

  // Metrics.
  var energyWs = 0.0
  var migrations = 0
  var lastProcessTime = 0.0
  var frames = 0
  /// Whether a completion time's closing frame may refresh only the hosts its completions
  /// touched (`refreshHosts`); tests turn it off to compare with full frames.
  var refreshFrames = true
  /// Closing frames done by `refreshHosts` (tests).
  var refreshes = 0
  /// Tests: count the frames at which some VM is listed outside a host's incoming list while
  /// another host is its home (`strayListings`; what `refreshHosts` rules out).
  var checksListings = false
  var strayListings = 0
  /// Frames with at least this many VM entries on the host lists run on two threads
  /// (`processHostsInParallel`), and so do the overload scans of planning rounds
  /// (`overloadedHostsInParallel`); `.max`: never. Tests set it.
  var parallelThreshold = 2000
  /// The second thread of the frames and overload scans, started on first use.
  var team: FrameTeam?
  /// `team` without reference counting (`startedTeam()` sets both).
  var teamRef: Unmanaged<FrameTeam>?
  /// Frames run by `processHostsInParallel`, overload scans by `overloadedHostsInParallel`
  /// (tests).
  var parallelFrames = 0
  var parallelScans = 0
  /// Host updates after migrations start or complete run on two threads by `updateHosts`
  /// (tests).
  var parallelUpdates = 0
  /// Whether the last full frame ran on two threads (its lists held `parallelThreshold` entries).
  var largeFrames = false
  /// Tests: record the VM entries of parallel frames serially, as if step 2 had found a stray
  /// listing.
  var serialVMEntries = false
  /// Host and VM chunk sizes of the parallel steps (tests set them small).
  var hostChunk = 256
  var vmChunk = 4096
  /// The parallel steps' buffers, made on first use.
  var buffers: FrameBuffers?
  /// Whether the last full frame saw a VM request nothing while migrating (compat mode's removal
  /// skipped it; once its migration completes, the next frame may remove it).
  var zeroRequestWhileMigrating = false
  let hostPend: Slab<HostEntry>
  let hostHasPend: Slab<Bool>
  let hostPrev: Slab<HostEntry>
  let hostHasPrev: Slab<Bool>
  let hostLastActive: Slab<Bool>
  let hostLastOn: Slab<Double>
  var slaTime = 0.0
  var activeTime = 0.0
  var shutdownTimes: [Double] = []
  /// Each VM's state entries and SLA sums, one record per VM (a frame updates all of them for
  /// every listed VM: one or two cache lines instead of seven arrays' lines).
  let vmLedger: Slab<VMLedger>
  var violationSum = 0.0
  var violationCount = 0
  var migrationLog: [(time: Double, vm: Int32, from: Int32, to: Int32)] = []
  var logMigrations = false
  var unplaced = 0
  var initialPlacementHook = false
  /// Whether initial placement scans every host rather than the busy hosts and the first empty
  /// host of each type (tests compare both; the result is the same).
  var initialPlacementScansEveryHost = false
  var initialHosts: [Int] = []

  let random: RandomStream
  /// MC's regression workspace (grown on demand).
  var correlationWorkspace: [Double] = []
  let scratch = Slab<Double>(repeating: 0, count: historyLength)
  let sortScratch = Slab<Double>(repeating: 0, count: historyLength)
  /// LR's closed-form prediction weights (`lrPredictionWeight`) for k = 0…15 migration
  /// intervals, row k for the ten values: computed once instead of at every test.
  let lrWeights: Slab<Double> = {
    let w = Slab<Double>(repeating: 0, count: 16 * 10)
    for k in 0..<16 {
      for i in 0..<10 { w[k * 10 + i] = lrPredictionWeight(i, intervals: Double(k)) }
    }
    return w
  }()

  /// The weight of value i (newest first, at x = 10 − i) in LR's closed-form prediction of the
  /// utilisation `intervals` scheduling intervals ahead: 0.1 + (x − 5.5)(4.5 + intervals)/82.5
  /// (least squares on x = 1…10, extrapolated).
  @inline(__always) static func lrPredictionWeight(_ i: Int, intervals: Double) -> Double {
    0.1 + (Double(10 - i) - 5.5) * (4.5 + intervals) / 82.5
  }
  /// Best fit's feasible candidates (power increase, host), for the rare second choice.
  let fitDiffs: Slab<Double>
  let fitHosts: Slab<Int32>
  /// Best fit's index of the busy hosts by planned MIPS (BestFit.swift).
  let fit: FitIndex
  /// An optimisation round's saved lists and exclusions, reused from round to round.
  let round: RoundScratch

  /// Trace interpolation weights of a frame's time (they depend on the time only).
  struct SampleWeights {
    let samplesPerVM: Int
    let exact: Bool
    let k1: Int
    let k2: Int
    let span: Double
    let offset: Double

    init(t: Double, period: Double, samplesPerVM w: Int) {
      samplesPerVM = w
      exact = t.truncatingRemainder(dividingBy: period) == 0
      let t1 = exact ? Int(t) / Int(period) : Int((t / period).rounded(.down))
      let t2 = exact ? t1 : Int((t / period).rounded(.up))
      k1 = Swift.min(t1, w - 1)
      k2 = Swift.min(t2, w - 1)
      span = Double(t2 - t1) * period
      offset = t - Double(t1) * period
    }
  }

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

  /// A VM's pending and previous state entries (`recordVM`, `finalizeVM`) and the sums they
  /// close into; the flags sit in the pending entry's tail padding (88 bytes in all).
  struct VMLedger {
    var pend: VMEntry
    var hasPend: Bool
    var hasPrev: Bool
    var prev: VMEntry
    var totalAllocated: Double
    var totalRequested: Double
    var underMigration: Double
  }

  // Array views of the state, for tests.
  var req: [Double] {
    get { request.array }
    set { request.assign(newValue) }
  }
  var inMigration: [Bool] {
    get { migrating.array }
    set { migrating.assign(newValue) }
  }
  var list: [[Int32]] {
    get { (0..<hostCount).map { lists.array($0) } }
    set { for h in 0..<hostCount { lists.replace(h, with: newValue[h]) } }
  }
  var alloc: [[Double]] { (0..<hostCount).map { Array(lists.values($0)) } }

  init(config: DynamicConfiguration, policy: DynamicPolicy, workload: DynamicWorkload) {
    self.config = config
    self.policy = policy
    self.workload = workload
    hostCount = config.hostTypeOfHost.count
    vmCount = Swift.min(workload.count, config.vmTypeOfVM.count)
    let ht = config.hostTypeOfHost.map { config.hostTypes[$0] }
    hostTotal = Slab(ht.map(\.totalMips))
    hostInverseTotal = Slab(ht.map { 1 / $0.totalMips })
    hostPe = Slab(ht.map(\.peMips))
    hostRam = Slab(ht.map(\.ramMB))
    hostBw = Slab(ht.map { Double($0.bandwidth) })
    hostPower = Slab(ht.flatMap(\.powerTable))
    var slopes: [Double] = []
    for t in ht {
      for k in 0..<11 {
        let p1: Double = t.powerTable[k]
        let p2: Double = k < 10 ? t.powerTable[k + 1] : p1
        slopes.append((p2 - p1) / 10)
      }
    }
    hostPowerSlope = Slab(slopes)
    hostType = Slab(config.hostTypeOfHost)
    let vt = config.vmTypeOfVM.prefix(vmCount).map { config.vmTypes[$0] }
    vmMips = Slab(vt.map(\.mips))
    vmRam = Slab(vt.map(\.ramMB))
    vmBw = Slab(vt.map(\.bandwidth))
    request = Slab(vt.map(\.mips))
    migrating = Slab(repeating: false, count: vmCount)
    removed = Slab(repeating: false, count: vmCount)
    vmHost = Slab(repeating: -1, count: vmCount)
    historyBuffer = Slab(zeroed: vmCount * historyLength)
    typeCount = config.hostTypes.count
    typeTotals = config.hostTypes.map(\.totalMips)
    historyTerms = Slab(zeroed: vmCount * config.hostTypes.count * historyLength)
    historyCount = Slab(repeating: 0, count: vmCount)
    historyHead = Slab(repeating: historyLength - 1, count: vmCount)
    lastHistoryTime = Slab(repeating: 0, count: vmCount)
    removedAt = Slab(repeating: .nan, count: vmCount)
    frameUtilisation = Slab(repeating: 0, count: vmCount)
    lists = HostLists(hosts: hostCount)
    incoming = HostLists(hosts: hostCount)
    available = Slab(ht.map(\.totalMips))
    util = Slab(repeating: 0, count: hostCount)
    currentPower = Slab(repeating: 0, count: hostCount)
    requestedSum = Slab(repeating: 0, count: hostCount)
    plannedMips = Slab(repeating: 0, count: hostCount)
    hostHistoryCache = Slab(zeroed: hostCount * historyLength)
    hostHistoryVersion = Slab(repeating: 0, count: hostCount)
    hostHistoryEpoch = Slab(repeating: 0, count: hostCount)
    hostHistoryLast = Slab(repeating: -1, count: hostCount)
    hostMaxRam = Slab(repeating: 0, count: hostCount)
    hostMaxRamVersion = Slab(repeating: .max, count: hostCount)
    quiet = Slab(repeating: false, count: hostCount)
    busyPosition = Slab(repeating: -1, count: hostCount)
    fitDiffs = Slab(repeating: 0, count: hostCount + 8)
    fitHosts = Slab(repeating: 0, count: hostCount + 8)
    fit = FitIndex(hostTypes: config.hostTypes, hostTypeOfHost: config.hostTypeOfHost)
    round = RoundScratch(hosts: hostCount)
    let words = (hostCount + 63) / 64
    pristineBits = Slab(repeating: 0, count: words)
    touchedBits = Slab(zeroed: words)
    typeMasks = config.hostTypes.indices.map { _ in Slab(repeating: 0, count: words) }
    pristineHint = Slab(repeating: 0, count: config.hostTypes.count)
    for h in 0..<hostCount {
      pristineBits[h >> 6] |= 1 << UInt64(h & 63)
      typeMasks[config.hostTypeOfHost[h]][h >> 6] |= 1 << UInt64(h & 63)
    }
    let h0 = HostEntry(time: 0, allocated: 0, requested: 0, active: false)
    hostPend = Slab(repeating: h0, count: hostCount)
    hostHasPend = Slab(repeating: false, count: hostCount)
    hostPrev = Slab(repeating: h0, count: hostCount)
    hostHasPrev = Slab(repeating: false, count: hostCount)
    hostLastActive = Slab(repeating: true, count: hostCount)
    hostLastOn = Slab(repeating: 0, count: hostCount)
    let v0 = VMEntry(time: 0, allocated: 0, requested: 0, migrating: false)
    vmLedger = Slab(
      repeating: VMLedger(
        pend: v0, hasPend: false, hasPrev: false, prev: v0, totalAllocated: 0, totalRequested: 0,
        underMigration: 0),
      count: vmCount)
    random = RandomStream(runSeed: config.seed, name: "dynamic.vm-selection.rs")
    if case .migration = policy.kind { keepsHistory = true } else { keepsHistory = false }
    for h in 0..<hostCount { currentPower[h] = power(h, 0) }
    configureFitPruning()
  }

  deinit {
    team?.stop()
    buffers?.deallocate()
    for s in [
      hostTotal, hostInverseTotal, hostPe, hostBw, hostPower, hostPowerSlope, tenths, vmMips, request,
      historyBuffer, historyTerms,
      lastHistoryTime, removedAt,
    ] {
      s.deallocate()
    }
    for s in [
      frameUtilisation, available, util, currentPower, requestedSum, plannedMips, hostHistoryCache,
      hostLastOn,
      scratch,
    ] { s.deallocate() }
    for s in [hostRam, hostType, vmRam, vmBw, historyCount, historyHead, hostHistoryEpoch, hostHistoryLast] {
      s.deallocate()
    }
    hostHistoryVersion.deallocate()
    hostMaxRam.deallocate()
    hostMaxRamVersion.deallocate()
    sortScratch.deallocate()
    lrWeights.deallocate()
    fitDiffs.deallocate()
    fitHosts.deallocate()
    fit.deallocate()
    for s in [
      migrating, removed, quiet, hostHasPend, hostHasPrev, hostLastActive,
    ] {
      s.deallocate()
    }
    vmHost.deallocate()
    busyPosition.deallocate()
    pristineBits.deallocate()
    touchedBits.deallocate()
    pristineHint.deallocate()
    for s in typeMasks { s.deallocate() }
    hostPend.deallocate()
    hostPrev.deallocate()
    vmLedger.deallocate()
    lists.deallocate()
    incoming.deallocate()
  }

  // MARK: - Model functions

  /// Trace utilisation at time `t` (CloudSim's in-memory PlanetLab model: exact on multiples of
  /// the interval, linear in between).
  @inline(__always) func utilisation(_ v: Int, _ t: Double) -> Double {
    let w = workload.samplesPerVM
    let period = workload.intervalSeconds
    if t.truncatingRemainder(dividingBy: period) == 0 {
      return workload.sample(v, Swift.min(Int(t) / Int(period), w - 1))
    }
    let t1 = Int((t / period).rounded(.down))
    let t2 = Int((t / period).rounded(.up))
    let u1 = workload.sample(v, Swift.min(t1, w - 1))
    let u2 = workload.sample(v, Swift.min(t2, w - 1))
    let delta = (u2 - u1) / (Double(t2 - t1) * period)
    return u1 + delta * (t - Double(t1) * period)
  }

  /// SPECpower interpolation (CloudSim's `PowerModelSpecPower.getPower`).
  @inline(__always) func power(_ h: Int, _ u: Double) -> Double {
    let scaled = u * 10
    // u ∈ [0, 1]: truncation is floor. CloudSim tests `u % 0.1 == 0`, which can only hold next
    // to a table point: that test is out of line, so callers' loops keep their registers.
    let lower = Int(scaled)
    let fraction = scaled - Double(lower)
    if _slowPath(fraction < 1e-6 || fraction > 1 - 1e-6) { return powerNearPoint(h, u) }
    return hostPower[h * 11 + lower] + hostPowerSlope[h * 11 + lower] * (u - tenths[lower]) * 100
  }

  /// `power` for u within 10⁻⁷ of a tenth.
  @inline(never) func powerNearPoint(_ h: Int, _ u: Double) -> Double {
    let base = h * 11
    let scaled = u * 10
    let lower = Int(scaled)
    let fraction = scaled - Double(lower)
    if isMultipleOfTenth(u) { return hostPower[base + Int(scaled)] }
    let p1 = hostPower[base + lower]
    // On a table point the slope is zero and CloudSim's formula gives p1 (+ a zero).
    guard fraction > 0 else { return p1 }
    // (p2 − p1) / 10 and lower / 10 from tables: the same divisions, done once.
    return p1 + hostPowerSlope[base + lower] * (u - tenths[lower]) * 100
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
    incoming.contains(h, v)
  }

  @inline(__always) func history(_ v: Int, _ i: Int) -> Double {
    historyBuffer[v * historyLength + (historyHead[v] - i + historyLength) % historyLength]
  }

  func appendHistory(_ v: Int, _ x: Double) {
    let head = historyHead[v] == historyLength - 1 ? 0 : historyHead[v] + 1
    historyHead[v] = head
    historyBuffer[v * historyLength + head] = x
    let mips = vmMips[v]
    for t in 0..<typeCount {
      historyTerms[(v * typeCount + t) * historyLength + head] = x * mips / typeTotals[t]
    }
    if historyCount[v] < historyLength { historyCount[v] += 1 }
  }

  /// Recomputes a host's MIPS allocation from its VM list (time-shared with over-subscription:
  /// requests capped at the PE MIPS; a migrating-in VM gets 10 %, a migrating-out VM 90 %; if the
  /// requests exceed the capacity every VM is scaled and floored).
  @inline(__always) func reallocate(_ h: Int) {
    reallocateHost(h)
    updatePristine(h)
  }

  /// `reallocate` but for the pristine set: the host's own state only.
  func reallocateHost(_ h: Int) {
    let capacity = hostTotal[h]
    let pe = hostPe[h]
    var avail = capacity
    var over = false
    var total = 0.0
    var requested = 0.0
    var planned = 0.0
    let vms = lists.ids(h)
    let a = lists.values(h)
    let anyIncoming = !incoming.isEmpty(h)
    if !anyIncoming {
      // No VM migrating in (the usual case): one pass, the planned sum in the same order. The
      // arrays' bases in locals: the stores to the allocations would otherwise make the
      // compiler reload them from the engine at every VM.
      let requests = request.base
      let migratingNow = migrating.base
      if let ids = vms.baseAddress, let allocations = a.baseAddress {
        for i in 0..<vms.count {
          let v = Int(ids[i])
          let r = requests[v]
          requested += r
          let capped = Swift.min(r, pe)
          total += capped
          if !over && avail >= capped {
            avail -= capped
            let x = migratingNow[v] ? capped * 0.9 : capped
            allocations[i] = x
            planned += x
          } else {
            over = true
          }
        }
      }
      if over {
        let scale = capacity / total
        planned = 0
        for i in 0..<vms.count {
          let v = Int(vms[i])
          let capped = Swift.min(request[v], pe)
          let x = migrating[v] ? (capped * scale * 0.9).rounded(.down) : (capped * scale).rounded(.down)
          a[i] = x
          planned += x
        }
        avail = 0
      }
      available[h] = avail
      requestedSum[h] = requested
      plannedMips[h] = planned
      if !vms.isEmpty { quiet[h] = false }
      return
    }
    for i in 0..<vms.count {
      let v = Int(vms[i])
      let r = request[v]
      requested += r
      let capped = Swift.min(r, pe)
      let isIncoming = incoming.contains(h, vms[i])
      let tr = isIncoming ? capped * 0.1 : capped
      total += tr
      if !over && avail >= tr {
        avail -= tr
        a[i] = migrating[v] && !isIncoming ? capped * 0.9 : (isIncoming ? capped * 0.1 : capped)
      } else {
        over = true
      }
    }
    if over {
      let scale = capacity / total
      for i in 0..<vms.count {
        let v = Int(vms[i])
        let capped = Swift.min(request[v], pe)
        let isIncoming = anyIncoming && incoming.contains(h, vms[i])
        if migrating[v] && !isIncoming {
          a[i] = (capped * scale * 0.9).rounded(.down)
        } else if isIncoming {
          a[i] = (capped * 0.1 * scale).rounded(.down)
        } else {
          a[i] = (capped * scale).rounded(.down)
        }
      }
      avail = 0
    }
    for i in 0..<vms.count {
      if anyIncoming && incoming.contains(h, vms[i]) { planned += a[i] * 0.9 / 0.1 }
      planned += a[i]
    }
    available[h] = avail
    requestedSum[h] = requested
    plannedMips[h] = planned
    if !vms.isEmpty || anyIncoming { quiet[h] = false }
  }

  /// Keeps the pristine set in step with the host's VM list, incoming list and utilisation.
  @inline(__always) func updatePristine(_ h: Int) {
    updatePristine(h, pristine: lists.isEmpty(h) && incoming.isEmpty(h) && util[h] == 0)
  }

  /// Sets whether host `h` is pristine.
  @inline(__always) func updatePristine(_ h: Int, pristine: Bool) {
    markFit(h)
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
      let type = hostType[h]
      if pristineHint[type] > h >> 6 { pristineHint[type] = h >> 6 }
    } else {
      guard position < 0 else { return }
      busyPosition[h] = Int32(busy.count)
      busy.append(Int32(h))
      pristineBits[h >> 6] &= ~(1 << UInt64(h & 63))
    }
  }

  /// The lowest-numbered pristine host of `type` not excluded from best fit, or −1.
  func firstPristine(ofType type: Int) -> Int {
    let excluded = fit.excluded
    let mask = typeMasks[type]
    var first = true
    for w in pristineHint[type]..<pristineBits.count {
      var bits = pristineBits[w] & mask[w]
      if first {
        if bits == 0 { continue }
        pristineHint[type] = w
        first = false
      }
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
    var ramFree = hostRam.array
    var bwFree = hostBw.array
    let firstFit: Bool
    switch policy.kind {
    case .nonPowerAware, .dvfs: firstFit = true
    case .migration: firstFit = false
    }
    // Hosts only fill up during initial placement (free MIPS, RAM and bandwidth shrink, planned
    // utilisation grows), so a VM shape that fitted nowhere fits nowhere later: its next VMs
    // skip the scan (at 100 k VMs three quarters of them do not fit, each a scan of every host).
    var unplaceable = Set<VMShape>()
    for v in 0..<vmCount {
      let mips = vmMips[v]
      let shape = VMShape(mips: mips.bitPattern, ram: vmRam[v], bw: vmBw[v])
      if unplaceable.contains(shape) {
        unplaced += 1
        removed[v] = true
        continue
      }
      // CloudSim scans every host in id order and keeps the first fit, or the first strict
      // improvement of the power increase: the least (increase, id). Hosts without a VM are
      // identical within their type (same capacity, nothing planned, power read as 0), so only
      // the lowest-numbered one of each type can be that host: the candidates are the hosts
      // that hold a VM and those, which keeps a run on many more hosts than VMs linear.
      var best = -1
      var minPower = Double.greatestFiniteMagnitude
      @inline(__always) func consider(_ h: Int) {
        guard hostPe[h] >= mips, available[h] >= mips, ramFree[h] >= vmRam[v], bwFree[h] >= Double(vmBw[v])
        else { return }
        if firstFit {
          if best < 0 || h < best { best = h }
          return
        }
        let after = (plannedUtilisationMips(h) + mips) / hostTotal[h]
        guard after <= 1 else { return }
        let diff = power(h, after) - currentPower[h]
        if diff < minPower || (diff == minPower && h < best) {
          minPower = diff
          best = h
        }
      }
      if initialPlacementScansEveryHost {
        for h in 0..<hostCount { consider(h) }
      } else {
        for b in busy { consider(Int(b)) }
        for type in 0..<typeMasks.count {
          let h = firstPristine(ofType: type)
          if h >= 0 { consider(h) }
        }
      }
      guard best >= 0 else {
        unplaced += 1
        removed[v] = true
        unplaceable.insert(shape)
        continue
      }
      ramFree[best] -= vmRam[v]
      bwFree[best] -= Double(vmBw[v])
      lists.append(best, Int32(v))
      vmHost[v] = Int32(best)
      reallocate(best)
    }
  }

  /// What initial placement asks of a host for a VM: MIPS (as bits), RAM and bandwidth.
  struct VMShape: Hashable {
    var mips: UInt64
    var ram: Int
    var bw: Int
  }

  // MARK: - Frames

  /// Processes every host at time `t`: requests, histories, allocations, state entries, energy,
  /// then removes VMs that request nothing.
  func processHosts(_ t: Double) {
    if checksListings && !listingsAreHomed() { strayListings += 1 }
    let dt = t - lastProcessTime
    let periodicHistory = (t - 0.1).truncatingRemainder(dividingBy: config.schedulingInterval) == 0
    if periodicHistory && t != historyEpochTime {
      historyEpoch += 1
      historyEpochTime = t
    }
    let weights = SampleWeights(t: t, period: workload.intervalSeconds, samplesPerVM: workload.samplesPerVM)
    largeFrames = parallelThreshold < .max && listedCount() >= parallelThreshold
    if largeFrames {
      processHostsInParallel(t, dt: dt, periodicHistory: periodicHistory, weights: weights)
      return
    }
    let (zeroRequests, zeroWhileMigrating) = computeRequests(0..<vmCount, weights)
    zeroRequestWhileMigrating = zeroWhileMigrating
    var frameEnergy = 0.0
    let nonPowerAware: Bool
    if case .nonPowerAware = policy.kind { nonPowerAware = true } else { nonPowerAware = false }
    for h in 0..<hostCount {
      if quiet[h] {
        if nonPowerAware && dt > 0 { frameEnergy += hostPower[h * 11 + 10] * dt }
        continue
      }
      if periodicHistory && keepsHistory {
        for v32 in lists.ids(h) {
          let v = Int(v32)
          if t > lastHistoryTime[v] {
            appendHistory(v, frameUtilisation[v])
            lastHistoryTime[v] = t
          }
        }
        shiftHistorySum(h)
      }
      let previous = cpuUtilisation(h)
      let from = currentPower[h]
      let wasOn = !lists.isEmpty(h)
      updateHost(h, t)
      if dt > 0, let e = energy(h, previous: previous, from: from, wasOn: wasOn, dt: dt, nonPowerAware) {
        frameEnergy += e
      }
    }
    energyWs += frameEnergy
    frames += 1
    // Compat only: CloudSim destroys a VM for good when it requests 0 MIPS at a frame. Only
    // frames where some listed VM requests nothing and is not migrating can remove one.
    if config.compat && zeroRequests { removeIdleVMs(t) }
    lastProcessTime = t
  }

  /// The closing frame of a completion time `t` whose opening frame (`processHosts(t)`, the last
  /// full frame) was followed only by migration completions at `t`, `touched` holding the home
  /// and target host of each: the same state as `processHosts(t)`, processing only those hosts.
  ///
  /// A full frame at the same time would recompute the same requests (same t), add no energy
  /// (dt = 0) and replace each pending host and VM entry (same time) by the one it records. An
  /// untouched host has the list, incoming list and VM flags it had at the opening frame: a VM's
  /// `migrating` flag matters only where it is listed outside the incoming list, which is only
  /// on `vmHost` (initial placement, completions and the planning round's restore keep it so;
  /// migrations add incoming entries only), i.e. on its completion's home or target. So its
  /// allocation, utilisation and entries come out as they are, and `updatePristine` finds it
  /// where it left it (`markFit` does nothing outside a planning round). Full frames are still
  /// used when the shortcut does not hold: a history frame (which also appends histories),
  /// compat mode after a VM that requested nothing was skipped for migrating (its completion
  /// may let the removal fire now), or best fit's index being live.
  func refreshHosts(_ t: Double, touched: [Int32]) {
    let periodicHistory = (t - 0.1).truncatingRemainder(dividingBy: config.schedulingInterval) == 0
    if checksListings && !listingsAreHomed() { strayListings += 1 }
    guard
      refreshFrames && t == lastProcessTime && !periodicHistory
        && !(config.compat && zeroRequestWhileMigrating)
        && !fit.live
    else {
      processHosts(t)
      return
    }
    // Each touched host once, in increasing id: through a bit set (a sort of the touched list,
    // thousands of entries at scale, was 1.4 % of the engine's thread at 100 k).
    var lowest = touchedBits.count
    var highest = -1
    for h32 in touched {
      let w = Int(h32) >> 6
      touchedBits[w] |= 1 << UInt64(h32 & 63)
      lowest = Swift.min(lowest, w)
      highest = Swift.max(highest, w)
    }
    var hosts: [Int] = []
    hosts.reserveCapacity(touched.count)
    if highest >= lowest {
      for w in lowest...highest {
        var bits = touchedBits[w]
        touchedBits[w] = 0
        while bits != 0 {
          let h = w << 6 | bits.trailingZeroBitCount
          bits &= bits - 1
          // As `processHosts` with dt = 0: quiet hosts are skipped, the others updated.
          if !quiet[h] { hosts.append(h) }
        }
      }
    }
    updateHosts(hosts, t)
    frames += 1
    refreshes += 1
    lastProcessTime = t
  }

  /// Each VM's utilisation and request at the frame's time, for the VMs of `range` (not
  /// removed); returns whether one of them requests nothing while not migrating, and while
  /// migrating.
  func computeRequests(_ range: Range<Int>, _ weights: SampleWeights) -> (Bool, Bool) {
    let exact = weights.exact
    let span = weights.span
    let offset = weights.offset
    // One loop per sample storage (whole-percent bytes or doubles), each specialised: the frame's
    // rows k1 and k2 come as plain pointers, so the loop has no dispatch and no reference counting.
    func requests<Rows: FrameSampleRows>(_ rows: Rows) -> (Bool, Bool) {
      var zeroRequests = false
      var zeroWhileMigrating = false
      for v in range where !removed[v] {
        let u1 = rows.first(v)
        let u: Double
        if exact {
          u = u1
        } else {
          let delta = (rows.second(v) - u1) / span
          u = u1 + delta * offset
        }
        frameUtilisation[v] = u
        let r = u * vmMips[v]
        request[v] = r
        if r == 0 {
          if migrating[v] { zeroWhileMigrating = true } else { zeroRequests = true }
        }
      }
      return (zeroRequests, zeroWhileMigrating)
    }
    return workload.withFrameRows(k1: weights.k1, k2: weights.k2) { rows in
      switch rows {
      case .percents(let bytes): return requests(bytes)
      case .fractions(let doubles): return requests(doubles)
      }
    }
  }

  /// VM entries on all host lists.
  func listedCount() -> Int {
    var n = 0
    for h in 0..<hostCount { n += lists.count(h) }
    return n
  }

  /// What a processed host adds to the frame's energy over `dt` > 0 (nil: nothing), from its
  /// utilisation `previous` and power `from` before `updateHost` and whether it held VMs.
  @inline(__always) func energy(
    _ h: Int, previous: Double, from: Double, wasOn: Bool, dt: Double, _ nonPowerAware: Bool
  ) -> Double? {
    if nonPowerAware {
      return hostPower[h * 11 + 10] * dt
    } else if config.compat ? previous != 0 : wasOn {
      // Compat: a host at 0 % draws nothing (CloudSim). Default: a host is off only when it
      // holds no VM; an idle host with VMs draws its idle power.
      // P(previous) and P(now): the host's power before and after `updateHost`.
      let to = currentPower[h]
      return (from + (to - from) / 2) * dt
    }
    return nil
  }

  /// Whether every VM listed outside a host's incoming list has that host as its home.
  func listingsAreHomed() -> Bool {
    for h in 0..<hostCount {
      for v in lists.ids(h) where !incoming.contains(h, v) && vmHost[Int(v)] != Int32(h) { return false }
    }
    return true
  }

  /// Removes the VMs that request no MIPS and are not migrating, host by host in list order.
  func removeIdleVMs(_ t: Double) {
    for h in 0..<hostCount where !lists.isEmpty(h) {
      var found = false
      for v32 in lists.ids(h) {
        let v = Int(v32)
        if !migrating[v] && request[v] == 0 && !removed[v] {
          found = true
          break
        }
      }
      guard found else { continue }
      var changed = false
      for v32 in lists.array(h) {
        let v = Int(v32)
        if !migrating[v] && request[v] == 0 && !removed[v] {
          removed[v] = true
          removedAt[v] = t
          let home = Int(vmHost[v])
          if home >= 0 {
            lists.removeAll(home, v32)
            reallocate(home)
          }
          if home != h {
            lists.removeAll(h, v32)
            changed = true
          }
          vmHost[v] = -1
        }
      }
      if changed { reallocate(h) }
    }
  }

  /// CloudSim's `HostDynamicWorkload.updateVmsProcessing` for one host at time `t`.
  func updateHost(_ h: Int, _ t: Double) {
    reallocate(h)
    var utilisationMips = 0.0
    // Σ requests in list order, as `reallocate` just summed them.
    let requested = requestedSum[h]
    let vms = lists.ids(h)
    let a = lists.values(h)
    let anyIncoming = !incoming.isEmpty(h)
    for i in 0..<vms.count {
      let v32 = vms[i]
      let v = Int(v32)
      var allocated = a[i]
      if !anyIncoming || !incoming.contains(h, v32) {
        let isMigrating = migrating[v]
        recordVM(v, VMEntry(time: t, allocated: allocated, requested: request[v], migrating: isMigrating))
        if isMigrating { allocated /= 0.9 }
      }
      utilisationMips += allocated
    }
    util[h] = utilisationMips
    currentPower[h] = power(h, cpuUtilisation(h))
    recordHost(
      h, HostEntry(time: t, allocated: utilisationMips, requested: requested, active: utilisationMips > 0))
    updatePristine(h)
    quiet[h] =
      utilisationMips == 0 && vms.isEmpty && !anyIncoming && hostHasPend[h] && !hostPend[h].active
      && hostHasPrev[h] && !hostPrev[h].active && !hostLastActive[h]
  }

  @inline(__always) func recordHost(_ h: Int, _ e: HostEntry) {
    var sums = EngineSums(engine: self)
    recordHost(h, e, into: &sums)
  }

  @inline(__always) func recordHost<S: FrameSums>(_ h: Int, _ e: HostEntry, into sums: inout S) {
    if hostHasPend[h] {
      if hostPend[h].time == e.time {
        hostPend[h] = e
        return
      }
      finalizeHost(h, into: &sums)
    }
    hostPend[h] = e
    hostHasPend[h] = true
  }

  func finalizeHost(_ h: Int) {
    var sums = EngineSums(engine: self)
    finalizeHost(h, into: &sums)
  }

  /// Closes host `h`'s pending entry, adding to the active time, SLA time and shutdowns through
  /// `sums`.
  @inline(__always) func finalizeHost<S: FrameSums>(_ h: Int, into sums: inout S) {
    let e = hostPend[h]
    if hostHasPrev[h] {
      let p = hostPrev[h]
      if p.active {
        let d = e.time - p.time
        sums.addActiveTime(d)
        if p.allocated < p.requested { sums.addSLATime(d) }
      }
    }
    if hostLastActive[h] && !e.active { sums.addShutdown(e.time - hostLastOn[h]) }
    if !hostLastActive[h] && e.active { hostLastOn[h] = e.time }
    hostLastActive[h] = e.active
    hostPrev[h] = e
    hostHasPrev[h] = true
    hostHasPend[h] = false
  }

  @inline(__always) func recordVM(_ v: Int, _ e: VMEntry) {
    var sums = EngineSums(engine: self)
    recordVM(v, e, into: &sums)
  }

  @inline(__always) func recordVM<S: FrameSums>(_ v: Int, _ e: VMEntry, into sums: inout S) {
    let ledger = vmLedger.base + v
    if ledger.pointee.hasPend {
      if ledger.pointee.pend.time == e.time {
        ledger.pointee.pend = e
        return
      }
      finalizeVM(v, into: &sums)
    }
    ledger.pointee.pend = e
    ledger.pointee.hasPend = true
  }

  @inline(__always) func finalizeVM(_ v: Int) {
    var sums = EngineSums(engine: self)
    finalizeVM(v, into: &sums)
  }

  /// Closes VM `v`'s pending entry, adding its violation through `sums`.
  @inline(__always) func finalizeVM<S: FrameSums>(_ v: Int, into sums: inout S) {
    let ledger = vmLedger.base + v
    let e = ledger.pointee.pend
    if ledger.pointee.hasPrev {
      let p = ledger.pointee.prev
      let d = e.time - p.time
      ledger.pointee.totalAllocated += p.allocated * d
      ledger.pointee.totalRequested += p.requested * d
      if p.allocated < p.requested {
        sums.addViolation((p.requested - p.allocated) / p.requested)
        if p.migrating { ledger.pointee.underMigration += (p.requested - p.allocated) * d }
      }
    }
    ledger.pointee.prev = e
    ledger.pointee.hasPrev = true
    ledger.pointee.hasPend = false
  }

  // MARK: - Run

  func run() -> DynamicResult {
    initialPlacement()
    if initialPlacementHook { initialHosts = vmHost.array.map { Int($0) } }
    if !config.compat {
      // Default: hosts are processed at t = 0 so that energy and SLA time count from the start
      // (CloudSim's first frame adds nothing, its hosts' previous utilisation being 0).
      processHosts(0)
      frames -= 1
    }
    var t = 0.1 + config.schedulingInterval
    let migrationPolicy: Bool
    if case .migration = policy.kind { migrationPolicy = true } else { migrationPolicy = false }
    while t <= config.limitSeconds {
      processHosts(t)
      if migrationPolicy {
        let plan = optimize(t)
        startMigrations(plan, at: t)
        completeMigrations(plan, startedAt: t)
      }
      t += config.schedulingInterval
    }
    for h in 0..<hostCount where hostHasPend[h] { finalizeHost(h) }
    for v in 0..<vmCount where vmLedger[v].hasPend { finalizeVM(v) }
    return result()
  }

  /// Starts the plan's migrations at time t. Each target and source is updated once, after
  /// every VM of the plan is marked migrating and listed on its target, in the order the hosts
  /// are first touched: CloudSim updates them after each migration, but all at the same time t,
  /// so an update replaces the host's and its VMs' entries of the earlier ones (only the first
  /// can close an earlier entry, and it closes the same entry in the same order) and the last
  /// one, which sees the final lists and flags, decides the state.
  func startMigrations(_ plan: [(vm: Int32, host: Int32)], at t: Double) {
    var touched = [Bool](repeating: false, count: hostCount)
    var order: [Int] = []
    @inline(__always) func touch(_ h: Int) {
      guard !touched[h] else { return }
      touched[h] = true
      order.append(h)
    }
    for (v32, target32) in plan {
      let v = Int(v32)
      let target = Int(target32)
      migrating[v] = true
      if !incoming.contains(target, v32) {
        incoming.append(target, v32)
        appendToList(target, v32)
        touch(target)
        let source = Int(vmHost[v])
        if source >= 0 { touch(source) }
        if logMigrations { migrationLog.append((t, v32, vmHost[v], target32)) }
      }
      migrations += 1
    }
    updateHosts(order, t)
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
    // Hosts the completions at the current time changed since its opening frame, and whether
    // that frame was a full one (`refreshHosts`).
    var touched: [Int32] = []
    var opened = false
    for (k, e) in events.enumerated() where e.time <= config.limitSeconds {
      if e.time > lastProcessTime {
        processHosts(e.time)
        opened = true
        touched.removeAll(keepingCapacity: true)
      }
      let v32 = plan[e.index].vm
      let v = Int(v32)
      let target = Int(plan[e.index].host)
      let home = Int(vmHost[v])
      // The hosts are reallocated once, after the last completion at this time: by
      // `refreshHosts` (every touched host) or by a full frame (every host).
      if home >= 0 {
        lists.removeAll(home, v32)
        touched.append(Int32(home))
      }
      touched.append(Int32(target))
      incoming.removeAll(target, v32)
      lists.removeAll(target, v32)
      migrating[v] = false
      if !removed[v] {
        lists.append(target, v32)
        vmHost[v] = Int32(target)
      }
      let next = k + 1 < events.count ? events[k + 1].time : .infinity
      if next > e.time {
        if opened { refreshHosts(e.time, touched: touched) } else { processHosts(e.time) }
        opened = false
      }
    }
  }
}
