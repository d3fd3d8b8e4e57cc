import CKernels
import Foundation
import Synchronization

extension Engine {
  /// CloudSim's `getUtilizationOfCpuMips` of the allocation policy: allocated MIPS of the host's
  /// VMs in the planning state, a migrating-in VM counted at ten times its 10 % share.
  @inline(__always) func plannedUtilisationMips(_ h: Int) -> Double { plannedMips[h] }

  /// The host's synthetic utilisation history (newest first) into `scratch`; returns its length
  /// after trimming trailing zeros (at least 1).
  @inline(__always) func hostHistory(_ h: Int, extra: Int) -> Int {
    hostHistory(h, extra: extra, into: scratch.base)
  }

  /// `hostHistory` into `out` (`historyLength` values).
  func hostHistory(_ h: Int, extra: Int, into out: UnsafeMutablePointer<Double>) -> Int {
    let sum = validHostHistory(h)
    for i in 0..<historyLength { out[i] = sum[i] }
    if extra >= 0 { addHistory(extra, type: hostType[h], into: out) }
    var i = historyLength - 1
    while i >= 0 {
      let x = out[i]
      i -= 1
      if x != 0 { break }
    }
    return i + 2
  }

  /// Host `h`'s cached history sum, recomputed if its list or the histories changed.
  @inline(__always) func validHostHistory(_ h: Int) -> UnsafeMutablePointer<Double> {
    let sum = hostHistoryCache.base + h * historyLength
    if hostHistoryVersion[h] != lists.version[h] || hostHistoryEpoch[h] != historyEpoch {
      let type = hostType[h]
      let vms = lists.ids(h)
      // Each VM's terms are a random 240-byte block of a large table (48 MB at 100 k VMs): one
      // load per cache line of every VM first, independent of each other so that their misses
      // overlap, and the sum's zeros made from them (0 · x + 0 is +0 for finite x) so that the
      // loads are kept.
      var touch = 0.0
      for v32 in vms {
        let ring = historyTerms.base + (Int(v32) * typeCount + type) * historyLength
        touch += ring[0] + ring[8] + ring[16] + ring[24] + ring[historyLength - 1]
      }
      let zero = touch * 0 + 0
      for i in 0..<historyLength { sum[i] = zero }
      for v32 in vms { addHistory(Int(v32), type: type, into: sum) }
      hostHistoryVersion[h] = lists.version[h]
      hostHistoryEpoch[h] = historyEpoch
      noteLastNonzero(h)
    }
    return sum
  }

  /// Records the index of the cached sum's last non-zero value (−1: none).
  @inline(__always) func noteLastNonzero(_ h: Int) {
    let sum = hostHistoryCache.base + h * historyLength
    var i = historyLength - 1
    while i >= 0 && sum[i] == 0 { i -= 1 }
    hostHistoryLast[h] = i
  }

  /// LR's overload test: the regression needs the newest ten values of the (trimmed) history
  /// with `extra` added, and whether the trimmed history has at least ten. Both come from the
  /// cached sum, computing only the terms of `extra` they involve: a value beyond the cached
  /// sum's last non-zero one is `extra`'s term alone (0 + x = x), and the last non-zero one
  /// decides when its sum with `extra`'s term is non-zero.
  @inline(__always) func localRegressionOverloaded(_ h: Int, extra: Int) -> Bool {
    localRegressionOverloaded(h, extra: extra, scratch: scratch.base)
  }

  /// `localRegressionOverloaded` with `scratch` (`historyLength` values) for the history.
  func localRegressionOverloaded(_ h: Int, extra: Int, scratch: UnsafeMutablePointer<Double>) -> Bool {
    let length = 10
    let sum = validHostHistory(h)
    let last = hostHistoryLast[h]
    var count = 0
    var ring = historyTerms.base
    var head = 0
    if extra >= 0 {
      count = historyCount[extra]
      ring = historyTerms.base + (extra * typeCount + hostType[h]) * historyLength
      head = historyHead[extra]
    }
    // Term i of `extra` (i < count): its history × its MIPS / host MIPS, as `addHistory`.
    @inline(__always) func term(_ i: Int) -> Double { ring[i <= head ? head - i : head - i + historyLength] }
    @inline(__always) func value(_ i: Int) -> Double { i < count ? sum[i] + term(i) : sum[i] }
    let requested = requestedUtilisation(h, extra: extra)
    var long = false
    if last >= length - 1 && value(last) != 0 {
      long = true
    } else if last >= length - 1 {
      // Only with negative terms: the general path.
      let n = hostHistory(h, extra: extra, into: scratch)
      return overloadDecision(
        h, requested: requested, history: scratch, length: n, maxRam: maxRam(h, extra: extra))
    } else {
      var i = Swift.max(length - 1, last + 1)
      while i < count {
        if term(i) != 0 {
          long = true
          break
        }
        i += 1
      }
    }
    guard long else {
      return overloadDecision(h, requested: requested, history: scratch, length: 1, maxRam: 0)
    }
    let ram = maxRam(h, extra: extra)
    if case .migration(let detection, _) = policy.kind, ordinaryRegression {
      // The prediction is linear in the ten values: with the closed-form least-squares
      // coefficients it is within 10⁻¹³ of the exact one, which decides only when the
      // approximation is within 10⁻⁹ of the threshold.
      let s = detection.parameter
      let migrationTime = Double(ram) / (hostBw[h] / (2 * 8000))
      let intervals = (migrationTime / config.schedulingInterval).rounded(.up)
      var predicted = 0.0
      if intervals >= 0 && intervals < 16 {
        let w = lrWeights.base + Int(intervals) * 10
        for i in 0..<length { predicted += w[i] * value(i) }
      } else {
        for i in 0..<length { predicted += Self.lrPredictionWeight(i, intervals: intervals) * value(i) }
      }
      predicted *= s
      if predicted >= 1 + 1e-9 { return true }
      if predicted < 1 - 1e-9 { return false }
    }
    for i in 0..<length { scratch[i] = value(i) }
    // The trimmed length is at least ten, all LR reads.
    return overloadDecision(h, requested: requested, history: scratch, length: length, maxRam: ram)
  }

