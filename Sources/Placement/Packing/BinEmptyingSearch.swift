/// The improvement method: a consistent-neighbourhood local search that empties bins, after
/// Buljubašić and Vasquez's CNS_BP (Computers & OR 76, 2016), generalised to vectors.
///
/// From a complete packing with m bins it tries to reach m − 1: it removes the k = 3 least-filled
/// bins (fewer when m < 3), putting their items into a pool, and searches for a state in which
/// the pool fits into k − 1 bins while the other m − k bins stay feasible. Moves:
/// - **swap**: exchange a set A of at most two items of one bin with a set B of one to three
///   pool items, keeping the bin within capacity. The objective, minimised lexicographically,
///   is (pool weight, −pool count): heavy items go into bins, many small ones stay in the pool
///   where they are easier to place. Weight is the capacity-normalised L1 size (the size
///   itself in one dimension). A tabu phase takes the best allowed swap each iteration, even a
///   worsening one; a size class that entered a bin may not leave it for a while (the tenure
///   grows with how often the item moved), and swaps that exchange equal sizes are skipped.
/// - **pack**: a descent that refills one bin optimally from its items and the pool (a bounded
///   depth-first search), leaving the rest in the pool.
/// When m reaches the lower bound the search stops; when a stage stalls it restarts from the
/// best complete packing with another choice of bins to remove; it ends when the work budget
/// or the time budget is spent.
///
/// Deterministic for a seed unless the time budget binds: work is counted in bin visits and
/// search nodes, not in time.
final class BinEmptyingSearch {
  struct Options {
    var seed: UInt64
    /// Work units (bin visits of the swap neighbourhood, pool subsets and search nodes) before
    /// giving up.
    var workBudget: Int
    /// Wall-clock limit, if any.
    var timeBudget: Duration?
    var tabuIterations = 10
    var stallRounds = 40
    var tenureBase = 3
    var tenureRandom = 5
    var packNodeLimit = 4000
    /// Bins removed at the start of a stage; the pool must fit into one fewer.
    var removedBins = 3
    /// Pairs of bins repacked with the pool in each descent.
    var pairPacks = 20
    /// Stop scanning bins at the first one offering a strictly lighter pool.
    var firstImprovement = true
    /// Most bins one stage works on (besides the removed ones).
    var activeBins = 1 << 30
  }

  // Instance, in the search's own item numbering; read-only after init.
  let d: Int
  let n: Int
  let size: UnsafeMutablePointer<Double>
  let weight: UnsafeMutablePointer<Double>
  /// Items with equal size vectors share a class; tabu status and no-op detection use classes.
  let sizeClass: UnsafeMutablePointer<Int32>
  /// Cardinality classes: class j (1…`levels`) of dimension k holds the items with
  /// size_k > C_k / (j + 1), at most j of which share a bin, so a pool that must fit into
  /// `spare` bins may hold at most j · spare of them. `level[i · d + k]` is the smallest class
  /// holding item i (it is then in every larger class too), 0 for none.
  let level: UnsafeMutablePointer<UInt8>
  /// Bit k set when the item has a level in dimension k (a fast test for "no level at all").
  let bigMask: UnsafeMutablePointer<UInt16>
  static let levels = 4
  let limit: [Double]
  let limitW: Double
  let eps: Double
  let options: Options

  // State.
  var bins: [[Int32]] = []
  /// Bins left out of the current stage's search.
  var frozen: [[Int32]] = []
  /// Load of bin b in dimension k at b · d + k; capacity for `maxBins` bins.
  var load: UnsafeMutablePointer<Double>
  var loadW: UnsafeMutablePointer<Double>
  var maxBins = 0
  var pool: [Int32] = []
  var poolW = 0.0
  /// `poolLevel[k · levels + j − 1]`: pool items in cardinality class j of dimension k.
  let poolLevel: UnsafeMutablePointer<Int>
  /// Scratch for move checks, same layout.
  let levelDelta: UnsafeMutablePointer<Int>
  let tabuUntil: UnsafeMutablePointer<Int>
  let frequency: UnsafeMutablePointer<Int32>
  var iteration = 0
  var work = 0
  var rng: SplitMix64
  let started = ContinuousClock.now
  /// Number of bins the pool must fit into.
  var spare = 2

