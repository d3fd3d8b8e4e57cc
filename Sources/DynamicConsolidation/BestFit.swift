import CKernels
import CPrefetch
import Foundation

/// One indexed host in its leaf's contiguous run of slots: copies of the host's planning state
/// that best fit reads (planned MIPS, current power, free MIPS, LR score, the key that orders the
/// leaf), so a leaf is scanned without chasing host ids through the engine's arrays. Declared in
/// C (`CKernels.h`), whose leaf scan reads it.
typealias FitSlot = yunhe_fit_slot

/// One aggregate of every node of a `FitIndex`, at a fixed offset in the nodes' records.
struct NodeField<Element: BitwiseCopyable> {
  let base: UnsafeMutableRawPointer

  init(_ base: UnsafeMutableRawPointer) { self.base = base }

  @inline(__always) subscript(g: Int) -> Element {
    get { base.load(fromByteOffset: g &* FitIndex.recordSize, as: Element.self) }
    nonmutating set {
      base.storeBytes(of: newValue, toByteOffset: g &* FitIndex.recordSize, as: Element.self)
    }
  }
}

/// Power-aware best fit's index of candidate hosts: per host type, the busy hosts that are not
/// excluded, in buckets of planned MIPS under a segment tree, so that a placement visits the
/// hosts in increasing order of their (approximate) power increase without looking at the others.
///
/// For request r, host h of type t with planned MIPS p and current power c has the approximate
/// increase `P[k] + s[k]·((p + r)/T − k/10)·100 − c` on piece k = ⌊10 (p + r)/T⌋, which is
/// `base[k] + a[k]·r + key[k]` with `key[k] = a[k]·p − c` (a[k] = s[k]·100/T). Each node keeps,
/// over its hosts, the least key of every piece, the range of p and the largest free MIPS, so the
/// least key over the pieces its hosts can fall in (from its range of p) bounds the increase of
/// each of its hosts from below (a leaf holds up to 128 hosts). Searches skip the subtrees whose
/// bound exceeds the window of the best host so far, and, for LR, the subtrees whose hosts all
/// surely fail the overload test with the VM (`fitScore`). The index is rebuilt at a round's
/// first placement and kept in step with the round's changes (`markFit`): a changed host is
/// re-bucketed before the next search.
final class FitIndex {
  static let pieces = 11
  let types: Int
  /// Leaves per type (a power of two) and each type's first global node (local nodes 1..<2B).
  let leaves: Slab<Int>
  let nodeBase: Slab<Int>
  let typeTotal: Slab<Double>
  let typeInverse: Slab<Double>
  let typePe: Slab<Double>
  /// Each type's power table and slopes (11 each), as the engine's per-host copies.
  let typePower: Slab<Double>
  let typePowerSlope: Slab<Double>
  /// a[k] = s[k]·100/T and base[k] = P[k] − s[k]·(k/10)·100, per type (11 each).
  let keySlope: Slab<Double>
  let keyBase: Slab<Double>
  /// base[k] + a[k]·r of the current search, per type.
  let offsets: Slab<Double>
  // Node aggregates over the hosts below (global node index), one 128-byte record per node
  // (two cache lines, 64-byte aligned): the least key of each piece in bytes 0..<88, then the
  // range of planned MIPS, the largest free MIPS, the least LR overload score (see
  // `FitSlot.score`), the host count and the node's type. A node visit reads one or two lines
  // instead of one per aggregate.
  static let recordSize = 128
  let nodeCount: Int
  let nodes: UnsafeMutableRawPointer
  let minP: NodeField<Double>
  let maxP: NodeField<Double>
  let maxFree: NodeField<Double>
  let minScore: NodeField<Double>
  let count: NodeField<Int32>
  let nodeType: NodeField<Int32>
  /// LR's prediction weights wᵢ = 0.1 + (10 − i − 5.5)(4.5 + intervals)/82.5 per host type (ten
  /// each), when every VM type's migration time gives one number of intervals on that type.
  let scoreWeights: Slab<Double>
  /// Whether hosts that surely fail LR's overload test are skipped (LR policies, one number of
  /// intervals per host type).
  var prunes = false
  var safety = 0.0
  let limits: Slab<Double>
  /// Each leaf's hosts: a run of `fill[g]` slots from `start[g]` in `slots`, with room for
  /// `room[g]`. A full leaf moves to the end of the arena with twice the room; a rebuild packs
  /// the arena again.
  let start: Slab<Int>
  /// Each leaf's key slope: a[k] of the piece k its lowest planned MIPS falls in.
  let leafSlope: Slab<Double>
  let fill: Slab<Int32>
  let room: Slab<Int32>
  private(set) var slots: UnsafeMutablePointer<FitSlot>
  private(set) var arenaCapacity: Int
  private(set) var arenaUsed = 0
  /// Each host's leaf (global node) and slot, −1 when not indexed.
  let leaf: Slab<Int32>
  let slotOf: Slab<Int32>
  let dirty: Slab<Bool>
  var dirtyList: [Int32] = []
  /// Leaves changed by a flush, recomputed once each.
  let leafDirty: Slab<Bool>
  /// Whether a flush must recompute the leaf's aggregates (a removed slot held one of them),
  /// rather than keep the ones it updated slot by slot.
  let leafStale: Slab<Bool>
  var dirtyLeaves: [Int32] = []
  /// Whether best fit uses the index: with few hosts, a scan of the busy hosts costs less than
  /// keeping the index in step (both give the same host; tests set either).
  var indexed: Bool
  /// Whether planning changes are tracked (from a round's rebuild to the round's end).
  var live = false
  /// Whether the next search rebuilds the index.
  var stale = true
  /// Best-first frontier: node (≥ 0) or host (−1 − h), by lower bound or approximate increase.
  let heapValue: Slab<Double>
  let heapCode: Slab<Int32>
  var heapCount = 0
  /// Hosts excluded from best fit in the current round: one array, which the second half reads
  /// through its own copy of the pointer (the first half's object is written at every search).
  let excluded: Slab<Bool>
  /// The index of the other half of the hosts (the first half's only): hosts h with bit 1 of h
  /// set, when `splits`.
  private(set) var partner: FitIndex?
  /// `partner` without reference counting, for the search hand-off (this index owns it).
  private(set) var partnerRef: Unmanaged<FitIndex>?
  /// Whether best fit searches the two halves of the hosts on two threads (from 2 000 hosts on a
  /// machine with two cores or more; tests set it either way, the result is the same).
  var splits = false
  /// The search's request, usable host types (bit t) and result: the least (exact increase,
  /// host) found in this half, starting from the seed (the pristine hosts).
  var searchRequest = 0.0
  var searchUsable = 0
  var resultIncrease = Double.infinity
  var resultHost = -1