  /// Whether the LR decision is CloudSim's ordinary least squares (LR; LRR in compat mode).
  var ordinaryRegression: Bool {
    switch policy.kind {
    case .migration(.lr, _): return true
    case .migration(.lrr, _): return config.compat
    default: return false
    }
  }

  /// Adds VM `v`'s history × its MIPS / the MIPS of host type `type` to `sum` (newest first).
  @inline(__always) func addHistory(_ v: Int, type: Int, into sum: UnsafeMutablePointer<Double>) {
    let n = historyCount[v]
    // Term i is ring[(head − i) mod length]: two runs, no modulo.
    let ring = historyTerms.base + (v &* typeCount &+ type) &* historyLength
    let head = historyHead[v]
    let first = Swift.min(n, head &+ 1)
    Self.addReversed(sum, ring + head, first)
    if n > first { Self.addReversed(sum + first, ring + (head &- first &+ historyLength), n &- first) }
  }

  /// `sum[j] += top[−j]` for j in 0..<count (a ring read backwards), four values at a time:
  /// each element gets its one addition, as in the element-by-element loop.
  @inline(__always) static func addReversed(
    _ sum: UnsafeMutablePointer<Double>, _ top: UnsafePointer<Double>, _ count: Int
  ) {
    var j = 0
    while j &+ 4 <= count {
      // top[−j−3 … −j], lowest address first: reversed, it is top[−j], top[−j−1], ….
      let v = UnsafeRawPointer(top - (j &+ 3)).loadUnaligned(as: SIMD4<Double>.self)
      let d = UnsafeMutableRawPointer(sum + j)
      let reversed = SIMD4(v[3], v[2], v[1], v[0])
      d.storeBytes(of: d.loadUnaligned(as: SIMD4<Double>.self) + reversed, as: SIMD4<Double>.self)
      j &+= 4
    }
    while j < count {
      sum[j] += top[-j]
      j &+= 1
    }
  }

  /// Appends VM `v` to host `h`'s list. A valid history sum stays valid: the VM comes last, so
  /// adding its terms to the sum is the recomputation's own last step.
  func appendToList(_ h: Int, _ v: Int32) {
    let valid = hostHistoryVersion[h] == lists.version[h] && hostHistoryEpoch[h] == historyEpoch
    lists.append(h, v)
    if valid {
      addHistory(Int(v), type: hostType[h], into: hostHistoryCache.base + h * historyLength)
      hostHistoryVersion[h] = lists.version[h]
      noteLastNonzero(h)
    }
  }

  /// After every VM of host `h` has had its history shifted by one new value: a sum valid
  /// before the shift becomes valid again by shifting it and summing the new values, in list
  /// order, as the recomputation would.
  func shiftHistorySum(_ h: Int) {
    guard hostHistoryVersion[h] == lists.version[h] && hostHistoryEpoch[h] == historyEpoch - 1 else { return }
    let sum = hostHistoryCache.base + h * historyLength
    for i in stride(from: historyLength - 1, to: 0, by: -1) { sum[i] = sum[i - 1] }
    let type = hostType[h]
    var head = 0.0
    for v32 in lists.ids(h) {
      let v = Int(v32)
      head += historyTerms[(v * typeCount + type) * historyLength + historyHead[v]]
    }
    sum[0] = head
    hostHistoryEpoch[h] = historyEpoch
    noteLastNonzero(h)
  }

  @inline(__always) func requestedUtilisation(_ h: Int, extra: Int) -> Double {
    var total = requestedSum[h]
    if extra >= 0 { total += request[extra] }
    return total / hostTotal[h]
  }