  init(size sizes: [Double], dimensions: Int, capacity: [Double], options: Options) {
    d = dimensions
    n = sizes.count / dimensions
    self.options = options
    size = .allocate(capacity: sizes.count)
    size.initialize(from: sizes, count: sizes.count)
    let tol = capacity.map { $0 * PackingKernels.relativeTolerance }
    limit = zip(capacity, tol).map { $0 + $1 }
    // One dimension: the raw size, so that sums of integers stay exact.
    let factor = d == 1 ? [1.0] : capacity.map { 1 / $0 }
    weight = .allocate(capacity: n)
    for i in 0..<n {
      var w = 0.0
      for k in 0..<d { w += sizes[i * d + k] * factor[k] }
      weight[i] = w
    }
    var lw = 0.0
    for k in 0..<d { lw += limit[k] * factor[k] }
    limitW = lw
    eps = 1e-9 * (d == 1 ? capacity[0] : Double(d))
    let byVector = (0..<n).sorted { a, b in
      for k in 0..<dimensions where sizes[a * dimensions + k] != sizes[b * dimensions + k] {
        return sizes[a * dimensions + k] < sizes[b * dimensions + k]
      }
      return a < b
    }
    sizeClass = .allocate(capacity: n)
    var current: Int32 = 0
    for (p, i) in byVector.enumerated() {
      if p > 0 {
        let j = byVector[p - 1]
        if (0..<dimensions).contains(where: { sizes[i * dimensions + $0] != sizes[j * dimensions + $0] }) {
          current += 1
        }
      }
      sizeClass[i] = current
    }
    bigMask = .allocate(capacity: n)
    level = .allocate(capacity: n * d)
    for i in 0..<n {
      var mask: UInt16 = 0
      for k in 0..<d {
        var j = 1
        while j <= Self.levels && !(sizes[i * d + k] > capacity[k] / Double(j + 1)) { j += 1 }
        if j > Self.levels { j = 0 }
        level[i * d + k] = UInt8(j)
        if j > 0 { mask |= 1 << UInt16(k) }
      }
      bigMask[i] = mask
    }
    tabuUntil = .allocate(capacity: n)
    tabuUntil.initialize(repeating: 0, count: n)
    frequency = .allocate(capacity: n)
    frequency.initialize(repeating: 0, count: n)
    load = .allocate(capacity: 1)
    loadW = .allocate(capacity: 1)
    poolLevel = .allocate(capacity: dimensions * Self.levels)
    poolLevel.initialize(repeating: 0, count: dimensions * Self.levels)
    levelDelta = .allocate(capacity: dimensions * Self.levels)
    levelDelta.initialize(repeating: 0, count: dimensions * Self.levels)
    rng = SplitMix64(seed: options.seed)
  }

  deinit {
    size.deallocate()
    weight.deallocate()
    sizeClass.deallocate()
    bigMask.deallocate()
    level.deallocate()
    tabuUntil.deallocate()
    frequency.deallocate()
    load.deallocate()
    loadW.deallocate()
    poolLevel.deallocate()
    levelDelta.deallocate()
  }

  var budgetLeft: Bool {
    if work >= options.workBudget { return false }
    if let t = options.timeBudget, ContinuousClock.now - started > t { return false }
    return true
  }

  // MARK: Driver

  /// Improves `start` (bins as item lists in this search's numbering) towards `lowerBound`
  /// bins; returns the best complete packing found (never worse than `start`).
  func run(start: [[Int32]], lowerBound: Int) -> [[Int32]] {
    var best = start
    while best.count > lowerBound && budgetLeft {
      guard let better = reduceByOne(best) else { break }
      best = better
    }
    return best
  }

  /// Tries to pack the items of `complete` into one bin fewer; restarts with other bins removed
  /// after a stalled stage. Nil when the budget runs out first.
  func reduceByOne(_ complete: [[Int32]]) -> [[Int32]]? {
    var attempt = 0
    while budgetLeft {
      setUp(complete, attempt: attempt)
      if search(), let extra = splitPool() {
        return frozen + bins + extra
      }
      attempt += 1
    }
    return nil
  }

  /// Loads `complete` minus the removed bins into the state; the removed bins' items form the
  /// pool. Attempt 0 removes the least-filled bins; later attempts keep the least-filled one
  /// and choose the others at random.
  func setUp(_ complete: [[Int32]], attempt: Int) {
    let m = complete.count
    if m > maxBins {
      load.deallocate()
      loadW.deallocate()
      maxBins = m
      load = .allocate(capacity: maxBins * d)
      loadW = .allocate(capacity: maxBins)
    }
    let k = Swift.min(options.removedBins, m)
    spare = k - 1
    let fill = complete.map { bin in bin.reduce(0.0) { $0 + weight[Int($1)] } }
    var order = Array(0..<m)
    for i in stride(from: m - 1, to: 0, by: -1) { order.swapAt(i, rng.below(i + 1)) }
    order.sort { fill[$0] < fill[$1] }
    // Candidates: by fill; on later attempts the least-filled bin, then the others at random.
    var sequence = order
    if attempt > 0 && m > k {
      sequence = [order[0]] + order.dropFirst().shuffled(using: &rng)
    }
    // Take bins in that order while the pool's cardinality classes stay within `spare` bins.
    var removed: [Int] = []
    let levelCount = d * Self.levels
    poolLevel.update(repeating: 0, count: levelCount)
    for b in sequence where removed.count < k {
      levelDelta.update(from: poolLevel, count: levelCount)
      for item in complete[b] { addLevels(item, 1, into: levelDelta) }
      if (0..<levelCount).allSatisfy({ levelDelta[$0] <= ($0 % Self.levels + 1) * spare }) {
        removed.append(b)
        poolLevel.update(from: levelDelta, count: levelCount)
      }
    }
    for b in sequence where removed.count < k && !removed.contains(b) { removed.append(b) }
    bins = []
    pool = []
    frozen = []
    // The search works on at most `activeBins` bins: half of them those with the most room,
    // the others at random; the rest stay as they are for this stage.
    var active = Set<Int>()
    if m - k > options.activeBins {
      let byRoom = order.reversed().filter { !removed.contains($0) }
      for b in byRoom.prefix(options.activeBins / 2) { active.insert(b) }
      let rest = byRoom.dropFirst(options.activeBins / 2).shuffled(using: &rng)
      for b in rest.prefix(options.activeBins - active.count) { active.insert(b) }
    }
    for (b, bin) in complete.enumerated() {
      if removed.contains(b) {
        pool.append(contentsOf: bin)
      } else if active.isEmpty || active.contains(b) {
        bins.append(bin)
      } else {
        frozen.append(bin)
      }
    }
    for b in 0..<bins.count { recompute(b) }
    recomputePool()
    tabuUntil.update(repeating: 0, count: n)
    iteration = 0
  }

