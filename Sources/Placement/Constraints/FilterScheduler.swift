import CapacityModel

/// A weigher and its multiplier.
public struct WeightedWeigher: Sendable {
  /// The weigher.
  public var weigher: any HostWeigher
  /// Multiplier of its normalised weights; negative values turn a preference around.
  public var multiplier: Double

  /// Creates a weighted weigher.
  public init(_ weigher: any HostWeigher, _ multiplier: Double) {
    self.weigher = weigher
    self.multiplier = multiplier
  }
}

/// How many hosts one filter removed while deciding a request.
public struct FilterCount: Hashable, Sendable {
  /// The filter's `name`.
  public var filter: String
  /// Hosts it removed (of those left by the filters before it).
  public var rejected: Int

  /// Creates a count.
  public init(filter: String, rejected: Int) {
    self.filter = filter
    self.rejected = rejected
  }
}

/// What `FilterScheduler.evaluate(_:in:)` found for one request.
public struct FilterEvaluation: Hashable, Sendable {
  /// Open hosts considered.
  public var hostsConsidered: Int
  /// Hosts removed by each filter, in filter order (zeros included).
  public var counts: [FilterCount]
  /// Indices of the hosts that passed every filter, increasing.
  public var passing: [Int]
  /// Weighted normalised score of each passing host (same order as `passing`).
  public var scores: [Double]

  /// The passing host with the highest score, lowest index on ties; nil when none passed.
  public var best: Int? {
    var best: Int?
    var top = -Double.infinity
    for (i, s) in scores.enumerated() where best == nil || s > top {
      best = passing[i]
      top = s
    }
    return best
  }

  /// The counts in words, e.g. "no host: AntiAffinity rejected 3 of 5 hosts, Capacity rejected 2",
  /// or "no host open" when there was none.
  public var summary: String {
    guard hostsConsidered > 0 else { return "\(PlacementReason.noHostPrefix) open" }
    let parts = counts.filter { $0.rejected > 0 }.enumerated().map { i, c in
      i == 0
        ? "\(c.filter) rejected \(c.rejected) of \(hostsConsidered) host\(hostsConsidered == 1 ? "" : "s")"
        : "\(c.filter) rejected \(c.rejected)"
    }
    return "\(PlacementReason.noHostPrefix): \(parts.joined(separator: ", "))"
  }
}

/// A Nova-style filter scheduler: hard constraints (filters) remove hosts, soft preferences
/// (weighers) rank the rest.
///
/// For each request the filters run in order, each on the hosts the previous ones left. The
/// passing hosts are weighed: each weigher's raw weights are normalised to [0, 1] over the
/// passing hosts ((w − min) / (max − min); all 0 when equal), multiplied by its multiplier and
/// summed in weigher order. The highest score wins, the lowest host index on ties.
///
/// When no open host passes, a new host (`ClusterSnapshot.prospectiveHost`) is opened if it
/// would pass every filter and the pool may grow; otherwise the request is rejected with a
/// reason naming the filters and the hosts they removed, e.g. "no host: AntiAffinity rejected 3
/// of 5 hosts, Capacity rejected 2; pool full: 5 hosts" or "no host open; a new host fails
/// MLPS: needs MLPS 3, host certified to MLPS 2".
///
/// Time per request: O(hosts) per filter and per weigher with a non-zero multiplier (with the
/// standard filters and weighers, plus O(groups per host) for server groups), O(hosts) memory.
public struct FilterScheduler: ConfigurablePlacementPolicy {
  /// Registry name.
  public var name: String
  /// Filters, in evaluation order.
  public var filters: [any HostFilter]
  /// Weighers and their multipliers, in summation order.
  public var weighers: [WeightedWeigher]
  /// Order of a batch.
  public var batchOrder: BatchOrder

  /// Creates a scheduler.
  public init(
    name: String, filters: [any HostFilter] = FilterScheduler.standardFilters, weighers: [WeightedWeigher],
    order: BatchOrder = .arrival
  ) {
    self.name = name
    self.filters = filters
    self.weighers = weighers
    self.batchOrder = order
  }

  /// Zone, MLPS, dedicated, tags, affinity, anti-affinity and capacity, in this order.
  public static let standardFilters: [any HostFilter] = [
    ZoneFilter(), MLPSFilter(), DedicatedFilter(), TagsFilter(), AffinityFilter(), AntiAffinityFilter(),
    CapacityFilter(),
  ]

  /// Every filter a scenario can name, by key.
  public static let availableFilters: [any HostFilter] = standardFilters

  /// Every weigher a scenario can name: pack, spread, power and fewest_cabinets.
  public static let availableWeighers: [any HostWeigher] = [
    PackWeigher(), SpreadWeigher(), PowerWeigher(), FewestCabinetsWeigher(),
  ]