  /// The policy's overload test on host `h`, with VM `extra` (≥ 0) tentatively added.
  @inline(__always) func isOverloaded(_ h: Int, extra: Int = -1) -> Bool {
    isOverloaded(h, extra: extra, scratch: scratch.base, sortScratch: sortScratch.base)
  }

  /// `isOverloaded` with the given scratch buffers (`historyLength` values each). Besides them it
  /// writes only host `h`'s caches (history sum, largest RAM), so tests of different hosts with
  /// different buffers may run at the same time.
  func isOverloaded(
    _ h: Int, extra: Int, scratch: UnsafeMutablePointer<Double>, sortScratch: UnsafeMutablePointer<Double>
  ) -> Bool {
    guard case .migration(let detection, _) = policy.kind else { return false }
    switch detection {
    case .thr:
      return overloadDecision(
        h, requested: requestedUtilisation(h, extra: extra), history: scratch, length: 0, maxRam: 0)
    case .iqr, .mad:
      let n = hostHistory(h, extra: extra, into: scratch)
      let data = sortScratch
      data.update(from: scratch, count: n)
      return overloadDecision(
        h, requested: requestedUtilisation(h, extra: extra), history: data, length: n, maxRam: 0)
    case .lr, .lrr:
      return localRegressionOverloaded(h, extra: extra, scratch: scratch)
    }
  }

  /// The detector's decision from a host's figures: `requested` its requested MIPS / host MIPS,
  /// `history` its utilisation history (newest first) of trimmed length `n` (THR reads none; LR
  /// reads whether n ≥ 10 and the ten newest values; IQR and MAD sort the n values in place),
  /// `maxRam` its largest VM RAM (LR's migration time). Shared by the cached tests and the
  /// side-effect-free ones of MC's parallel selection.
  func overloadDecision(
    _ h: Int, requested: Double, history: UnsafeMutablePointer<Double>, length n: Int, maxRam: Int
  ) -> Bool {
    guard case .migration(let detection, _) = policy.kind else { return false }
    switch detection {
    case .thr(let threshold):
      return requested > threshold
    case .iqr(let s, let fallback), .mad(let s, let fallback):
      guard n >= 12 else { return requested > fallback }
      let spread: Double
      if case .iqr = detection {
        Statistics.sort(history, n)
        let q1 = Int((0.25 * Double(n + 1) + 0.5).rounded(.down)) - 1
        let q3 = Int((0.75 * Double(n + 1) + 0.5).rounded(.down)) - 1
        spread = history[q3] - history[q1]
      } else {
        spread = Statistics.mad(history, n)
      }
      return requested > 1 - s * spread
    case .lr(let s, let fallback), .lrr(let s, let fallback):
      let length = 10
      guard n >= length else { return requested > fallback }
      // Oldest of the last ten first, x = 1…10.
      let slope: Double
      let intercept: Double
      if case .lrr = detection, !config.compat {
        // Default mode: the robust loess LRR intends (tricube × bisquare weights).
        let window = UnsafeBufferPointer(start: history, count: length).reversed()
        (intercept, slope) = LocalRegression.robustEstimates(window)
      } else {
        // Ordinary least squares: CloudSim 3.0.3 never applies the tricube/bisquare weights.
        var regression = SimpleRegression()
        for i in 0..<length { regression.add(Double(i + 1), history[length - i - 1]) }
        slope = regression.slope
        intercept = regression.intercept(slope)
      }
      let migrationTime = Double(maxRam) / (hostBw[h] / (2 * 8000))
      let intervals = (migrationTime / config.schedulingInterval).rounded(.up)
      let predicted = (intercept + slope * (Double(length) + intervals)) * s
      return predicted >= 1
    }
  }

  /// The largest RAM of host `h`'s VMs and `extra` (≥ 0).
  func maxRam(_ h: Int, extra: Int) -> Int {
    if hostMaxRamVersion[h] != lists.version[h] {
      var maxRam = Int(Int32.min)
      for v in lists.ids(h) { maxRam = Swift.max(maxRam, vmRam[Int(v)]) }
      hostMaxRam[h] = maxRam
      hostMaxRamVersion[h] = lists.version[h]
    }
    return extra >= 0 ? Swift.max(hostMaxRam[h], vmRam[extra]) : hostMaxRam[h]
  }

  /// The overload test of host `h` if its VM list were `vms`, without touching the engine's
  /// caches or scratch buffers (`work`: room for `historyLength` values): the requested sum
  /// and the history sum in list order, as `reallocate` and the cache compute them.
  func isOverloaded(_ h: Int, vms: UnsafeBufferPointer<Int32>, work: UnsafeMutablePointer<Double>) -> Bool {
    guard case .migration(let detection, _) = policy.kind else { return false }
    let total = hostTotal[h]
    var requested = 0.0
    for v in vms { requested += request[Int(v)] }
    if case .thr = detection {
      return overloadDecision(h, requested: requested / total, history: work, length: 0, maxRam: 0)
    }
    for i in 0..<historyLength { work[i] = 0 }
    var maxRam = Int(Int32.min)
    for v in vms {
      addHistory(Int(v), type: hostType[h], into: work)
      maxRam = Swift.max(maxRam, vmRam[Int(v)])
    }
    var i = historyLength - 1
    while i >= 0 && work[i] == 0 { i -= 1 }
    return overloadDecision(
      h, requested: requested / total, history: work, length: Swift.max(i + 1, 1), maxRam: maxRam)
  }