  /// Recomputes `poolW` and `poolLevel` from `pool`.
  func recomputePool() {
    poolW = 0
    poolLevel.update(repeating: 0, count: d * Self.levels)
    for item in pool {
      poolW += weight[Int(item)]
      addLevels(item, 1, into: poolLevel)
    }
  }

  @inline(__always)
  func addLevels(_ item: Int32, _ sign: Int, into counts: UnsafeMutablePointer<Int>) {
    guard item >= 0 else { return }
    let i = Int(item)
    guard bigMask[i] != 0 else { return }
    for k in 0..<d {
      let l = Int(level[i * d + k])
      if l > 0 { for j in (l - 1)..<Self.levels { counts[k * Self.levels + j] += sign } }
    }
  }

  /// True when moving items `out0`, `out1` into the pool and `in0`…`in2` out of it (-1 for
  /// none) keeps every cardinality class within `spare` bins, or does not make an excess worse.
  func keepsPoolPackable(_ out0: Int32, _ out1: Int32, _ in0: Int32, _ in1: Int32, _ in2: Int32) -> Bool {
    var any: UInt16 = 0
    if out0 >= 0 { any |= bigMask[Int(out0)] }
    if out1 >= 0 { any |= bigMask[Int(out1)] }
    if any == 0 { return true }
    let size = d * Self.levels
    levelDelta.update(repeating: 0, count: size)
    addLevels(out0, 1, into: levelDelta)
    addLevels(out1, 1, into: levelDelta)
    addLevels(in0, -1, into: levelDelta)
    addLevels(in1, -1, into: levelDelta)
    addLevels(in2, -1, into: levelDelta)
    for x in 0..<size where levelDelta[x] > 0 && poolLevel[x] + levelDelta[x] > (x % Self.levels + 1) * spare
    {
      return false
    }
    return true
  }

  /// `keepsPoolPackable` for whole lists (pack moves).
  func keepsPoolPackable(out: [Int32], into: [Int32]) -> Bool {
    let size = d * Self.levels
    levelDelta.update(repeating: 0, count: size)
    for item in out { addLevels(item, 1, into: levelDelta) }
    for item in into { addLevels(item, -1, into: levelDelta) }
    for x in 0..<size where levelDelta[x] > 0 && poolLevel[x] + levelDelta[x] > (x % Self.levels + 1) * spare
    {
      return false
    }
    return true
  }

  func recompute(_ b: Int) {
    var w = 0.0
    let l = load + b * d
    for k in 0..<d { l[k] = 0 }
    for item in bins[b] {
      let i = Int(item)
      for k in 0..<d { l[k] += size[i * d + k] }
      w += weight[i]
    }
    loadW[b] = w
  }

  func isBetter(_ w: Double, _ count: Int, than bestW: Double, _ bestCount: Int) -> Bool {
    w < bestW - eps || (w <= bestW + eps && count > bestCount)
  }

  /// The search of one stage: true when the pool fits into `spare` bins.
  func search() -> Bool {
    var bestW = poolW
    var bestCount = pool.count
    var stall = 0
    while budgetLeft {
      if poolFits() { return true }
      for _ in 0..<options.tabuIterations {
        guard swapMove() else { break }
        if isBetter(poolW, pool.count, than: bestW, bestCount) {
          bestW = poolW
          bestCount = pool.count
          stall = 0
        }
        if poolFits() { return true }
      }
      if packDescent() && poolFits() { return true }
      if isBetter(poolW, pool.count, than: bestW, bestCount) {
        bestW = poolW
        bestCount = pool.count
        stall = 0
      }
      stall += 1
      if stall > options.stallRounds { return false }
    }
    return false
  }

  // MARK: Swap moves

  struct Subset {
    var w: Double
    var count: Int32
    var a: Int32
    var b: Int32
    var c: Int32
  }