  /// Keys of `availableFilters`.
  public static var filterKeys: [String] { availableFilters.map(\.key) }

  /// Names of `availableWeighers`.
  public static var weigherNames: [String] { availableWeighers.map(\.name) }

  /// "filter-pack": the standard filters, weigher pack × 1.
  public static let pack = FilterScheduler(name: "filter-pack", weighers: [WeightedWeigher(PackWeigher(), 1)])

  /// "filter-spread": the standard filters, weigher spread × 1.
  public static let spread = FilterScheduler(
    name: "filter-spread", weighers: [WeightedWeigher(SpreadWeigher(), 1)])

  /// "filter-power": the standard filters, weighers power × 1 and pack × 0.1 (pack breaks the
  /// ties between hosts of equal marginal power, as with linear power curves).
  public static let power = FilterScheduler(
    name: "filter-power", weighers: [WeightedWeigher(PowerWeigher(), 1), WeightedWeigher(PackWeigher(), 0.1)])

  /// One line for `yunhe schedulers`.
  public var summary: String {
    let active = weighers.filter { $0.multiplier != 0 }
    let w =
      active.isEmpty
      ? "no weighers"
      : active.map { "\($0.weigher.name)×\(PlacementReason.amount($0.multiplier))" }.joined(separator: " + ")
    let orderText = batchOrder == .decreasing ? ", largest first" : ""
    return "filters (\(filters.map(\.key).joined(separator: ", "))) then weighers \(w)\(orderText); "
      + "opens a host when none passes"
  }

  /// The batch as it arrives, or largest first (`FirstFitDecreasing`'s key) for `.decreasing`.
  public func order(_ batch: [PlacementRequest], in cluster: ClusterSnapshot) -> [PlacementRequest] {
    batchOrder == .decreasing ? FirstFitDecreasing().order(batch, in: cluster) : batch
  }

  /// The best passing host, else a new host when it would pass, else a rejection with the
  /// filters' counts (see the type's documentation).
  public func decide(_ request: PlacementRequest, in cluster: ClusterSnapshot) -> PlacementDecision {
    let (candidates, counts) = filterHosts(request, in: cluster)
    if !candidates.isEmpty {
      let scores = weigh(candidates, request, in: cluster)
      var best = 0
      for i in scores.indices where scores[i] > scores[best] { best = i }
      return .place(hostIndex: cluster.hosts[candidates[best]].index)
    }
    return noHostDecision(request, in: cluster, counts: counts)
  }

  /// Runs the filters and weighers for one request without deciding; for explanations and tests.
  public func evaluate(_ request: PlacementRequest, in cluster: ClusterSnapshot) -> FilterEvaluation {
    let (candidates, counts) = filterHosts(request, in: cluster)
    return FilterEvaluation(
      hostsConsidered: cluster.hosts.count, counts: counts,
      passing: candidates.map { cluster.hosts[$0].index },
      scores: weigh(candidates, request, in: cluster))
  }

  /// This scheduler with `parameters` applied: weights replace the multipliers of the weighers
  /// they name (adding weighers not yet present, in the order of `availableWeighers`), `filters`
  /// replaces the filter list (capacity appended when missing), `order` the batch order.
  public func configured(with parameters: PolicyParameters) throws(PolicyConfigurationError)
    -> any PlacementPolicy
  {
    var result = self
    for key in parameters.weights.keys.sorted() {
      guard let multiplier = parameters.weights[key], multiplier.isFinite else {
        throw PolicyConfigurationError("weight of `\(key)` must be a finite number")
      }
      if let i = result.weighers.firstIndex(where: { $0.weigher.name == key }) {
        result.weighers[i].multiplier = multiplier
      } else if let weigher = Self.availableWeighers.first(where: { $0.name == key }) {
        result.weighers.append(WeightedWeigher(weigher, multiplier))
      } else {
        throw PolicyConfigurationError(
          "unknown weigher `\(key)`",
          hint: closest(key, among: Self.weigherNames).map { "did you mean `\($0)`?" }
            ?? "weighers: \(Self.weigherNames.joined(separator: ", "))")
      }
    }
    // Weighers in a canonical order, so that the file order of `weights` does not matter.
    let rank = { (w: WeightedWeigher) in
      Self.weigherNames.firstIndex(of: w.weigher.name) ?? Self.weigherNames.count
    }
    let original = result.weighers
    result.weighers = original.indices.sorted { (rank(original[$0]), $0) < (rank(original[$1]), $1) }.map {
      original[$0]
    }
    if let keys = parameters.filters {
      var chosen: [any HostFilter] = []
      for key in keys {
        guard let filter = Self.availableFilters.first(where: { $0.key == key }) else {
          throw PolicyConfigurationError(
            "unknown filter `\(key)`",
            hint: closest(key, among: Self.filterKeys).map { "did you mean `\($0)`?" }
              ?? "filters: \(Self.filterKeys.joined(separator: ", "))")
        }
        if chosen.contains(where: { $0.key == key }) {
          throw PolicyConfigurationError("filter `\(key)` is listed twice")
        }
        chosen.append(filter)
      }
      if !chosen.contains(where: { $0 is CapacityFilter }) { chosen.append(CapacityFilter()) }
      result.filters = chosen
    }
    if let order = parameters.order { result.batchOrder = order }
    return result
  }