  /// The VM the selection policy takes off host `h` (nil when every VM is migrating).
  func selectVM(_ h: Int) -> Int32? {
    guard case .migration(_, let selection) = policy.kind else { return nil }
    // MMT and MU read the candidates (the VMs not migrating, in list order) in place, RS counts
    // them first: only MC needs them as an array.
    let list = lists.ids(h)
    switch selection {
    case .mmt:
      return minimumMigrationTime(list.lazy.filter { !self.migrating[Int($0)] })
    case .mu:
      var best: Int32? = nil
      var minimum = Double.greatestFiniteMagnitude
      for v in list where !migrating[Int(v)] {
        let metric = request[Int(v)] / vmMips[Int(v)]
        if metric < minimum {
          minimum = metric
          best = v
        }
      }
      return best
    case .rs:
      var count = 0
      for v in list where !migrating[Int(v)] { count += 1 }
      guard count > 0 else { return nil }
      var k = random.int(below: count)
      for v in list where !migrating[Int(v)] {
        if k == 0 { return v }
        k -= 1
      }
      return nil
    case .mc:
      let candidates = list.filter { !migrating[Int($0)] }
      guard !candidates.isEmpty else { return nil }
      return maximumCorrelation(candidates, workspace: &correlationWorkspace)
    }
  }

  /// MC: the candidate whose history the others explain best (highest R², the first of equal
  /// ones, from `Double.leastNonzeroMagnitude`); MMT when a regression cannot be computed.
  func maximumCorrelation(_ candidates: [Int32], workspace: inout [Double]) -> Int32? {
    guard let metrics = correlationCoefficients(candidates, workspace: &workspace) else {
      return minimumMigrationTime(candidates)
    }
    var maxMetric = Double.leastNonzeroMagnitude
    var index = 0
    for (i, m) in metrics.enumerated() where m > maxMetric {
      maxMetric = m
      index = i
    }
    return candidates[index]
  }

  /// MC's whole selection loop for overloaded host `h` (VMs chosen one after another until the
  /// host is no longer overloaded or has no VM left to move), computed without changing any
  /// state: selection and overload test read only the host's own list, requests and the VMs'
  /// histories, none of which another host's loop changes. Overloaded hosts are therefore
  /// planned in parallel and their plans applied in order, with the same result as one loop.
  func selectionPlan(_ h: Int, workspace: inout [Double], work: UnsafeMutablePointer<Double>) -> [Int32] {
    var vms = lists.array(h)
    var plan: [Int32] = []
    while true {
      let candidates = vms.filter { !migrating[Int($0)] }
      guard !candidates.isEmpty, let v = maximumCorrelation(candidates, workspace: &workspace) else { break }
      plan.append(v)
      vms.removeAll { $0 == v }
      let overloaded = vms.withUnsafeBufferPointer { isOverloaded(h, vms: $0, work: work) }
      if !overloaded { break }
    }
    return plan
  }