  /// Subsets of the pool of one to three items (two when the pool holds more than 12 items,
  /// one above 40), one per multiset of size classes, by decreasing weight then increasing
  /// count.
  func poolSubsets() -> [Subset] {
    let items = pool.sorted { sizeClass[Int($0)] < sizeClass[Int($1)] }
    let p = items.count
    let maxIn = p > 40 ? 1 : (p > 12 ? 2 : 3)
    var list: [Subset] = []
    list.reserveCapacity(p + (maxIn >= 2 ? p * p / 2 : 0) + (maxIn >= 3 ? p * p * p / 6 : 0))
    @inline(__always) func repeats(_ u: Int, after first: Int) -> Bool {
      u > first && sizeClass[Int(items[u])] == sizeClass[Int(items[u - 1])]
    }
    for x in 0..<p where !repeats(x, after: 0) {
      let i = items[x]
      let wi = weight[Int(i)]
      list.append(Subset(w: wi, count: 1, a: i, b: -1, c: -1))
      guard maxIn >= 2 else { continue }
      for y in (x + 1)..<p where !repeats(y, after: x + 1) {
        let j = items[y]
        let wij = wi + weight[Int(j)]
        list.append(Subset(w: wij, count: 2, a: i, b: j, c: -1))
        guard maxIn >= 3 else { continue }
        for z in (y + 1)..<p where !repeats(z, after: y + 1) {
          let l = items[z]
          list.append(Subset(w: wij + weight[Int(l)], count: 3, a: i, b: j, c: l))
        }
      }
    }
    list.sort { $0.w > $1.w || ($0.w == $1.w && $0.count < $1.count) }
    return list
  }

  struct Move {
    var bin = -1
    var out0: Int32 = -1
    var out1: Int32 = -1
    var into = Subset(w: 0, count: 0, a: -1, b: -1, c: -1)
    var gainW = -Double.infinity
    var gainCount = Int.min
  }

  /// Σ over dimensions and cardinality classes of the pool items beyond what `spare` bins
  /// can hold.
  func poolExcess(_ counts: UnsafeMutablePointer<Int>) -> Int {
    var excess = 0
    for k in 0..<d {
      for j in 0..<Self.levels { excess += Swift.max(0, counts[k * Self.levels + j] - (j + 1) * spare) }
    }
    return excess
  }

  /// When the pool breaks a cardinality class (it may, right after a stage starts): the
  /// allowed swap that lowers the excess most, then by weight gain; false when none lowers it.
  func repairMove(_ subsets: [Subset]) -> Bool {
    let current = poolExcess(poolLevel)
    var best: (move: Move, excess: Int)?
    var out = [Double](repeating: 0, count: d)
    for b in 0..<bins.count {
      let items = bins[b]
      let count = items.count
      work += 1 + subsets.count
      for x in -1..<count {
        if x >= 0 && isTabu(items, items[x]) { continue }
        for y in (x < 0 ? count : x + 1)...count {
          if y < count && isTabu(items, items[y]) { continue }
          let outA: Int32 = x >= 0 ? items[x] : -1
          let outB: Int32 = y < count ? items[y] : -1
          var wOut = 0.0
          for k in 0..<d { out[k] = 0 }
          for item in [outA, outB] where item >= 0 {
            wOut += weight[Int(item)]
            for k in 0..<d { out[k] += size[Int(item) * d + k] }
          }
          for sub in subsets {
            if !out.withUnsafeMutableBufferPointer({ fits(load + b * d, $0.baseAddress!, sub) }) { continue }
            levelDelta.update(from: poolLevel, count: d * Self.levels)
            for item in [outA, outB, sub.a, sub.b, sub.c] where item >= 0 {
              addLevels(item, item == outA || item == outB ? 1 : -1, into: levelDelta)
            }
            let excess = poolExcess(levelDelta)
            guard excess < current else { continue }
            let gainW = sub.w - wOut
            if let incumbent = best,
              excess > incumbent.excess || (excess == incumbent.excess && gainW <= incumbent.move.gainW)
            {
              continue
            }
            best = (
              Move(
                bin: b, out0: outA, out1: outB, into: sub, gainW: gainW,
                gainCount: (outA >= 0 ? 1 : 0) + (outB >= 0 ? 1 : 0) - Int(sub.count)),
              excess
            )
          }
        }
      }
    }
    guard let chosen = best else { return false }
    apply(chosen.move)
    return true
  }