  // MARK: - Internals

  /// Positions (in `cluster.hosts`) of the hosts passing every filter, and each filter's count.
  ///
  /// A run of consecutive `AggregateFilter`s is applied in one pass: each aggregate is decided
  /// once by every filter of the run, and a host is counted against the first filter of the run
  /// that refuses its aggregate — the same counts as applying the filters one after another.
  func filterHosts(_ request: PlacementRequest, in cluster: ClusterSnapshot) -> ([Int], [FilterCount]) {
    let n = cluster.hosts.count
    var candidates = [Int](unsafeUninitializedCapacity: n) { buffer, count in
      for i in 0..<n { buffer[i] = i }
      count = n
    }
    var counts = filters.map { FilterCount(filter: $0.name, rejected: 0) }
    var i = 0
    while i < filters.count {
      var run: [any AggregateFilter] = []
      while i + run.count < filters.count, let f = filters[i + run.count] as? any AggregateFilter {
        run.append(f)
      }
      let before = candidates.count
      if run.count >= 2 {
        if before > 0 {
          applyAggregateRun(run, &candidates, &counts[i..<(i + run.count)], request, in: cluster)
        }
        i += run.count
        continue
      }
      if before > 0 { filters[i].filter(&candidates, request, in: cluster) }
      counts[i].rejected = before - candidates.count
      i += 1
    }
    return (candidates, counts)
  }

  /// Applies a run of aggregate filters in one pass over the candidates (see `filterHosts`).
  private func applyAggregateRun(
    _ run: [any AggregateFilter], _ candidates: inout [Int], _ counts: inout ArraySlice<FilterCount>,
    _ request: PlacementRequest, in cluster: ClusterSnapshot
  ) {
    // firstRefusal[a]: position in `run` of the first filter refusing aggregate a, or -1.
    let firstRefusal = cluster.aggregates.map { aggregate in
      run.firstIndex { !$0.admits(aggregate, request) } ?? -1
    }
    var rejected = [Int](repeating: 0, count: run.count)
    cluster.hosts.withUnsafeBufferPointer { hosts in
      firstRefusal.withUnsafeBufferPointer { refusal in
        candidates.keep { p in
          let a = hosts[p].aggregate
          let k = a >= 0 && a < refusal.count ? refusal[a] : 0
          if k < 0 { return true }
          rejected[k] += 1
          return false
        }
      }
    }
    for (k, n) in rejected.enumerated() { counts[counts.startIndex + k].rejected = n }
  }

  /// Weighted normalised scores of the candidates (positions in `cluster.hosts`).
  func weigh(_ candidates: [Int], _ request: PlacementRequest, in cluster: ClusterSnapshot) -> [Double] {
    var total = [Double](repeating: 0, count: candidates.count)
    guard candidates.count > 1 else { return total }
    var raw = [Double](repeating: 0, count: candidates.count)
    for w in weighers where w.multiplier != 0 {
      w.weigher.weigh(candidates, request, in: cluster, into: &raw)
      var low = Double.infinity
      var high = -Double.infinity
      for x in raw where x.isFinite {
        low = Swift.min(low, x)
        high = Swift.max(high, x)
      }
      guard high > low else { continue }
      let scale = w.multiplier / (high - low)
      for i in raw.indices where raw[i].isFinite {
        total[i] += (raw[i] - low) * scale
      }
    }
    return total
  }

  /// The decision when no open host passes.
  func noHostDecision(_ request: PlacementRequest, in cluster: ClusterSnapshot, counts: [FilterCount])
    -> PlacementDecision
  {
    let summary = FilterEvaluation(
      hostsConsidered: cluster.hosts.count, counts: counts, passing: [], scores: []
    ).summary
    let newHost = cluster.prospectiveHost
    for filter in filters where !filter.passes(newHost, request, in: cluster) {
      return .reject(
        reason: "\(summary); a new host fails \(filter.name): \(filter.reason(newHost, request, in: cluster))"
      )
    }
    guard cluster.canOpenHost else {
      return .reject(reason: "\(summary); \(PlacementReason.poolFull(hosts: cluster.hosts.count))")
    }
    return .openNewHost
  }
}