  /// The first half's index, which holds the second one; `part` 1 builds the second.
  init(hostTypes: [DynamicHostType], hostTypeOfHost: [Int], part: Int = 0, excluded: Slab<Bool>? = nil) {
    types = hostTypes.count
    let hostCount = hostTypeOfHost.count
    indexed = hostCount >= 1000
    var perType = [Int](repeating: 0, count: types)
    // Leaves are sized for half the hosts of each type (a half's share when split): at most
    // 128 hosts a leaf, and more than 64 once a type has more than four leaves. The hosts that
    // tie exactly (see `findHost`) are spread over the range of planned MIPS, and larger leaves
    // hold them in fewer leaves and nodes: with 32 to 64 hosts (and without the node records)
    // the 100 k week took 1/0.94 as long (median of six interleaved pairs), 10 k 3 % less.
    for (h, t) in hostTypeOfHost.enumerated() where Self.part(of: h) == part { perType[t] += 1 }
    var leafCounts: [Int] = []
    var bases: [Int] = []
    var nodes = 0
    for t in 0..<types {
      var b = 4
      while b < perType[t] / 128 && b < 8192 { b *= 2 }
      leafCounts.append(b)
      bases.append(nodes)
      nodes += 2 * b
    }
    leaves = Slab(leafCounts)
    nodeBase = Slab(bases)
    typeTotal = Slab(hostTypes.map(\.totalMips))
    typeInverse = Slab(hostTypes.map { 1 / $0.totalMips })
    typePe = Slab(hostTypes.map(\.peMips))
    var slopes: [Double] = []
    var intercepts: [Double] = []
    var powerSlopes: [Double] = []
    for type in hostTypes {
      for k in 0..<Self.pieces {
        let p1 = type.powerTable[k]
        let p2 = k < 10 ? type.powerTable[k + 1] : p1
        let s = (p2 - p1) / 10
        powerSlopes.append(s)
        slopes.append(s * 100 / type.totalMips)
        intercepts.append(p1 - s * (Double(k) / 10) * 100)
      }
    }
    keySlope = Slab(slopes)
    typePower = Slab(hostTypes.flatMap { Array($0.powerTable.prefix(Self.pieces)) })
    typePowerSlope = Slab(powerSlopes)
    keyBase = Slab(intercepts)
    offsets = Slab(repeating: 0, count: types * Self.pieces)
    nodeCount = nodes
    self.nodes = .allocate(byteCount: Swift.max(nodes, 1) * Self.recordSize, alignment: 64)
    minP = NodeField(self.nodes + 88)
    maxP = NodeField(self.nodes + 96)
    maxFree = NodeField(self.nodes + 104)
    minScore = NodeField(self.nodes + 112)
    count = NodeField(self.nodes + 120)
    nodeType = NodeField(self.nodes + 124)
    for t in 0..<types {
      for i in 0..<(2 * leafCounts[t]) {
        let g = bases[t] + i
        (self.nodes + g * Self.recordSize).initializeMemory(
          as: Double.self, repeating: .infinity, count: Self.pieces)
        minP[g] = .infinity
        maxP[g] = -.infinity
        maxFree[g] = -.infinity
        minScore[g] = .infinity
        count[g] = 0
        nodeType[g] = Int32(t)
      }
    }
    scoreWeights = Slab(repeating: 0, count: types * 10)
    limits = Slab(repeating: .infinity, count: types)
    start = Slab(repeating: 0, count: nodes)
    var leafSlopes = [Double](repeating: 0, count: nodes)
    for t in 0..<types {
      let b = leafCounts[t]
      for i in 0..<b {
        let k = Swift.min(i * 10 / b, 10)
        leafSlopes[bases[t] + b + i] = slopes[t * Self.pieces + k]
      }
    }
    leafSlope = Slab(leafSlopes)
    fill = Slab(repeating: 0, count: nodes)
    room = Slab(repeating: 0, count: nodes)
    arenaCapacity = Swift.max(64, 2 * hostCount)
    slots = .allocate(capacity: arenaCapacity)
    leaf = Slab(repeating: -1, count: hostCount)
    slotOf = Slab(repeating: -1, count: hostCount)
    dirty = Slab(repeating: false, count: hostCount)
    leafDirty = Slab(repeating: false, count: nodes)
    leafStale = Slab(repeating: false, count: nodes)
    heapValue = Slab(repeating: 0, count: 2 * nodes + hostCount + 8)
    heapCode = Slab(repeating: 0, count: 2 * nodes + hostCount + 8)
    self.excluded = excluded ?? Slab(repeating: false, count: hostCount)
    if part == 0 {
      let second = FitIndex(
        hostTypes: hostTypes, hostTypeOfHost: hostTypeOfHost, part: 1, excluded: self.excluded)
      partner = second
      partnerRef = Unmanaged.passUnretained(second)
      splits = hostCount >= 2000 && ProcessInfo.processInfo.activeProcessorCount >= 2
    }
  }