  /// Applies the best allowed swap; false when there is none.
  func swapMove() -> Bool {
    iteration += 1
    let subsets = poolSubsets()
    guard !subsets.isEmpty else { return false }
    if poolExcess(poolLevel) > 0 && repairMove(subsets) { return true }
    var best = Move()
    var tier: [Move] = []
    var seen = 0
    let tierSize = 8
    let m = bins.count
    work += subsets.count
    let d = self.d
    let size = self.size
    let weight = self.weight
    let eps = self.eps
    var out = [Double](repeating: 0, count: d)
    let allBins = bins
    let offset = rng.below(m)
    var visited = 0
    subsets.withUnsafeBufferPointer { subs in
      out.withUnsafeMutableBufferPointer { out in
        for step in 0..<m {
          // First improvement: stop after the first bin that offers a strictly lighter pool.
          if options.firstImprovement && best.gainW > eps { break }
          visited += 1
          let b = (offset + step) % m
          let items = allBins[b]
          let count = items.count
          let slackW = limitW - loadW[b]
          let binLoad = load + b * d
          // A = ∅, {x}, {x, y} with x < y; x = -1 and y = count stand for "no item".
          for x in -1..<count {
            if x >= 0 && isTabu(items, items[x]) { continue }
            let yStart = x < 0 ? count : x + 1
            for y in yStart...count {
              if y < count && isTabu(items, items[y]) { continue }
              var wOut = 0.0
              var cOut = 0
              for k in 0..<d { out[k] = 0 }
              if x >= 0 {
                let item = Int(items[x])
                wOut += weight[item]
                cOut += 1
                for k in 0..<d { out[k] += size[item * d + k] }
              }
              if y < count {
                let item = Int(items[y])
                wOut += weight[item]
                cOut += 1
                for k in 0..<d { out[k] += size[item * d + k] }
              }
              // The heaviest B with w(B) ≤ slack + w(A) that fits in every dimension.
              let bound = slackW + wOut + eps
              var low = 0
              var high = subs.count
              while low < high {
                let mid = (low + high) / 2
                if subs[mid].w > bound { low = mid + 1 } else { high = mid }
              }
              var s = low
              while s < subs.count {
                let sub = subs[s]
                let gainW = sub.w - wOut
                if gainW < best.gainW - eps { break }
                s += 1
                if !fits(binLoad, out.baseAddress!, sub) { continue }
                let gainCount = cOut - Int(sub.count)
                let outA: Int32 = x >= 0 ? items[x] : -1
                let outB: Int32 = y < count ? items[y] : -1
                if gainCount == 0 && abs(gainW) <= eps && isNoOp(outA, outB, sub) { continue }
                if !keepsPoolPackable(outA, outB, sub.a, sub.b, sub.c) { continue }
                let move = Move(bin: b, out0: outA, out1: outB, into: sub, gainW: gainW, gainCount: gainCount)
                if gainW > best.gainW + eps {
                  best = move
                  tier.removeAll(keepingCapacity: true)
                  tier.append(move)
                  seen = 1
                } else {
                  // Within eps of the best weight gain: keep a uniform sample of such moves.
                  seen += 1
                  if tier.count < tierSize {
                    tier.append(move)
                  } else {
                    let r = rng.below(seen)
                    if r < tierSize { tier[r] = move }
                  }
                }
                break
              }
            }
          }
        }
      }
    }
    work += visited
    guard !tier.isEmpty else { return false }
    apply(choose(among: tier))
    return true
  }

  /// The move to make among moves of (nearly) equal weight gain: the one after which a subset
  /// of the pool fills one bin best (when the pool must be split over two bins), then the one
  /// leaving more items in the pool; ties at random.
  func choose(among tier: [Move]) -> Move {
    var best = tier[0]
    var bestFill = spare >= 2 ? fillAfter(tier[0]) : 0
    var ties = 1
    for move in tier.dropFirst() {
      let fill = spare >= 2 ? fillAfter(move) : 0
      let better = fill > bestFill + eps || (fill >= bestFill - eps && move.gainCount > best.gainCount)
      let equal = !better && fill >= bestFill - eps && move.gainCount == best.gainCount
      if better {
        best = move
        bestFill = fill
        ties = 1
      } else if equal {
        ties += 1
        if rng.below(ties) == 0 { best = move }
      }
    }
    return best
  }

  /// The weight of the heaviest subset of the pool that fits one bin, after `move`.
  func fillAfter(_ move: Move) -> Double {
    var items = pool.filter { $0 != move.into.a && $0 != move.into.b && $0 != move.into.c }
    if move.out0 >= 0 { items.append(move.out0) }
    if move.out1 >= 0 { items.append(move.out1) }
    items.sort(by: byWeight)
    return bestFill(items).w
  }

  /// True when an item of `item`'s size class entered this bin recently.
  @inline(__always)
  func isTabu(_ items: [Int32], _ item: Int32) -> Bool {
    let c = sizeClass[Int(item)]
    for z in items where sizeClass[Int(z)] == c && tabuUntil[Int(z)] > iteration { return true }
    return false
  }

  /// True when A and B hold the same size classes (the swap would change nothing); A and B
  /// have the same number of items.
  func isNoOp(_ outA: Int32, _ outB: Int32, _ sub: Subset) -> Bool {
    let a0 = outA >= 0 ? sizeClass[Int(outA)] : -1
    let a1 = outB >= 0 ? sizeClass[Int(outB)] : -1
    let b0 = sizeClass[Int(sub.a)]
    let b1 = sub.b >= 0 ? sizeClass[Int(sub.b)] : -1
    if sub.c >= 0 { return false }
    return (a0 == b0 && a1 == b1) || (a0 == b1 && a1 == b0)
  }