  /// `selectionPlan` of each host, on two threads. A plan's regressions cost about n³ for a
  /// host of n VMs, so the hosts are taken most VMs first (each plan lands in its host's slot,
  /// whatever the order): a large host left for last would keep one thread busy alone.
  func selectionPlans(_ hosts: [Int]) -> [[Int32]] {
    let order = hosts.indices.sorted { a, b in
      let (na, nb) = (lists.count(hosts[a]), lists.count(hosts[b]))
      return na != nb ? na > nb : a < b
    }
    let plans = UnsafeMutablePointer<[Int32]>.allocate(capacity: hosts.count)
    plans.initialize(repeating: [], count: hosts.count)
    defer {
      plans.deinitialize(count: hosts.count)
      plans.deallocate()
    }
    let shared = SendableEngine(engine: self, plans: UnsafeMutableSendablePointer(plans))
    let next = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: 2) { _ in
      var workspace: [Double] = []
      let work = UnsafeMutablePointer<Double>.allocate(capacity: historyLength)
      defer { work.deallocate() }
      while true {
        let k = next.add(1, ordering: .relaxed).oldValue
        guard k < order.count else { break }
        let i = order[k]
        shared.plans.pointer[i] = shared.engine.selectionPlan(hosts[i], workspace: &workspace, work: work)
      }
    }
    return Array(UnsafeBufferPointer(start: plans, count: hosts.count))
  }

  func minimumMigrationTime<C: Sequence<Int32>>(_ candidates: C) -> Int32? {
    var best: Int32? = nil
    var minimum = Double.greatestFiniteMagnitude
    for v in candidates {
      let metric = Double(vmRam[Int(v)])
      if metric < minimum {
        minimum = metric
        best = v
      }
    }
    return best
  }

  /// R² of each VM's history regressed (OLS with intercept) on the others'; nil where CloudSim's
  /// regression throws (too few observations, or a singular design).
  func correlationCoefficients(_ vms: [Int32], workspace: inout [Double]) -> [Double]? {
    let n = vms.count
    let m = vms.map { historyCount[Int($0)] }.min() ?? 0
    guard n >= 2, m >= n, m > 0 else { return nil }
    let needed = OLS.workspaceSize(n: n, m: m) + n * m
    if workspace.count < needed { workspace = [Double](repeating: 0, count: needed) }
    return workspace.withUnsafeMutableBufferPointer { w in
      let data = w.baseAddress!
      for (i, v32) in vms.enumerated() {
        // history(v, r) for r < m: the ring from the head backwards, in two runs.
        let v = Int(v32)
        let ring = historyBuffer.base + v * historyLength
        let head = historyHead[v]
        let column = data + i * m
        let first = Swift.min(m, head + 1)
        for r in 0..<first { column[r] = ring[head - r] }
        if m > first {
          for r in first..<m { column[r] = ring[head - r + historyLength] }
        }
      }
      return OLS.allRSquared(data: data, n: n, m: m, workspace: data + n * m)
    }
  }

  // MARK: - Planning

  func create(_ h: Int, _ v: Int32) {
    appendToList(h, v)
    vmHost[Int(v)] = Int32(h)
    reallocate(h)
  }

  func destroy(_ h: Int, _ v: Int32) {
    lists.removeAll(h, v)
    vmHost[Int(v)] = -1
    reallocate(h)
  }

  /// `vms` in `sortedByRequest`'s order, in place: an insertion sort for a host's few VMs
  /// (moving a VM only past smaller requests keeps equal requests in list order).
  func sortByRequest(_ vms: inout [Int32]) {
    guard vms.count <= 32 else {
      vms = sortedByRequest(vms)
      return
    }
    vms.withUnsafeMutableBufferPointer { b in
      for i in b.indices.dropFirst() {
        let v = b[i]
        let r = request[Int(v)]
        var j = i
        while j > 0 && request[Int(b[j - 1])] < r {
          b[j] = b[j - 1]
          j -= 1
        }
        b[j] = v
      }
    }
  }

  func sortedByRequest(_ vms: [Int32]) -> [Int32] {
    // Stable, descending by requested MIPS (Java's Collections.sort is stable).
    let indexed = vms.enumerated().map { ($0.offset, $0.element) }
    return indexed.sorted { a, b in
      let ra = request[Int(a.1)]
      let rb = request[Int(b.1)]
      return ra > rb || (ra == rb && a.0 < b.0)
    }.map(\.1)
  }

  /// Whether the overload test holds for a host with no VM (zero requests, all-zero history,
  /// so every detector falls back to its static threshold): false for every sensible parameter.
  var emptyHostOverloaded: Bool {
    guard case .migration(let detection, _) = policy.kind else { return false }
    switch detection {
    case .thr(let threshold): return 0 > threshold
    case .iqr(_, let fallback), .mad(_, let fallback), .lr(_, let fallback), .lrr(_, let fallback):
      return 0 > fallback
    }
  }

  /// One optimisation round: overloaded hosts shed VMs, then underloaded hosts are emptied
  /// all-or-nothing; the planning state is then restored and the plan returned.
  ///
  /// Only the hosts the round changes are saved and restored (restoring an unchanged host
  /// rebuilds the same list and allocation). The underload phase picks hosts by increasing
  /// (utilisation, id): utilisations do not change while planning, and a host that is not yet
  /// excluded has the VM list it had when the phase began (placements onto it exclude it, and a
  /// rolled-back placement restores its list), so one sort gives CloudSim's sequence of minima.
  func optimize(_ t: Double) -> [(vm: Int32, host: Int32)] {
    fitBegin()
    defer { fitEnd() }
    var overloaded: [Int] = []
    let scanEmpty = emptyHostOverloaded
    if parallelThreshold < .max, listedCount() >= parallelThreshold {
      overloaded = overloadedHostsInParallel(scanEmpty: scanEmpty)
    } else {
      for h in 0..<hostCount where (scanEmpty || !lists.isEmpty(h)) && isOverloaded(h) {
        overloaded.append(h)
      }
    }
    // Save each host before the round first changes it.
    let round = self.round
    round.begin()
    func touch(_ h: Int) {
      guard !round.touched[h] else { return }
      round.save(h, lists.ids(h), version: lists.version[h]) { incoming.contains(h, $0) }
    }
    for h in 0..<hostCount where !incoming.isEmpty(h) { touch(h) }
    var toMigrate: [Int32] = []
    if case .migration(_, .mc) = policy.kind, overloaded.count >= 2 {
      for (h, plan) in zip(overloaded, selectionPlans(overloaded)) {
        touch(h)
        for v in plan {
          toMigrate.append(v)
          destroy(h, v)
        }
      }
    } else {
      for h in overloaded {
        touch(h)
        while true {
          guard let v = selectVM(h) else { break }
          toMigrate.append(v)
          destroy(h, v)
          if !isOverloaded(h) { break }
        }
      }
    }
    var plan: [(vm: Int32, host: Int32)] = []
    let excludedUnder = round.excluded
    for h in overloaded {
      fitExclude(h)
      excludedUnder[h] = true
    }
    let ordered = sortedByRequest(toMigrate)
    if let first = ordered.first { prefetchPlacementState(first) }
    for (i, v) in ordered.enumerated() {
      if i + 1 < ordered.count { prefetchPlacementState(ordered[i + 1]) }
      if let h = findHost(v) {
        touch(h)
        create(h, v)
        plan.append((v, Int32(h)))
      }
    }
    // Underload consolidation.
    for h in 0..<hostCount where cpuUtilisation(h) == 0 {
      excludedUnder[h] = true
      fitExclude(h)
    }
    var candidates: [(u: Double, host: Int)] = []
    for b in busy {
      let h = Int(b)
      guard !excludedUnder[h] else { continue }
      let u = cpuUtilisation(h)
      if u > 0 && u < 1 && !allMigratingOutOrAnyIn(h) { candidates.append((u, h)) }
    }
    candidates.sort { $0.u < $1.u || ($0.u == $1.u && $0.host < $1.host) }
    // One buffer each for the picked host's VMs and their placements, reused pick after pick.
    var vms: [Int32] = []
    var placed: [(vm: Int32, host: Int32)] = []
    for (_, pick) in candidates where !excludedUnder[pick] {
      excludedUnder[pick] = true
      fitExclude(pick)
      vms.removeAll(keepingCapacity: true)
      for v in lists.ids(pick) where !migrating[Int(v)] { vms.append(v) }
      if vms.isEmpty { continue }
      touch(pick)
      placed.removeAll(keepingCapacity: true)
      sortByRequest(&vms)
      // The next VM's state is fetched during this one's search (all of them at once would fill
      // the processor's miss buffers and stall at the prefetches).
      prefetchPlacementState(vms[0])
      for (i, v) in vms.enumerated() {
        if i + 1 < vms.count { prefetchPlacementState(vms[i + 1]) }
        // Every pristine host has zero utilisation, so it was excluded above.
        if let h = findHost(v, pristineExcluded: true) {
          touch(h)
          appendToList(h, v)
          vmHost[Int(v)] = Int32(h)
          reallocate(h)
          placed.append((v, Int32(h)))
        } else {
          for p in placed { destroy(Int(p.host), p.vm) }
          placed.removeAll(keepingCapacity: true)
          break
        }
      }
      for p in placed { excludedUnder[Int(p.host)] = true }
      plan.append(contentsOf: placed)
    }
    // Restore: migrating-in VMs first, then the saved VMs in their order.
    for h in round.touchedHosts {
      let saved = round.saved(h)
      if incoming.isEmpty(h) {
        // The list the host had when first touched, and so its version then.
        lists.restore(h, to: saved, version: round.savedVersion[h])
      } else {
        lists.replace(h, with: incoming.array(h) + saved)
      }
      for v in saved { vmHost[Int(v)] = Int32(h) }
      reallocate(h)
    }
    return plan
  }

  func allMigratingOutOrAnyIn(_ h: Int) -> Bool {
    for v in lists.ids(h) {
      if !migrating[Int(v)] { return false }
      if isMigratingIn(h, v) { return true }
    }
    return true
  }
}