  /// The half (0 or 1) that indexes host `h` when the hosts are split: 11 of every 16 pairs of
  /// ids to the engine's thread, 5 to the worker (so that both halves hold both types of the
  /// alternating G4/G5 hosts). The worker's half is the smaller one because its search starts
  /// later (it must see the post, through several cache lines the engine's thread has just
  /// written) and its reads of the engine's state miss the cache more: at 9 of 16 the engine's
  /// thread still spent 7 % of a 100 k run waiting for it (perf), and 11 of 16 ran that week in
  /// 67.8 and 70.0 s against 78.6 and 79.1 s (12 of 16 was slower again at 30 k).
  @inline(__always) static func part(of h: Int) -> Int { (h >> 1) & 15 < 11 ? 0 : 1 }

  /// The half that indexes host `h`, without reference counting (this index owns its partner;
  /// a strong reference cost a retain and a release at every planning change).
  @inline(__always) func half(_ h: Int) -> Unmanaged<FitIndex> {
    if splits, Self.part(of: h) == 1, let partnerRef { return partnerRef }
    return Unmanaged.passUnretained(self)
  }

  func deallocate() {
    partner?.deallocate()
    for s in [
      typeTotal, typeInverse, typePe, typePower, typePowerSlope, keySlope, keyBase, offsets, heapValue,
      scoreWeights, limits,
    ] {
      s.deallocate()
    }
    for s in [fill, room, leaf, slotOf, heapCode] { s.deallocate() }
    nodes.deallocate()
    start.deallocate()
    leafSlope.deallocate()
    slots.deallocate()
    leaves.deallocate()
    nodeBase.deallocate()
    dirty.deallocate()
    leafDirty.deallocate()
    leafStale.deallocate()
    // The second half shares the first half's exclusions.
    if partner != nil { excluded.deallocate() }
  }

  /// Leaf `g`'s slots.
  @inline(__always) func run(_ g: Int) -> UnsafeMutableBufferPointer<FitSlot> {
    UnsafeMutableBufferPointer(start: slots + start[g], count: Int(fill[g]))
  }

  /// Removes host `h` from its leaf (the later slots move up one, keeping the key order).
  @inline(__always) func unlink(_ h: Int) {
    let g = Int(leaf[h])
    let last = start[g] + Int(fill[g]) - 1
    var i = Int(slotOf[h])
    while i < last {
      slots[i] = slots[i + 1]
      slotOf[Int(slots[i].host)] = Int32(i)
      i += 1
    }
    fill[g] -= 1
    leaf[h] = -1
    slotOf[h] = -1
  }

  /// Inserts `entry` (host `entry.host`) into leaf `g` in key order (after equal keys).
  @inline(__always) func link(_ entry: FitSlot, _ g: Int) {
    if fill[g] == room[g] { grow(g) }
    var slot = entry
    slot.key = leafSlope[g] * slot.planned - slot.current
    let first = start[g]
    var i = first + Int(fill[g])
    while i > first && slots[i - 1].key > slot.key {
      slots[i] = slots[i - 1]
      slotOf[Int(slots[i].host)] = Int32(i)
      i -= 1
    }
    slots[i] = slot
    fill[g] += 1
    let h = Int(slot.host)
    leaf[h] = Int32(g)
    slotOf[h] = Int32(i)
  }

  /// Moves leaf `g` to the end of the arena with twice its room.
  private func grow(_ g: Int) {
    let n = Int(fill[g])
    let newRoom = Swift.max(8, 2 * Int(room[g]))
    if arenaUsed + newRoom > arenaCapacity {
      let grown = Swift.max(2 * arenaCapacity, arenaUsed + newRoom)
      let moved = UnsafeMutablePointer<FitSlot>.allocate(capacity: grown)
      moved.moveInitialize(from: slots, count: arenaUsed)
      slots.deallocate()
      slots = moved
      arenaCapacity = grown
    }
    (slots + arenaUsed).moveInitialize(from: slots + start[g], count: n)
    start[g] = arenaUsed
    room[g] = Int32(newRoom)
    arenaUsed += newRoom
    for i in 0..<n { slotOf[Int(slots[start[g] + i].host)] = Int32(start[g] + i) }
  }

  /// Empties every leaf and lays the arena out for `counts[g]` hosts per leaf (with some room
  /// to spare); hosts are then added with `link`.
  func reset(counts: (Int) -> Int) {
    arenaUsed = 0
    for t in 0..<types {
      let base = nodeBase[t]
      let b = leaves[t]
      for g in (base + b)..<(base + 2 * b) {
        let n = counts(g)
        let r = n + Swift.max(4, n / 2)
        start[g] = arenaUsed
        fill[g] = 0
        room[g] = Int32(r)
        arenaUsed += r
      }
    }
    if arenaUsed > arenaCapacity {
      slots.deallocate()
      arenaCapacity = Swift.max(2 * arenaCapacity, arenaUsed)
      slots = .allocate(capacity: arenaCapacity)
    }
  }

  /// Node `g`'s least key of each piece (11 values).
  @inline(__always) func keys(_ g: Int) -> UnsafeMutablePointer<Double> {
    (nodes + g &* Self.recordSize).assumingMemoryBound(to: Double.self)
  }

