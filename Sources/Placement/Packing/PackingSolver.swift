/// A packing algorithm that `PackingSolver` runs by name.
public enum PackingAlgorithm: Hashable, Sendable, CustomStringConvertible {
  /// A construction heuristic.
  case heuristic(PackingHeuristic)
  /// The improvement method: the best of four constructions — first fit decreasing and best
  /// fit decreasing over every size key, minimum bin slack (`BinEmptyingSearch.minimumBinSlack`)
  /// and, in one dimension when sizes repeat (`CuttingStockRounding.isWorthSolving`), the rounded cutting-stock relaxation
  /// (`CuttingStockRounding`) — then the bin-emptying local search (`BinEmptyingSearch`),
  /// stopping at the lower bound or when the budget is spent.
  case localSearch

  /// The size key of the unsuffixed names ("ffd", "bfd", "bf", "wf").
  public static let defaultKey = SizeKey.l2

  /// The name used by `yunhe pack --policy`: nf, ff, bf, wf, ffd, bfd (default key), the same
  /// with a key suffix (e.g. "ffd-linf", "bf-dot"), and "ls".
  public var name: String {
    func keyed(_ base: String, _ key: SizeKey) -> String {
      key == Self.defaultKey ? base : "\(base)-\(key.rawValue)"
    }
    switch self {
    case .localSearch: return "ls"
    case .heuristic(let h):
      switch h {
      case .nextFit: return "nf"
      case .firstFit: return "ff"
      case .bestFit(let k): return keyed("bf", k)
      case .worstFit(let k): return keyed("wf", k)
      case .firstFitDecreasing(let k): return keyed("ffd", k)
      case .bestFitDecreasing(let k): return keyed("bfd", k)
      }
    }
  }

  public var description: String { name }

  /// One line for listings.
  public var summary: String {
    switch self {
    case .localSearch:
      return
        "best of FFD/BFD over all keys, minimum bin slack and (1-D, sizes repeated) rounded cutting-stock LP, then bin-emptying local search (CNS) to the lower bound or budget"
    case .heuristic(let h):
      switch h {
      case .nextFit: return "next fit: only the last bin is open (online)"
      case .firstFit: return "first fit: lowest-numbered bin with room (online)"
      case .bestFit(let k): return "best fit: least \(k.rawValue) room left after placing (online)"
      case .worstFit(let k): return "worst fit: most \(k.rawValue) room left after placing (online)"
      case .firstFitDecreasing(let k): return "first fit, items by decreasing \(k.rawValue) size"
      case .bestFitDecreasing(let k): return "best fit, items by decreasing \(k.rawValue) size"
      }
    }
  }

  /// Every algorithm: nf, ff, then bf, wf, ffd and bfd with every key, then ls.
  public static let all: [PackingAlgorithm] = {
    var list: [PackingAlgorithm] = [.heuristic(.nextFit), .heuristic(.firstFit)]
    let makers: [(SizeKey) -> PackingHeuristic] = [
      PackingHeuristic.bestFit, PackingHeuristic.worstFit, PackingHeuristic.firstFitDecreasing,
      PackingHeuristic.bestFitDecreasing,
    ]
    for make in makers {
      list.append(.heuristic(make(defaultKey)))
      for key in SizeKey.allCases where key != defaultKey { list.append(.heuristic(make(key))) }
    }
    list.append(.localSearch)
    return list
  }()

  /// One algorithm per distinct behaviour in one dimension (where every key orders alike):
  /// nf, ff, bf, wf, ffd, bfd, ls.
  public static let oneDimensional: [PackingAlgorithm] = [
    .heuristic(.nextFit), .heuristic(.firstFit), .heuristic(.bestFit(defaultKey)),
    .heuristic(.worstFit(defaultKey)), .heuristic(.firstFitDecreasing(defaultKey)),
    .heuristic(.bestFitDecreasing(defaultKey)), .localSearch,
  ]

  /// The algorithm called `name`, or nil.
  public static func named(_ name: String) -> PackingAlgorithm? {
    all.first { $0.name == name.lowercased() }
  }
}

/// Knobs of a `PackingSolver` run. One set of values serves every instance.
public struct PackingOptions: Hashable, Sendable {
  /// Seed of the item shuffle before online heuristics and of the local search.
  public var seed: UInt64
  /// Effort of the local search, in work units (bin visits, pool subsets and search nodes);
  /// the search is deterministic for a seed as long as the time budget does not bind.
  public var workBudget: Int
  /// Wall-clock limit of the local search, if any (results then depend on the machine).
  public var timeBudget: Duration?
  /// Shuffle the items (seeded) before online heuristics, whose result depends on the order.
  /// Benchmark files are often sorted, which would turn first fit into first fit decreasing.
  public var shuffleOnlineOrder: Bool

  /// The default work budget.
  public static let defaultWorkBudget = 3_000_000

  /// Creates options.
  public init(
    seed: UInt64 = 1, workBudget: Int = defaultWorkBudget, timeBudget: Duration? = nil,
    shuffleOnlineOrder: Bool = true
  ) {
    self.seed = seed
    self.workBudget = workBudget
    self.timeBudget = timeBudget
    self.shuffleOnlineOrder = shuffleOnlineOrder
  }
}