/// An optimisation round's reusable state: the hosts it has touched, each one's list as it was
/// when first touched (without VMs migrating in; all in one buffer that grows as needed) and
/// that list's version, and the hosts excluded from underload consolidation. Kept by the engine
/// so that a round allocates nothing per host (at 10 000 hosts, fresh arrays of arrays each
/// round were a retain and a release per host).
final class RoundScratch {
  let touched: Slab<Bool>
  let excluded: Slab<Bool>
  let savedVersion: Slab<UInt64>
  private let savedStart: Slab<Int>
  private let savedCount: Slab<Int>
  private(set) var touchedHosts: [Int] = []
  private var ids: UnsafeMutablePointer<Int32>
  private var idCapacity: Int
  private var idCount = 0

  init(hosts: Int) {
    touched = Slab(repeating: false, count: hosts)
    excluded = Slab(repeating: false, count: hosts)
    savedVersion = Slab(repeating: 0, count: hosts)
    savedStart = Slab(repeating: 0, count: hosts)
    savedCount = Slab(repeating: 0, count: hosts)
    idCapacity = 1024
    ids = .allocate(capacity: idCapacity)
  }

  deinit {
    for s in [touched, excluded] { s.deallocate() }
    for s in [savedStart, savedCount] { s.deallocate() }
    savedVersion.deallocate()
    ids.deallocate()
  }