  /// Node `g`'s aggregates from its children.
  @inline(__always) func combine(_ g: Int, _ left: Int, _ right: Int) {
    count[g] = count[left] + count[right]
    minP[g] = Swift.min(minP[left], minP[right])
    maxP[g] = Swift.max(maxP[left], maxP[right])
    maxFree[g] = Swift.max(maxFree[left], maxFree[right])
    minScore[g] = Swift.min(minScore[left], minScore[right])
    let k = keys(g)
    let l = keys(left)
    let r = keys(right)
    for i in 0..<Self.pieces { k[i] = Swift.min(l[i], r[i]) }
  }

  /// The ancestors of leaf `g` recomputed.
  func propagate(_ g: Int) {
    let base = nodeBase[Int(nodeType[g])]
    var l = (g - base) >> 1
    while l >= 1 {
      combine(base + l, base + 2 * l, base + 2 * l + 1)
      l >>= 1
    }
  }

  @inline(__always) func push(_ value: Double, _ code: Int32) {
    var i = heapCount
    heapCount += 1
    while i > 0 {
      let parent = (i - 1) >> 1
      if heapValue[parent] <= value { break }
      heapValue[i] = heapValue[parent]
      heapCode[i] = heapCode[parent]
      i = parent
    }
    heapValue[i] = value
    heapCode[i] = code
  }

  @inline(__always) func pop() -> Int32 {
    let top = heapCode[0]
    heapCount -= 1
    let n = heapCount
    guard n > 0 else { return top }
    let value = heapValue[n]
    let code = heapCode[n]
    var i = 0
    while true {
      var c = 2 * i + 1
      if c >= n { break }
      if c + 1 < n && heapValue[c + 1] < heapValue[c] { c += 1 }
      if heapValue[c] >= value { break }
      heapValue[i] = heapValue[c]
      heapCode[i] = heapCode[c]
      i = c
    }
    heapValue[i] = value
    heapCode[i] = code
    return top
  }
}

extension Engine {
  /// Notes that host `h`'s planning state or exclusion changed during a round.
  @inline(__always) func markFit(_ h: Int) {
    guard fit.live else { return }
    fit.half(h)._withUnsafeGuaranteedRef { index in
      guard !index.dirty[h] else { return }
      index.dirty[h] = true
      index.dirtyList.append(Int32(h))
    }
  }

  /// Host `h`'s leaf in `index` for its planned MIPS, or −1 when it is not a candidate.
  @inline(__always) func fitLeaf(_ h: Int, _ index: FitIndex) -> Int {
    guard busyPosition[h] >= 0 && !index.excluded[h] else { return -1 }
    let t = hostType[h]
    let b = index.leaves[t]
    let scaled = plannedMips[h] * hostInverseTotal[h] * Double(b)
    let i = scaled >= 0 ? Swift.min(Int(Swift.min(scaled, Double(b - 1))), b - 1) : 0
    return index.nodeBase[t] + b + i
  }

  /// Enables skipping hosts that surely fail LR's overload test (see `fitScore`).
  func configureFitPruning() {
    guard case .migration(let detection, _) = policy.kind, ordinaryRegression, detection.parameter > 0 else {
      return
    }
    var weights: [Double] = []
    for t in 0..<fit.types {
      let bw = Double(config.hostTypes[t].bandwidth)
      var counts = Set<Double>()
      for vm in config.vmTypes {
        let migrationTime = Double(vm.ramMB) / (bw / (2 * 8000))
        counts.insert((migrationTime / config.schedulingInterval).rounded(.up))
      }
      guard counts.count == 1, let intervals = counts.first else { return }
      weights += (0..<10).map { Engine.lrPredictionWeight($0, intervals: intervals) }
    }
    // Each half holds its own copy (the second half's thread reads its own object only).
    for half in [fit, fit.partner].compactMap({ $0 }) {
      for (i, w) in weights.enumerated() { half.scoreWeights[i] = w }
      half.safety = detection.parameter
      half.prunes = true
    }
  }

  /// Host `h`'s LR overload score Σ wᵢ·sumᵢ (newest ten values of its history sum), or −∞ when
  /// its test cannot be decided from it: LR's closed-form prediction with VM v added is
  /// s·Σ wᵢ·(sumᵢ + termᵢ(v)), so the host surely fails the test (the prediction is at least
  /// 1 + 2·10⁻⁹, where `localRegressionOverloaded` answers true without the exact regression)
  /// when its score is at least (1 + 2·10⁻⁹)/s − Σ wᵢ·termᵢ(v). That needs a history of at
  /// least ten values (the last non-zero value of the sum at index ≥ 9, positive, so that adding
  /// VM terms, which are ≥ 0, keeps it the last non-zero one) and a host that is tested at all
  /// (best fit takes a host with zero utilisation without the test).
  func fitScore(_ h: Int, _ index: FitIndex) -> Double {
    guard index.prunes, util[h] != 0 else { return -.infinity }
    let sum = validHostHistory(h)
    let last = hostHistoryLast[h]
    guard last >= 9, sum[last] > 0 else { return -.infinity }
    let w = index.scoreWeights.base + hostType[h] * 10
    var score = 0.0
    for i in 0..<10 { score += w[i] * sum[i] }
    return score
  }

  /// Leaf `g`'s aggregates from its hosts.
  func fitRecomputeLeaf(_ index: FitIndex, _ g: Int) {
    let t = Int(index.nodeType[g])
    let pieces = FitIndex.pieces
    let keys = index.keys(g)
    let slopes = index.keySlope.base + t * pieces
    // The eleven keys in the lanes of one vector (the last five lanes unused): a slot's keys
    // are a multiply, a subtraction and a minimum per pair of lanes, with no stores.
    var a = SIMD16<Double>(repeating: 0)
    for i in 0..<pieces { a[i] = slopes[i] }
    var least = SIMD16<Double>(repeating: .infinity)
    var n: Int32 = 0
    var lo = Double.infinity
    var hi = -Double.infinity
    var free = -Double.infinity
    var score = Double.infinity
    for slot in index.run(g) {
      score = Swift.min(score, slot.score)
      let p = slot.planned
      let c = slot.current
      n += 1
      lo = Swift.min(lo, p)
      hi = Swift.max(hi, p)
      free = Swift.max(free, slot.free)
      let x = a * p - SIMD16(repeating: c)
      least.replace(with: x, where: x .< least)
    }
    for i in 0..<pieces { keys[i] = least[i] }
    index.count[g] = n
    index.minP[g] = lo
    index.maxP[g] = hi
    index.maxFree[g] = free
    index.minScore[g] = score
  }