/// A verified packing and its figures.
public struct PackingResult: Hashable, Sendable {
  /// The instance's name.
  public var instance: String
  /// The algorithm's name.
  public var algorithm: String
  /// The packing, verified by `PackingChecker`.
  public var packing: Packing
  /// Bins used.
  public var bins: Int { packing.binCount }
  /// L1 bound (max over dimensions of ⌈Σ size / capacity⌉).
  public var l1Bound: Int
  /// Martello–Toth L2 bound (per dimension, maximum), ≥ `l1Bound`.
  public var l2Bound: Int
  /// The best bound computed here, max(L2, dual-feasible-function bound) (`PackingBounds.best`).
  public var bound: Int
  /// The best lower bound known: `bound`, raised to the benchmark index's bound when larger.
  public var lowerBound: Int
  /// Bins used minus `lowerBound`.
  public var gap: Int { bins - lowerBound }
  /// What the benchmark index says, if anything.
  public var known: KnownBounds
  /// Wall-clock time of the algorithm (without reading and checking).
  public var elapsed: Duration
}

/// Runs packing algorithms and verifies every result before returning it.
public enum PackingSolver {
  /// Packs `instance` with `algorithm`, checks the packing with `PackingChecker` and reports
  /// bins, bounds and time.
  ///
  /// - Throws: `PackingCheckFailure` when the packing fails the independent check (an internal
  ///   error: a bug, never bad input).
  public static func solve(
    _ instance: PackingInstance, with algorithm: PackingAlgorithm, options: PackingOptions = PackingOptions()
  ) throws(PackingCheckFailure) -> PackingResult {
    let l1 = PackingBounds.l1(instance)
    let l2 = PackingBounds.l2(instance)
    let bound = Swift.max(l2, PackingBounds.dff(instance))
    let started = ContinuousClock.now
    let packing: Packing
    switch algorithm {
    case .heuristic(let h):
      var order: [Int32]? = nil
      if h.isOnline && options.shuffleOnlineOrder {
        var rng = SplitMix64(seed: options.seed)
        order = rng.permutation(instance.count)
      }
      packing = h.pack(instance, order: order)
    case .localSearch:
      packing = improve(instance, lowerBound: bound, options: options)
    }
    let elapsed = ContinuousClock.now - started
    if let failure = PackingChecker.check(packing, of: instance) {
      throw PackingCheckFailure("\(instance.name), \(algorithm.name): \(failure.message)")
    }
    let lower = Swift.max(bound, instance.known.lowerBound ?? 0)
    return PackingResult(
      instance: instance.name, algorithm: algorithm.name, packing: packing, l1Bound: l1, l2Bound: l2,
      bound: bound, lowerBound: lower, known: instance.known, elapsed: elapsed)
  }

  /// Largest instance (items) for which `ls` also tries minimum bin slack.
  static let minimumBinSlackItems = 50_000

  /// Work limit of the cutting-stock construction, in local-search budgets.
  static let cuttingStockWork = 6000

  /// The local search from the best construction.
  static func improve(_ instance: PackingInstance, lowerBound: Int, options: PackingOptions) -> Packing {
    let keys: [SizeKey] = instance.dimensions == 1 ? [.l1] : SizeKey.allCases
    var best: Packing?
    for key in keys {
      for h in [PackingHeuristic.firstFitDecreasing(key), .bestFitDecreasing(key)] {
        let p = h.pack(instance)
        if best == nil || p.binCount < best!.binCount { best = p }
      }
    }
    guard var start = best, start.binCount > lowerBound else { return best! }
    let search = BinEmptyingSearch(
      size: instance.items, dimensions: instance.dimensions, capacity: instance.capacity,
      options: BinEmptyingSearch.Options(
        seed: options.seed, workBudget: options.workBudget, timeBudget: options.timeBudget))
    // Minimum bin slack as a third construction (up to `minimumBinSlackItems` items: its
    // bookkeeping is O(n · bins)); its search nodes are not charged to the budget.
    var initial = start.bins.map { $0.map(Int32.init) }
    let slack = instance.count <= minimumBinSlackItems ? search.minimumBinSlack() : []
    search.work = 0
    if !slack.isEmpty && slack.count < initial.count {
      initial = slack
      for (b, bin) in slack.enumerated() { for item in bin { start.binOfItem[Int(item)] = Int32(b) } }
      start.binCount = slack.count
      if start.binCount <= lowerBound { return start }
    }
    // In one dimension with repeated sizes, the rounded cutting-stock relaxation as a fourth
    // (its simplex operations and knapsack nodes have their own limit, `cuttingStockWork` × the
    // budget). Its Lagrangian bound, rounded up, is a lower bound the search may stop at.
    var bound = lowerBound
    if var stock = CuttingStockRounding(instance, workLimit: cuttingStockWork * options.workBudget),
      stock.isWorthSolving(items: instance.count)
    {
      let rounded = stock.pack()
      bound = Swift.max(bound, Int((stock.rootBound * (1 - 1e-7) - 1e-6).rounded(.up)))
      if rounded.count < initial.count {
        initial = rounded
        for (b, bin) in rounded.enumerated() { for item in bin { start.binOfItem[Int(item)] = Int32(b) } }
        start.binCount = rounded.count
      }
      if start.binCount <= bound { return start }
    }
    let bins = search.run(start: initial, lowerBound: bound)
    if bins.count < start.binCount {
      for (b, bin) in bins.enumerated() { for item in bin { start.binOfItem[Int(item)] = Int32(b) } }
      start.binCount = bins.count
    }
    return start
  }
}