  /// Starts a round: no host touched, saved or excluded.
  func begin() {
    for h in touchedHosts { touched[h] = false }
    touchedHosts.removeAll(keepingCapacity: true)
    excluded.base.update(repeating: false, count: excluded.count)
    idCount = 0
  }

  /// Marks host `h` touched and saves `list` without the VMs `isIncoming` names, and `version`.
  @inline(__always) func save(
    _ h: Int, _ list: UnsafeMutableBufferPointer<Int32>, version: UInt64, isIncoming: (Int32) -> Bool
  ) {
    touched[h] = true
    touchedHosts.append(h)
    if idCount + list.count > idCapacity {
      let grown = Swift.max(idCapacity * 2, idCount + list.count)
      let bigger = UnsafeMutablePointer<Int32>.allocate(capacity: grown)
      bigger.update(from: ids, count: idCount)
      ids.deallocate()
      ids = bigger
      idCapacity = grown
    }
    var n = 0
    for v in list where !isIncoming(v) {
      ids[idCount + n] = v
      n += 1
    }
    savedStart[h] = idCount
    savedCount[h] = n
    savedVersion[h] = version
    idCount += n
  }

  /// Host `h`'s saved list (valid until the next `save`).
  @inline(__always) func saved(_ h: Int) -> UnsafeBufferPointer<Int32> {
    UnsafeBufferPointer(start: ids + savedStart[h], count: savedCount[h])
  }
}

/// The engine and a result buffer, handed to MC's planning threads (which only read the engine).
struct SendableEngine: @unchecked Sendable {
  unowned(unsafe) let engine: Engine
  let plans: UnsafeMutableSendablePointer<[Int32]>
}

/// Commons-math's `SimpleRegression` (with intercept), update for update.
struct SimpleRegression {
  var sumX = 0.0
  var sumY = 0.0
  var sumXX = 0.0
  var sumYY = 0.0
  var sumXY = 0.0
  var xbar = 0.0
  var ybar = 0.0
  var n = 0

  mutating func add(_ x: Double, _ y: Double) {
    if n == 0 {
      xbar = x
      ybar = y
    } else {
      let fact1 = 1.0 + Double(n)
      let fact2 = Double(n) / (1.0 + Double(n))
      let dx = x - xbar
      let dy = y - ybar
      sumXX += dx * dx * fact2
      sumYY += dy * dy * fact2
      sumXY += dx * dy * fact2
      xbar += dx / fact1
      ybar += dy / fact1
    }
    sumX += x
    sumY += y
    n += 1
  }

  var slope: Double {
    if n < 2 || abs(sumXX) < 10 * Double.leastNonzeroMagnitude { return .nan }
    return sumXY / sumXX
  }

  func intercept(_ slope: Double) -> Double { (sumY - slope * sumX) / Double(n) }
}

enum Statistics {
  /// Commons-math's legacy percentile estimate of the median.
  static func median(_ values: [Double]) -> Double {
    var sorted = values
    return sorted.withUnsafeMutableBufferPointer { b in
      b.isEmpty ? .nan : median(b.baseAddress!, b.count)
    }
  }

  /// Median absolute deviation.
  static func mad(_ values: [Double]) -> Double {
    var copy = values
    return copy.withUnsafeMutableBufferPointer { b in b.isEmpty ? 0 : mad(b.baseAddress!, b.count) }
  }

  /// Sorts `n` values in place (insertion sort: histories hold at most 30 values; any correct
  /// sort gives the same order, the values being non-negative and not NaN).
  @inline(__always) static func sort(_ x: UnsafeMutablePointer<Double>, _ n: Int) {
    guard n > 1 else { return }
    for i in 1..<n {
      let v = x[i]
      var j = i - 1
      while j >= 0 && x[j] > v {
        x[j + 1] = x[j]
        j -= 1
      }
      x[j + 1] = v
    }
  }

  /// The legacy median of `n` values, sorting them in place.
  static func median(_ x: UnsafeMutablePointer<Double>, _ n: Int) -> Double {
    sort(x, n)
    return sortedMedian(x, n)
  }

  /// Median absolute deviation of `n` values, overwriting them.
  static func mad(_ x: UnsafeMutablePointer<Double>, _ n: Int) -> Double {
    guard n > 0 else { return 0 }
    let m = median(x, n)
    for i in 0..<n { x[i] = abs(m - x[i]) }
    return median(x, n)
  }

  static func sortedMedian(_ sorted: UnsafeMutablePointer<Double>, _ n: Int) -> Double {
    if n == 0 { return .nan }
    if n == 1 { return sorted[0] }
    let pos = 50 * Double(n + 1) / 100
    if pos < 1 { return sorted[0] }
    if pos >= Double(n) { return sorted[n - 1] }
    let fpos = pos.rounded(.down)
    let d = pos - fpos
    let lower = sorted[Int(fpos) - 1]
    let upper = sorted[Int(fpos)]
    return lower + d * (upper - lower)
  }
}