  /// Host `h`'s slot from its current planning state.
  @inline(__always) func fitSlot(_ h: Int, _ index: FitIndex) -> FitSlot {
    FitSlot(
      planned: plannedMips[h], current: currentPower[h], free: available[h], score: fitScore(h, index),
      key: 0,
      host: Int32(h))
  }

  /// `index` from the current state: every busy, non-excluded host of its half.
  func fitRebuild(_ index: FitIndex) {
    for h in 0..<hostCount {
      index.leaf[h] = -1
      index.slotOf[h] = -1
      index.dirty[h] = false
    }
    index.dirtyList.removeAll(keepingCapacity: true)
    // Leaves by counting: `leaf` holds each host's leaf until it is linked.
    let counts = index.count
    for g in 0..<index.nodeCount { counts[g] = 0 }
    let mine = fit.splits ? (index === fit ? 0 : 1) : -1
    for b in busy {
      let h = Int(b)
      guard mine < 0 || FitIndex.part(of: h) == mine else { continue }
      let g = fitLeaf(h, index)
      if g >= 0 { counts[g] += 1 }
      index.leaf[h] = Int32(g)
    }
    index.reset { Int(counts[$0]) }
    for b in busy {
      let h = Int(b)
      guard mine < 0 || FitIndex.part(of: h) == mine else { continue }
      let g = Int(index.leaf[h])
      if g >= 0 { index.link(fitSlot(h, index), g) }
    }
    for t in 0..<index.types {
      let base = index.nodeBase[t]
      let b = index.leaves[t]
      for i in 0..<b { fitRecomputeLeaf(index, base + b + i) }
      for l in stride(from: b - 1, through: 1, by: -1) {
        index.combine(base + l, base + 2 * l, base + 2 * l + 1)
      }
    }
    index.stale = false
  }

  /// Re-buckets the hosts of `index` changed since its last search (rebuilds it when stale).
  func fitFlush(_ index: FitIndex) {
    if index.stale {
      fitRebuild(index)
      return
    }
    guard !index.dirtyList.isEmpty else { return }
    @inline(__always) func touch(_ g: Int) {
      guard !index.leafDirty[g] else { return }
      index.leafDirty[g] = true
      index.dirtyLeaves.append(Int32(g))
    }
    // A leaf's aggregates are kept exact slot by slot: an inserted slot folds into them, a
    // removed one changes them only if it held one of them (an equal value), and then the
    // leaf is recomputed once after the last change.
    let pieces = FitIndex.pieces
    for h32 in index.dirtyList {
      let h = Int(h32)
      index.dirty[h] = false
      let old = Int(index.leaf[h])
      if old >= 0 {
        let removed = index.slots[Int(index.slotOf[h])]
        index.unlink(h)
        touch(old)
        if !index.leafStale[old] {
          index.count[old] -= 1
          if index.count[old] == 0 || fitHoldsAggregate(index, old, removed) { index.leafStale[old] = true }
        }
      }
      let new = fitLeaf(h, index)
      if new >= 0 {
        let slot = fitSlot(h, index)
        index.link(slot, new)
        touch(new)
        if !index.leafStale[new] {
          let t = Int(index.nodeType[new])
          index.count[new] += 1
          index.minP[new] = Swift.min(index.minP[new], slot.planned)
          index.maxP[new] = Swift.max(index.maxP[new], slot.planned)
          index.maxFree[new] = Swift.max(index.maxFree[new], slot.free)
          index.minScore[new] = Swift.min(index.minScore[new], slot.score)
          let keys = index.keys(new)
          let slopes = index.keySlope.base + t * pieces
          for k in 0..<pieces { keys[k] = Swift.min(keys[k], slopes[k] * slot.planned - slot.current) }
        }
      }
    }
    index.dirtyList.removeAll(keepingCapacity: true)
    for g32 in index.dirtyLeaves {
      let g = Int(g32)
      index.leafDirty[g] = false
      if index.leafStale[g] {
        index.leafStale[g] = false
        fitRecomputeLeaf(index, g)
      }
      index.propagate(g)
    }
    index.dirtyLeaves.removeAll(keepingCapacity: true)
  }

  /// Whether `slot`, just removed from leaf g, held one of the leaf's aggregates (its value
  /// equals the leaf's least or greatest), so that they must be recomputed.
  @inline(__always) func fitHoldsAggregate(_ index: FitIndex, _ g: Int, _ slot: FitSlot) -> Bool {
    if slot.planned == index.minP[g] || slot.planned == index.maxP[g] || slot.free == index.maxFree[g]
      || slot.score == index.minScore[g]
    {
      return true
    }
    let pieces = FitIndex.pieces
    let t = Int(index.nodeType[g])
    let keys = index.keys(g)
    let slopes = index.keySlope.base + t * pieces
    var holds = false
    for k in 0..<pieces where slopes[k] * slot.planned - slot.current == keys[k] { holds = true }
    return holds
  }

  /// Starts a round: the index is rebuilt at its first search and tracks changes until `fitEnd`.
  func fitBegin() {
    fit.stale = fit.indexed
    fit.partner?.stale = fit.indexed
    fit.live = false
    for h in 0..<hostCount { fit.excluded[h] = false }
  }