  @inline(__always)
  func fits(_ binLoad: UnsafeMutablePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ sub: Subset)
    -> Bool
  {
    for k in 0..<d {
      var v = binLoad[k] - out[k] + size[Int(sub.a) * d + k]
      if sub.b >= 0 { v += size[Int(sub.b) * d + k] }
      if sub.c >= 0 { v += size[Int(sub.c) * d + k] }
      if v > limit[k] { return false }
    }
    return true
  }

  func apply(_ move: Move) {
    let b = move.bin
    for item in [move.out0, move.out1] where item >= 0 {
      if let p = bins[b].firstIndex(of: item) { bins[b].remove(at: p) }
      pool.append(item)
    }
    for item in [move.into.a, move.into.b, move.into.c] where item >= 0 {
      if let p = pool.firstIndex(of: item) { pool.remove(at: p) }
      bins[b].append(item)
      let i = Int(item)
      frequency[i] += 1
      tabuUntil[i] =
        iteration + options.tenureBase + rng.below(options.tenureRandom + 1) + Int(frequency[i]) / 2
    }
    recompute(b)
    recomputePool()
  }

  // MARK: Pack moves

  /// Refills each bin (in random order) optimally from its items and the pool when that lowers
  /// the objective; true when some bin changed.
  func packDescent() -> Bool {
    var changed = false
    var order = Array(0..<bins.count)
    for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.below(i + 1)) }
    for b in order {
      if pool.isEmpty { break }
      if packBin(b) {
        changed = true
        if poolFits() { return true }
      }
    }
    // Pairs of bins repacked together with the pool: the first bin one with room when any.
    let m = bins.count
    guard m >= 2 else { return changed }
    let roomy = (0..<m).filter { loadW[$0] < limitW - eps }
    for _ in 0..<options.pairPacks {
      if pool.isEmpty { break }
      let a = roomy.isEmpty ? rng.below(m) : roomy[rng.below(roomy.count)]
      var b = rng.below(m - 1)
      if b >= a { b += 1 }
      if packPair(a, b) {
        changed = true
        if poolFits() { return true }
      }
    }
    return changed
  }

  /// Repacks bins `a` and `b` and the pool: the two bins take the heaviest feasible selection
  /// (a bounded depth-first search); applied when the pool gets lighter, or equally heavy but
  /// easier to split over the spare bins.
  func packPair(_ a: Int, _ b: Int) -> Bool {
    var items = bins[a] + bins[b] + pool
    items.sort(by: byWeight)
    var search = PairSearch(owner: self, items: items)
    search.run(0, 0)
    work += search.nodes
    let before = loadW[a] + loadW[b]
    guard search.bestPacked >= before - eps else { return false }
    let first = (0..<items.count).filter { search.bestSide[$0] == 0 }.map { items[$0] }
    let second = (0..<items.count).filter { search.bestSide[$0] == 1 }.map { items[$0] }
    let rest = (0..<items.count).filter { search.bestSide[$0] == 2 }.map { items[$0] }
    if search.bestPacked <= before + eps {
      // Same weight: only when the new pool splits better, or is the same with more items.
      guard spare >= 2 else { return false }
      let oldFill = bestFill(pool.sorted(by: byWeight)).w
      let newFill = bestFill(rest).w
      guard newFill > oldFill + eps || (newFill >= oldFill - eps && rest.count > pool.count) else {
        return false
      }
    }
    let leaving = (bins[a] + bins[b]).filter { rest.contains($0) }
    let entering = pool.filter { !rest.contains($0) }
    guard keepsPoolPackable(out: leaving, into: entering) else { return false }
    bins[a] = first
    bins[b] = second
    pool = rest
    recompute(a)
    recompute(b)
    recomputePool()
    return true
  }

  /// Depth-first search for the heaviest selection of `items` (by decreasing weight) packed
  /// into two bins; side 0 and 1 are the bins, 2 the pool.
  struct PairSearch {
    let d: Int
    let size: UnsafeMutablePointer<Double>
    let weight: UnsafeMutablePointer<Double>
    let limit: [Double]
    let capW: Double
    let eps: Double
    let nodeLimit: Int
    let items: [Int32]
    var suffix: [Double]
    var loads: [Double]
    var side: [Int8]
    var bestSide: [Int8]
    var bestPacked = -1.0
    var nodes = 0

    init(owner: BinEmptyingSearch, items: [Int32]) {
      d = owner.d
      size = owner.size
      weight = owner.weight
      limit = owner.limit
      capW = owner.limitW
      eps = owner.eps
      nodeLimit = owner.options.packNodeLimit
      self.items = items
      suffix = [Double](repeating: 0, count: items.count + 1)
      for i in stride(from: items.count - 1, through: 0, by: -1) {
        suffix[i] = suffix[i + 1] + weight[Int(items[i])]
      }
      loads = [Double](repeating: 0, count: 2 * owner.d)
      side = [Int8](repeating: 2, count: items.count)
      bestSide = side
    }

    mutating func run(_ i: Int, _ packed: Double) {
      nodes += 1
      if packed > bestPacked + eps {
        bestPacked = packed
        bestSide = side
      }
      if i == items.count || nodes > nodeLimit || bestPacked >= 2 * capW - eps { return }
      if packed + suffix[i] <= bestPacked + eps { return }
      let item = Int(items[i])
      for bin in 0..<2 {
        // The first item goes to bin 0 only (the bins are interchangeable).
        if bin == 1 && i == 0 { break }
        let base = bin * d
        var ok = true
        for k in 0..<d where loads[base + k] + size[item * d + k] > limit[k] {
          ok = false
          break
        }
        guard ok else { continue }
        for k in 0..<d { loads[base + k] += size[item * d + k] }
        side[i] = Int8(bin)
        run(i + 1, packed + weight[item])
        side[i] = 2
        for k in 0..<d { loads[base + k] -= size[item * d + k] }
        if nodes > nodeLimit { return }
      }
      run(i + 1, packed)
    }
  }

  /// The subset of `candidates` (sorted by decreasing weight) of largest weight that fits an
  /// empty bin, ties to fewer items; a depth-first search of at most `packNodeLimit` nodes.
  func bestFill(_ candidates: [Int32]) -> (items: [Int32], w: Double) {
    var search = FillSearch(owner: self, candidates: candidates)
    search.run(0, 0)
    work += search.nodes
    return (search.bestItems, search.bestW)
  }

  // MARK: Construction

  /// Minimum bin slack, in the MBS′ form of Fleszar and Hindi (EJOR 2002): bins are filled one
  /// at a time, each with the heaviest remaining item and the heaviest subset of the other
  /// remaining items that fits beside it (the bounded search of `bestFill`). Strong when bins
  /// hold few items or sizes repeat, where decreasing first fit leaves slack in early bins.
  /// Costs at most `packNodeLimit` search nodes per bin plus O(n) bookkeeping per bin.
  func minimumBinSlack() -> [[Int32]] {
    var remaining = (0..<Int32(n)).sorted(by: byWeight)
    var result: [[Int32]] = []
    var taken = [Bool](repeating: false, count: n)
    while let first = remaining.first {
      var search = FillSearch(owner: self, candidates: Array(remaining.dropFirst()), preset: first)
      search.run(0, weight[Int(first)])
      work += search.nodes
      let bin = [first] + search.bestItems
      for item in bin { taken[Int(item)] = true }
      remaining.removeAll { taken[Int($0)] }
      result.append(bin)
    }
    return result
  }

  /// The depth-first search behind `bestFill`, on locals (no captured state).
  struct FillSearch {
    let d: Int
    let size: UnsafeMutablePointer<Double>
    let weight: UnsafeMutablePointer<Double>
    let limit: [Double]
    let capW: Double
    let eps: Double
    let nodeLimit: Int
    let candidates: [Int32]
    var suffix: [Double]
    var current: [Double]
    var chosen: [Int32] = []
    var bestItems: [Int32] = []
    var bestW = -1.0
    var nodes = 0

    /// Item classes, to skip equal items after leaving one out (symmetric branches).
    let sizeClass: UnsafeMutablePointer<Int32>

    /// A search over `candidates` (sorted by decreasing weight), in a bin already holding
    /// `preset` when given.
    init(owner: BinEmptyingSearch, candidates: [Int32], preset: Int32? = nil) {
      sizeClass = owner.sizeClass
      d = owner.d
      size = owner.size
      weight = owner.weight
      limit = owner.limit
      capW = owner.limitW
      eps = owner.eps
      nodeLimit = owner.options.packNodeLimit
      self.candidates = candidates
      let c = candidates.count
      suffix = [Double](repeating: 0, count: c + 1)
      for i in stride(from: c - 1, through: 0, by: -1) {
        suffix[i] = suffix[i + 1] + weight[Int(candidates[i])]
      }
      current = [Double](repeating: 0, count: owner.d)
      if let preset { for k in 0..<d { current[k] = size[Int(preset) * d + k] } }
    }

    mutating func run(_ i: Int, _ w: Double) {
      nodes += 1
      if w > bestW + eps || (w >= bestW - eps && chosen.count < bestItems.count) {
        bestW = w
        bestItems = chosen
      }
      if i == candidates.count || nodes > nodeLimit || bestW >= capW - eps { return }
      if w + suffix[i] <= bestW + eps { return }
      let item = Int(candidates[i])
      var ok = true
      for k in 0..<d where current[k] + size[item * d + k] > limit[k] {
        ok = false
        break
      }
      if ok {
        for k in 0..<d { current[k] += size[item * d + k] }
        chosen.append(candidates[i])
        run(i + 1, w + weight[item])
        chosen.removeLast()
        for k in 0..<d { current[k] -= size[item * d + k] }
      }
      // Leaving this item out: leave out its equal neighbours too (taking one of them instead
      // would repeat a branch already searched).
      var next = i + 1
      while next < candidates.count && sizeClass[Int(candidates[next])] == sizeClass[item] { next += 1 }
      run(next, w)
    }
  }

  func byWeight(_ a: Int32, _ b: Int32) -> Bool {
    weight[Int(a)] > weight[Int(b)] || (weight[Int(a)] == weight[Int(b)] && a < b)
  }

  func packBin(_ b: Int) -> Bool {
    var candidates = bins[b] + pool
    candidates.sort(by: byWeight)
    let (chosen, w) = bestFill(candidates)
    let improves = w > loadW[b] + eps || (w >= loadW[b] - eps && chosen.count < bins[b].count)
    guard improves else { return false }
    let inBin = Set(chosen)
    let rest = candidates.filter { !inBin.contains($0) }
    let leaving = bins[b].filter { !inBin.contains($0) }
    let entering = chosen.filter { !bins[b].contains($0) }
    guard keepsPoolPackable(out: leaving, into: entering) else { return false }
    pool = rest
    bins[b] = chosen
    recompute(b)
    recomputePool()
    return true
  }

  // MARK: Finishing

  /// True when the pool fits into `spare` bins (checked exactly by a bounded search).
  func poolFits() -> Bool {
    if pool.isEmpty { return true }
    guard poolW <= Double(spare) * limitW + eps else { return false }
    var sums = [Double](repeating: 0, count: d)
    for item in pool { for k in 0..<d { sums[k] += size[Int(item) * d + k] } }
    for k in 0..<d where sums[k] > Double(spare) * limit[k] { return false }
    return splitPool() != nil
  }

  /// The pool split into at most `spare` feasible bins, or nil.
  func splitPool() -> [[Int32]]? {
    if pool.isEmpty { return [] }
    let sorted = pool.sorted(by: byWeight)
    var sums = [Double](repeating: 0, count: d)
    for item in sorted { for k in 0..<d { sums[k] += size[Int(item) * d + k] } }
    if (0..<d).allSatisfy({ sums[$0] <= limit[$0] }) { return spare >= 1 ? [sorted] : nil }
    guard spare >= 2 else { return nil }
    if spare > 2 { return firstFitDecreasing(sorted, bins: spare) }
    // Two bins: the first holds the largest item; a bounded search places the rest.
    var split = SplitSearch(owner: self, items: sorted)
    let found = split.run(0)
    work += split.nodes
    guard found else { return nil }
    var a: [Int32] = []
    var b: [Int32] = []
    for (i, item) in sorted.enumerated() {
      if split.side[i] == 0 { a.append(item) } else { b.append(item) }
    }
    return b.isEmpty ? [a] : [a, b]
  }

  /// First fit of `items` (already in decreasing weight order) into at most `bins` bins, or nil.
  func firstFitDecreasing(_ items: [Int32], bins count: Int) -> [[Int32]]? {
    var result: [[Int32]] = []
    var loads: [[Double]] = []
    for item in items {
      let i = Int(item)
      var placed = false
      for b in 0..<result.count where (0..<d).allSatisfy({ loads[b][$0] + size[i * d + $0] <= limit[$0] }) {
        result[b].append(item)
        for k in 0..<d { loads[b][k] += size[i * d + k] }
        placed = true
        break
      }
      if !placed {
        guard result.count < count else { return nil }
        result.append([item])
        loads.append((0..<d).map { size[i * d + $0] })
      }
    }
    work += items.count * count
    return result
  }

  /// Depth-first search for a split of `items` into two bins.
  struct SplitSearch {
    let d: Int
    let size: UnsafeMutablePointer<Double>
    let limit: [Double]
    let nodeLimit: Int
    let items: [Int32]
    var first: [Double]
    var second: [Double]
    var side: [Int8]
    var nodes = 0

    init(owner: BinEmptyingSearch, items: [Int32]) {
      d = owner.d
      size = owner.size
      limit = owner.limit
      nodeLimit = owner.options.packNodeLimit
      self.items = items
      first = [Double](repeating: 0, count: owner.d)
      second = first
      side = [Int8](repeating: 0, count: items.count)
    }

    mutating func run(_ i: Int) -> Bool {
      nodes += 1
      if i == items.count { return true }
      if nodes > nodeLimit { return false }
      let item = Int(items[i])
      if (0..<d).allSatisfy({ first[$0] + size[item * d + $0] <= limit[$0] }) {
        for k in 0..<d { first[k] += size[item * d + k] }
        side[i] = 0
        if run(i + 1) { return true }
        for k in 0..<d { first[k] -= size[item * d + k] }
      }
      if i == 0 { return false }
      if (0..<d).allSatisfy({ second[$0] + size[item * d + $0] <= limit[$0] }) {
        for k in 0..<d { second[k] += size[item * d + k] }
        side[i] = 1
        if run(i + 1) { return true }
        for k in 0..<d { second[k] -= size[item * d + k] }
      }
      return false
    }
  }
}