/// Ordinary least squares by Householder QR (as commons-math's `OLSMultipleLinearRegression`).
enum OLS {
  /// R² of `y` on the given columns (the first one is the intercept); nil when singular. The
  /// reference implementation, operation for operation as commons-math.
  static func rSquared(columns: [[Double]], y: [Double]) -> Double? {
    var qrt = columns
    let n = qrt.count
    let m = y.count
    guard n <= m else { return nil }
    var rDiag = [Double](repeating: 0, count: n)
    for minor in 0..<Swift.min(m, n) {
      var xNormSqr = 0.0
      for row in minor..<m { xNormSqr += qrt[minor][row] * qrt[minor][row] }
      let a = qrt[minor][minor] > 0 ? -xNormSqr.squareRoot() : xNormSqr.squareRoot()
      rDiag[minor] = a
      if a != 0 {
        qrt[minor][minor] -= a
        for col in (minor + 1)..<n {
          var alpha = 0.0
          for row in minor..<m { alpha -= qrt[col][row] * qrt[minor][row] }
          alpha /= a * qrt[minor][minor]
          for row in minor..<m { qrt[col][row] -= alpha * qrt[minor][row] }
        }
      }
    }
    for d in rDiag where abs(d) <= 0 { return nil }
    var yy = y
    for minor in 0..<Swift.min(m, n) {
      var dot = 0.0
      for row in minor..<m { dot += yy[row] * qrt[minor][row] }
      dot /= rDiag[minor] * qrt[minor][minor]
      for row in minor..<m { yy[row] += dot * qrt[minor][row] }
    }
    var beta = [Double](repeating: 0, count: n)
    for row in stride(from: n - 1, through: 0, by: -1) {
      yy[row] /= rDiag[row]
      let yRow = yy[row]
      beta[row] = yRow
      for i in 0..<row { yy[i] -= yRow * qrt[row][i] }
    }
    var ssr = 0.0
    for r in 0..<m {
      var fitted = 0.0
      for c in 0..<n { fitted += columns[c][r] * beta[c] }
      let e = y[r] - fitted
      ssr += e * e
    }
    let m2 = y.withUnsafeBufferPointer { $0.isEmpty ? 0 : secondMoment($0.baseAddress!, m) }
    return 1 - ssr / m2
  }

  /// Second central moment, computed incrementally as commons-math does.
  @inline(__always) static func secondMoment(_ y: UnsafePointer<Double>, _ m: Int) -> Double {
    var m1 = 0.0
    var m2 = 0.0
    var count = 0.0
    for r in 0..<m {
      let value = y[r]
      count += 1
      let dev = value - m1
      let nDev = dev / count
      m1 += nDev
      m2 += (count - 1) * dev * nDev
    }
    return m2
  }

  /// Doubles of workspace `allRSquared` needs.
  static func workspaceSize(n: Int, m: Int) -> Int { (2 * n + 1) * m + m + 3 * n }

  /// R² of every column of `data` (n columns of m values, column-major) regressed with an
  /// intercept on the other columns in their order, as `rSquared` computes each; nil when any
  /// of the n regressions is singular.
  ///
  /// Regression i's design is [1, d₀ … dᵢ₋₁, dᵢ₊₁ … dₙ₋₁] with y = dᵢ. Its Householder steps
  /// 0…i use the pivots [1, d₀ … dᵢ₋₁], shared by every regression j ≥ i, and a reflection
  /// transforms each column independently of the others, so the prefix state is advanced once
  /// for all regressions and only the tail steps are per regression (n³m/3 instead of n³m).
  /// y is reflected as one more column: its own reflections in commons-math (`dot` accumulated
  /// upwards and added) give the same values as a column's (`alpha` accumulated downwards and
  /// subtracted): IEEE rounding is symmetric, so the two differ at most in the sign of an exact
  /// zero, which no later operation can observe. The working matrices are row-major, so that a
  /// reflection handles neighbouring columns in SIMD lanes, each lane its own column's operations
  /// in order (no fused multiply-add); `workspace` holds `workspaceSize(n:m:)` doubles. The kernel
  /// is C (`CKernels`, `yunhe_all_r_squared`), compiled for baseline x86-64 and for AVX2 and
  /// picked at start-up: Swift can compile one function for one instruction set only.
  static func allRSquared(
    data: UnsafePointer<Double>, n: Int, m: Int, workspace: UnsafeMutablePointer<Double>
  ) -> [Double]? {
    precondition(n >= 1 && m >= n)
    var result = [Double](repeating: 0, count: n)
    let regular = result.withUnsafeMutableBufferPointer {
      yunhe_all_r_squared(data, n, m, workspace, $0.baseAddress!)
    }
    return regular != 0 ? result : nil
  }
}