  func fitEnd() { fit.live = false }

  /// Excludes host `h` from best fit for the rest of the round.
  @inline(__always) func fitExclude(_ h: Int) {
    guard !fit.excluded[h] else { return }
    fit.excluded[h] = true
    markFit(h)
  }

  /// Starts loading what best fit reads of VM `v` (its request and the history terms of each
  /// host type, a random line of a large array each): the placement loops call it for the next
  /// VMs while the current one is searched, so these cache misses overlap the search. A hint
  /// only: no effect on any result.
  @inline(__always) func prefetchPlacementState(_ v: Int32) {
    let vi = Int(v)
    yunhe_prefetch(request.base + vi)
    yunhe_prefetch(historyHead.base + vi)
    yunhe_prefetch(historyCount.base + vi)
    let ring = historyTerms.base + vi * typeCount * historyLength
    // The rings of every type, contiguous: one prefetch per cache line.
    let bytes = typeCount * historyLength * MemoryLayout<Double>.stride
    let start = UnsafeRawPointer(ring)
    var offset = 0
    while offset < bytes {
      yunhe_prefetch(start + offset)
      offset += 64
    }
    yunhe_prefetch(start + (bytes - 1))
  }

  /// Power-aware best fit: the host whose power grows least (ties to the lowest id). CloudSim
  /// scans hosts in id order and keeps the first strict improvement among hosts that are not
  /// overloaded with the VM; since the overload test has no side effects, that is the minimum of
  /// (power increase, id) over the suitable hosts that pass it, so candidates may be visited in
  /// any order: the busy hosts (from the index), and the lowest-numbered pristine host of each
  /// type (pristine hosts of one type give the same increase). `pristineExcluded` says every
  /// pristine host is excluded. Hosts that surely fail LR's overload test are skipped.
  ///
  /// A depth-first search of the index (`fitSearch`) finds the least (exact increase, id); with
  /// `fit.splits` each half of the hosts is searched on its own thread and the two results
  /// compared. Many hosts tie exactly (see docs/cloudsim-parity.md), so every host whose lower
  /// bound does not exceed the best increase so far is evaluated. The overload test then runs on
  /// that host. If it fails, the hosts are taken from the index in increasing approximate
  /// increase (a best-first search, `fitBestFirst`).
  func findHost(_ v: Int32, pristineExcluded: Bool = false) -> Int? {
    guard fit.indexed else { return findHostByScan(v, pristineExcluded: pristineExcluded) }
    let vi = Int(v)
    let r = request[vi]
    let index = fit
    var usable = 0  // bit t: type t's PEs can take the request
    for t in 0..<index.types where index.typePe[t] >= r {
      usable |= 1 << t
      if index.prunes {
        // VM v's part of the prediction: Σ wᵢ·termᵢ(v) over its newest ten values.
        let n = Swift.min(historyCount[vi], 10)
        let head = historyHead[vi]
        let ring = historyTerms.base + (vi * typeCount + t) * historyLength
        let w = index.scoreWeights.base + t * 10
        var part = 0.0
        for i in 0..<n { part += w[i] * ring[i <= head ? head - i : head - i + historyLength] }
        index.limits[t] = (1 + 2e-9) / index.safety - part
      } else {
        index.limits[t] = .infinity
      }
    }
    // The pristine hosts seed both searches.
    var best = -1
    var bestIncrease = Double.infinity
    if !pristineExcluded {
      for type in 0..<typeMasks.count {
        let h = firstPristine(ofType: type)
        if h >= 0, let e = fitIncrease(h, r), e < bestIncrease || (e == bestIncrease && h < best) {
          bestIncrease = e
          best = h
        }
      }
    }
    index.searchRequest = r
    index.searchUsable = usable
    index.resultIncrease = bestIncrease
    index.resultHost = best
    if index.splits, let partnerRef = index.partnerRef {
      // Unmanaged references (the engine owns the index, the index its partner, the engine the
      // team): a retain here would write the partner's and the team's headers, on the cache
      // lines the worker is reading.
      let (e, h) = partnerRef._withUnsafeGuaranteedRef { partner in
        partner.searchRequest = r
        partner.searchUsable = usable
        for t in 0..<index.types { partner.limits[t] = index.limits[t] }
        partner.resultIncrease = bestIncrease
        partner.resultHost = best
        // The engine's second thread (the frames' `FrameTeam`) searches the second half.
        startedTeam()._withUnsafeGuaranteedRef {
          $0.search(Unmanaged.passUnretained(self), Unmanaged.passUnretained(index), partnerRef)
        }
        return (partner.resultIncrease, partner.resultHost)
      }
      best = index.resultHost
      bestIncrease = index.resultIncrease
      if h >= 0 && (e < bestIncrease || (e == bestIncrease && h < best)) {
        best = h
        bestIncrease = e
      }
    } else {
      fitSearch(index)
      best = index.resultHost
    }
    fit.live = true
    guard best >= 0 else { return nil }
    if util[best] == 0 || !isOverloaded(best, extra: vi) { return best }
    return fitBestFirst(vi, pristineExcluded: pristineExcluded)
  }

  /// Host h's exact increase with the request r (CloudSim's `getPowerAfterAllocation` minus its
  /// power), nil when it cannot take the request.
  @inline(__always) func fitIncrease(_ h: Int, _ r: Double) -> Double? {
    guard hostPe[h] >= r, available[h] >= r else { return nil }
    let x = plannedMips[h] + r
    // x ≤ MIPS gives x / MIPS ≤ 1; just above, the division may still round to 1.
    let u = x / hostTotal[h]
    guard u <= 1 else { return nil }
    return power(h, u) - currentPower[h]
  }

  /// Node g of `index` (type t): a lower bound of its hosts' increases with the search's request
  /// (less a margin for the rounding of the key form), +∞ when none of them can take it.
  @inline(__always) func fitBound(_ index: FitIndex, _ g: Int, _ t: Int, _ r: Double) -> Double {
    guard index.count[g] > 0, index.maxFree[g] >= r, index.minScore[g] < index.limits[t] else {
      return .infinity
    }
    let lo = index.minP[g] + r
    let capacity = index.typeTotal[t]
    if lo > capacity && !(lo / capacity <= 1) { return .infinity }
    let inv = index.typeInverse[t]
    let kLo = Swift.min(Int(lo * inv * 10), 10)
    let kHi = Swift.min(Int((index.maxP[g] + r) * inv * 10), 10)
    let pieces = FitIndex.pieces
    let offsets = index.offsets.base + t * pieces
    let keys = index.keys(g)
    var b = Double.infinity
    for k in kLo...kHi { b = Swift.min(b, offsets[k] + keys[k]) }
    return b - 1e-9
  }

  /// The least (exact increase, id) over `index`'s hosts and its seed, into its result: a
  /// depth-first search, the child with the smaller bound first, that skips nodes whose bound
  /// exceeds the best increase so far. Reads the engine and writes only `index` (and the
  /// history caches of its own hosts), so the two halves can be searched at once.
  func fitSearch(_ index: FitIndex) {
    fitFlush(index)
    let r = index.searchRequest
    let pieces = FitIndex.pieces
    // The key form's offsets base[k] + a[k]·r, in this half's own array (the other half's
    // thread would otherwise read lines the engine's thread has just written).
    for t in 0..<index.types where index.searchUsable & (1 << t) != 0 {
      for k in 0..<pieces {
        index.offsets[t * pieces + k] = index.keyBase[t * pieces + k] + index.keySlope[t * pieces + k] * r
      }
    }
    var best = index.resultHost
    var bestIncrease = index.resultIncrease
    let limits = index.limits.base
    let stackValue = index.heapValue.base
    let stackNode = index.heapCode.base
    let nodeTypes = index.nodeType
    let nodeBases = index.nodeBase.base
    let leafCounts = index.leaves.base
    var depth = 0
    for t in 0..<index.types where index.searchUsable & (1 << t) != 0 {
      let g = nodeBases[t] + 1
      let b = fitBound(index, g, t, r)
      if b < .infinity {
        stackValue[depth] = b
        stackNode[depth] = Int32(g)
        depth += 1
      }
    }
    while depth > 0 {
      depth -= 1
      guard stackValue[depth] <= bestIncrease else { continue }
      let g = Int(stackNode[depth])
      let t = Int(nodeTypes[g])
      let base = nodeBases[t]
      let l = g - base
      if l >= leafCounts[t] {
        let limit = limits[t]
        let capacity = index.typeTotal[t]
        // Every slot's approximate increase is at least its key + floor (the key form with the
        // leaf's slope, corrected for each piece its hosts can reach at either end of its range
        // of planned MIPS): the scan stops at the first key whose bound exceeds the best.
        let pLo = index.minP[g]
        let pHi = index.maxP[g]
        let inv = index.typeInverse[t]
        let kLo = Swift.min(Int((pLo + r) * inv * 10), 10)
        let kHi = Swift.min(Int((pHi + r) * inv * 10), 10)
        let a0 = index.leafSlope[g]
        var floor = Double.infinity
        for k in kLo...kHi {
          let d = index.keySlope[t * pieces + k] - a0
          floor = Swift.min(floor, index.offsets[t * pieces + k] + Swift.min(d * pLo, d * pHi))
        }
        floor -= 1e-9
        // The scan in C (`yunhe_fit_scan`): `power(h, u) − current` from the type's table (the
        // same values as the host's, so the same result) and the (exact increase, id) comparison.
        yunhe_fit_scan(
          index.slots + index.start[g], Int(index.fill[g]), r, capacity, floor, limit,
          index.typePower.base + t * 11, index.typePowerSlope.base + t * 11, tenths.base, &bestIncrease, &best
        )
      } else {
        let left = base + 2 * l
        let right = left + 1
        let bl = fitBound(index, left, t, r)
        let br = fitBound(index, right, t, r)
        // The smaller bound on top.
        let (first, firstBound, second, secondBound) =
          bl <= br ? (left, bl, right, br) : (right, br, left, bl)
        // (An infinite bound is never pushed: no host below can take the request.)
        if secondBound < .infinity && secondBound <= bestIncrease {
          stackValue[depth] = secondBound
          stackNode[depth] = Int32(second)
          depth += 1
        }
        if firstBound < .infinity && firstBound <= bestIncrease {
          stackValue[depth] = firstBound
          stackNode[depth] = Int32(first)
          depth += 1
        }
      }
    }
    index.resultIncrease = bestIncrease
    index.resultHost = best
  }

  /// Best fit's second choice onwards, when the least (exact increase, id) fails the overload
  /// test: hosts from both halves in increasing approximate increase (a best-first search), the
  /// next one being the least (exact increase, id) among those out once the next approximate
  /// increase exceeds its exact one by 2·10⁻⁹ W; the failed one is tested again.
  func fitBestFirst(_ vi: Int, pristineExcluded: Bool) -> Int? {
    let index = fit
    let r = request[vi]
    let window = 2e-9
    let halves = index.splits ? [index, index.partner!] : [index]
    /// Host h's approximate increase (the utilisation by a multiplication with 1 / host MIPS,
    /// no table-point test: within 10⁻¹² W of the exact one), +∞ when it cannot take r.
    @inline(__always) func approximate(_ h: Int) -> Double {
      guard hostPe[h] >= r, available[h] >= r else { return .infinity }
      let x = plannedMips[h] + r
      if x > hostTotal[h] && !(x / hostTotal[h] <= 1) { return .infinity }
      let u = x * hostInverseTotal[h]
      let lower = Swift.min(Int(u * 10), 10)
      return hostPower[h * 11 + lower] + hostPowerSlope[h * 11 + lower] * (u - tenths[lower]) * 100
        - currentPower[h]
    }
    // Node codes: node g of half k is 2g + k; hosts are −1 − h.
    index.heapCount = 0
    for (k, half) in halves.enumerated() {
      for t in 0..<half.types where half.searchUsable & (1 << t) != 0 {
        let g = half.nodeBase[t] + 1
        let b = fitBound(half, g, t, r)
        if b < .infinity { index.push(b, Int32(2 * g + k)) }
      }
    }
    if !pristineExcluded {
      for type in 0..<typeMasks.count {
        let h = firstPristine(ofType: type)
        if h >= 0 {
          let a = approximate(h)
          if a < .infinity { index.push(a, Int32(-1 - h)) }
        }
      }
    }
    let exacts = fitDiffs.base
    let hosts = fitHosts.base
    var count = 0
    var bestK = -1
    var best = Int.max
    var bestExact = Double.infinity
    while true {
      while index.heapCount > 0 && index.heapValue[0] <= bestExact + window {
        let code = Int(index.pop())
        if code < 0 {
          let h = -1 - code
          let e = power(h, (plannedMips[h] + r) / hostTotal[h]) - currentPower[h]
          exacts[count] = e
          hosts[count] = Int32(h)
          if e < bestExact || (e == bestExact && h < best) {
            bestExact = e
            best = h
            bestK = count
          }
          count += 1
          continue
        }
        let half = halves[code & 1]
        let g = code >> 1
        let t = Int(half.nodeType[g])
        let base = half.nodeBase[t]
        let l = g - base
        if l >= half.leaves[t] {
          let limit = index.limits[t]
          for slot in half.run(g) where slot.score < limit {
            let h = Int(slot.host)
            let a = approximate(h)
            if a < .infinity { index.push(a, Int32(-1 - h)) }
          }
        } else {
          for child in [base + 2 * l, base + 2 * l + 1] {
            let b = fitBound(half, child, t, r)
            if b < .infinity { index.push(b, Int32(2 * child + (code & 1))) }
          }
        }
      }
      guard count > 0 else { return nil }
      if util[best] == 0 || !isOverloaded(best, extra: vi) { return best }
      count -= 1
      exacts[bestK] = exacts[count]
      hosts[bestK] = hosts[count]
      bestK = -1
      best = Int.max
      bestExact = .infinity
      for k in 0..<count {
        let h = Int(hosts[k])
        let e = exacts[k]
        if e < bestExact || (e == bestExact && h < best) {
          bestExact = e
          best = h
          bestK = k
        }
      }
    }
  }

  /// `findHost` by a scan of every busy host (and the lowest-numbered pristine host of each
  /// type), for instances with few hosts: each suitable host's approximate increase, then the
  /// exact one of those within 2·10⁻⁹ W of the smallest; if the chosen host fails the overload
  /// test, it is dropped and the next minimum is found the same way.
  func findHostByScan(_ v: Int32, pristineExcluded: Bool) -> Int? {
    let vi = Int(v)
    let r = request[vi]
    var count = 0
    var minApprox = Double.infinity
    // Local copies of the buffers: stores into the candidate buffers cannot then force
    // reloads of the engine's fields.
    let pe = hostPe.base
    let free = available.base
    let planned = plannedMips.base
    let total = hostTotal.base
    let inverse = hostInverseTotal.base
    let current = currentPower.base
    let table = hostPower.base
    let slopes = hostPowerSlope.base
    let tenth = tenths.base
    let diffs = fitDiffs.base
    let hosts = fitHosts.base
    let excluded = fit.excluded.base
    @inline(__always) func consider(_ h: Int) {
      guard pe[h] >= r, free[h] >= r else { return }
      let x = planned[h] + r
      // x ≤ MIPS gives x / MIPS ≤ 1; just above, the division may still round to 1.
      if x > total[h] && !(x / total[h] <= 1) { return }
      // The power formula of `power` without its table-point test (continuous there).
      let u = x * inverse[h]
      let scaled = u * 10
      let lower = Swift.min(Int(scaled), 10)
      let approx = table[h * 11 + lower] + slopes[h * 11 + lower] * (u - tenth[lower]) * 100 - current[h]
      diffs[count] = approx
      hosts[count] = Int32(h)
      count += 1
      if approx < minApprox { minApprox = approx }
    }
    busy.withUnsafeBufferPointer { busy in
      for b in busy {
        let h = Int(b)
        if !excluded[h] { consider(h) }
      }
    }
    if !pristineExcluded {
      for type in 0..<typeMasks.count {
        let h = firstPristine(ofType: type)
        if h >= 0 { consider(h) }
      }
    }
    let window = 2e-9
    while count > 0 {
      var bestK = -1
      var best = Int.max
      var bestDiff = Double.infinity
      let limit = minApprox + window
      for k in 0..<count where diffs[k] <= limit {
        let h = Int(hosts[k])
        let diff = power(h, (planned[h] + r) / total[h]) - current[h]
        if diff < bestDiff || (diff == bestDiff && h < best) {
          bestDiff = diff
          best = h
          bestK = k
        }
      }
      if util[best] == 0 || !isOverloaded(best, extra: vi) { return best }
      count -= 1
      diffs[bestK] = diffs[count]
      hosts[bestK] = hosts[count]
      minApprox = Double.infinity
      for k in 0..<count where diffs[k] < minApprox { minApprox = diffs[k] }
    }
    return nil
  }
}
