import CapacityModel
import Testing

@testable import Placement

@Suite("FilterScheduler: hand cases")
struct FilterSchedulerTests {
  let pack = FilterScheduler.pack
  let spread = FilterScheduler.spread

  @Test func packAndSpreadPickOppositeEnds() {
    let cluster = snapshot([host(0, used: 6), host(1, used: 2), host(2, used: 8)])
    #expect(pack.decide(vm("a", 2), in: cluster) == .place(hostIndex: 2))
    #expect(spread.decide(vm("a", 2), in: cluster) == .place(hostIndex: 1))
    // Host 2 has no room for 3: pack takes the next fullest.
    #expect(pack.decide(vm("a", 3), in: cluster) == .place(hostIndex: 0))
  }

  @Test func tiesGoToTheLowestIndex() {
    let cluster = snapshot([host(0, used: 5), host(1, used: 3), host(2, used: 5), host(3, used: 3)])
    #expect(pack.decide(vm("a", 1), in: cluster) == .place(hostIndex: 0))
    #expect(spread.decide(vm("a", 1), in: cluster) == .place(hostIndex: 1))
    let none = FilterScheduler(name: "unweighted", weighers: [])
    #expect(none.decide(vm("a", 1), in: cluster) == .place(hostIndex: 0))
    let equal = snapshot([host(0, used: 4), host(1, used: 4)])
    for p in [pack, spread, FilterScheduler.power] {
      #expect(p.decide(vm("a", 1), in: equal) == .place(hostIndex: 0), "\(p.name)")
    }
  }

  @Test func weightsAreNormalisedThenSummed() {
    // Pack prefers host 2 (fullest), fewest_cabinets prefers hosts 0 and 1 (cabinet in use).
    // Hosts: 0 used 1 (cabinet 0), 1 empty (cabinet 0), 2 used 7 (cabinet 1)... all in use, so
    // make host 2's cabinet empty of VMs other than itself — use explicit cabinets.
    let cluster = snapshot([
      host(0, used: 1, cabinet: 0), host(1, used: 2, cabinet: 0), host(2, used: 7, vms: 0, cabinet: 1),
    ])
    // Raw pack: host 2 best (1), host 1 next, host 0 worst (0). Cabinets: 1, 1, 0.
    let evalPack = pack.evaluate(vm("a", 1), in: cluster)
    #expect(evalPack.passing == [0, 1, 2])
    #expect(evalPack.scores[0] == 0 && evalPack.scores[2] == 1)
    #expect(abs(evalPack.scores[1] - 1.0 / 6) < 1e-12)
    #expect(evalPack.best == 2)
    let mixed = FilterScheduler(
      name: "mixed",
      weighers: [WeightedWeigher(PackWeigher(), 1), WeightedWeigher(FewestCabinetsWeigher(), 2)])
    let e = mixed.evaluate(vm("a", 1), in: cluster)
    #expect(abs(e.scores[0] - 2) < 1e-12 && abs(e.scores[1] - (2 + 1.0 / 6)) < 1e-12 && e.scores[2] == 1)
    #expect(e.best == 1)
    #expect(mixed.decide(vm("a", 1), in: cluster) == .place(hostIndex: 1))
    // A negative multiplier turns a preference around: −pack spreads.
    let antiPack = FilterScheduler(name: "anti", weighers: [WeightedWeigher(PackWeigher(), -1)])
    #expect(antiPack.decide(vm("a", 1), in: cluster) == .place(hostIndex: 0))
  }

  @Test func filtersRemoveHostsBeforeWeighing() {
    // Host 2 is the fullest but holds the group: anti-affinity sends the VM to host 0.
    let cluster = snapshot([host(0, used: 5), host(1, used: 2), host(2, used: 8, groups: ["db"])])
    #expect(pack.decide(vm("a", 1, group: "db"), in: cluster) == .place(hostIndex: 0))
    #expect(pack.decide(vm("a", 1, group: "db", policy: .affinity), in: cluster) == .place(hostIndex: 2))
  }

  @Test func rejectionNamesFiltersAndCounts() {
    // 5 hosts; 3 hold group db; of the other 2, neither has room for 6 vCPU; the pool is full.
    let cluster = snapshot(
      [
        host(0, used: 1, groups: ["db"]), host(1, used: 5), host(2, used: 1, groups: ["db"]),
        host(3, used: 7),
        host(4, groups: ["db"]),
      ], canOpen: false)
    let decision = pack.decide(vm("a", 6, group: "db"), in: cluster)
    #expect(
      decision
        == .reject(
          reason: "no host: AntiAffinity rejected 3 of 5 hosts, Capacity rejected 2; pool full: 5 hosts"))
    let e = pack.evaluate(vm("a", 6, group: "db"), in: cluster)
    #expect(e.counts.map(\.rejected) == [0, 0, 0, 0, 0, 3, 2])
    #expect(e.passing.isEmpty && e.best == nil)
    #expect(e.summary == "no host: AntiAffinity rejected 3 of 5 hosts, Capacity rejected 2")
  }

  @Test func countsFollowFilterOrder() {
    // Host 0: wrong zone and full; host 1: right zone, full; host 2: right zone, holds the group.
    let cluster = snapshot(
      [host(0, used: 10, aggregate: 1), host(1, used: 10), host(2, groups: ["g"])], canOpen: false)
    let request = vm("a", 1, zone: "extranet", group: "g")
    #expect(
      pack.decide(request, in: cluster)
        == .reject(
          reason:
            "no host: Zone rejected 1 of 3 hosts, AntiAffinity rejected 1, Capacity rejected 1; pool full: 3 hosts"
        ))
    // Capacity first: it takes hosts 0 and 1, then anti-affinity host 2.
    let capacityFirst = try! #require(
      try pack.configured(with: PolicyParameters(filters: ["capacity", "zone", "anti_affinity"]))
        as? FilterScheduler)
    #expect(
      capacityFirst.decide(request, in: cluster)
        == .reject(
          reason: "no host: Capacity rejected 2 of 3 hosts, AntiAffinity rejected 1; pool full: 3 hosts"))
  }

  @Test func opensAHostWhenTheNewHostWouldPass() {
    let cluster = snapshot([host(0, used: 1, groups: ["db"])])
    #expect(pack.decide(vm("a", 1, group: "db"), in: cluster) == .openNewHost)
    #expect(pack.decide(vm("a", 1), in: snapshot([])) == .openNewHost)
  }

  @Test func rejectsWhenTheNewHostWouldFail() {
    // New hosts are Internet-zone MLPS 2 (aggregate 1); an MLPS 3 request cannot use them.
    let empty = snapshot([], newAggregate: 1)
    #expect(
      pack.decide(vm("a", 1, mlps: 3), in: empty)
        == .reject(reason: "no host open; a new host fails MLPS: needs MLPS 3, host certified to MLPS 2"))
    let cluster = snapshot([host(0, used: 9, aggregate: 1)], newAggregate: 1)
    #expect(pack.decide(vm("a", 2, mlps: 2, zone: "dmz"), in: cluster) == .openNewHost)
    // Oversize requests: the new host fails Capacity with the standard oversize reason.
    #expect(
      pack.decide(vm("a", 11), in: snapshot([host(0, used: 1)]))
        == .reject(
          reason: "no host: Capacity rejected 1 of 1 host; a new host fails Capacity: "
            + "larger than an empty host: needs 11 vcpu, host offers 10 vcpu"))
    // Affinity: the group is on a full host, and a new host would split it.
    let affine = snapshot([host(0, used: 10, groups: ["db"])])
    #expect(
      pack.decide(vm("a", 1, group: "db", policy: .affinity), in: affine)
        == .reject(
          reason: "no host: Capacity rejected 1 of 1 host; a new host fails Affinity: "
            + "server group `db` (affinity) is on host 0"))
    // The dedicated cloud of another bureau.
    #expect(
      pack.decide(vm("a", 1, bureau: "health"), in: snapshot([], newAggregate: 2))
        == .reject(
          reason:
            "no host open; a new host fails Dedicated: host is in the dedicated cloud (专享云) of bureau `tax`"))
    #expect(pack.decide(vm("a", 1, bureau: "tax"), in: snapshot([], newAggregate: 2)) == .openNewHost)
  }

  @Test func summaryListsFiltersAndWeights() {
    #expect(pack.summary.contains("pack×1"))
    #expect(FilterScheduler.power.summary.contains("power×1 + pack×0.1"))
    #expect(pack.summary.contains("zone, mlps, dedicated, tags, affinity, anti_affinity, capacity"))
    let none = FilterScheduler(name: "x", weighers: [WeightedWeigher(PackWeigher(), 0)])
    #expect(none.summary.contains("no weighers"))
  }

  @Test func configuredWeightsMergeWithTheDefaults() throws {
    let p = try #require(
      try pack.configured(with: PolicyParameters(weights: ["fewest_cabinets": 0.5])) as? FilterScheduler)
    #expect(p.name == "filter-pack")
    #expect(p.weighers.map(\.weigher.name) == ["pack", "fewest_cabinets"])
    #expect(p.weighers.map(\.multiplier) == [1, 0.5])
    let q = try #require(
      try pack.configured(with: PolicyParameters(weights: ["spread": 2, "pack": 0])) as? FilterScheduler)
    #expect(q.weighers.map(\.weigher.name) == ["pack", "spread"], "canonical order, whatever the input")
    #expect(q.weighers.map(\.multiplier) == [0, 2])
    let cluster = snapshot([host(0, used: 6), host(1, used: 2)])
    #expect(q.decide(vm("a", 1), in: cluster) == .place(hostIndex: 1))
  }

  @Test func configuredFiltersAndOrder() throws {
    let p = try #require(
      try pack.configured(with: PolicyParameters(filters: ["anti_affinity", "mlps"], order: .decreasing))
        as? FilterScheduler)
    #expect(p.filters.map(\.key) == ["anti_affinity", "mlps", "capacity"], "capacity is always applied")
    #expect(p.batchOrder == .decreasing)
    let batch = [vm("small", 1), vm("big", 5), vm("mid", 3)]
    #expect(p.order(batch, in: snapshot([])).map(\.id) == ["big", "mid", "small"])
    #expect(pack.order(batch, in: snapshot([])).map(\.id) == ["small", "big", "mid"])
    // Without the zone filter, a zone requirement is ignored.
    let cluster = snapshot([host(0, aggregate: 1)])
    #expect(p.decide(vm("a", 1, zone: "extranet"), in: cluster) == .place(hostIndex: 0))
    #expect(pack.decide(vm("a", 1, zone: "extranet"), in: cluster) == .openNewHost)
  }

  @Test(arguments: [
    (PolicyParameters(weights: ["pakc": 1]), "unknown weigher `pakc` (did you mean `pack`?)"),
    (
      PolicyParameters(weights: ["fewest-cabinets": 1]),
      "unknown weigher `fewest-cabinets` (did you mean `fewest_cabinets`?)"
    ),
    (
      PolicyParameters(weights: ["banana": 1]),
      "unknown weigher `banana` (weighers: pack, spread, power, fewest_cabinets)"
    ),
    (PolicyParameters(weights: ["pack": .nan]), "weight of `pack` must be a finite number"),
    (
      PolicyParameters(filters: ["antiaffinity"]),
      "unknown filter `antiaffinity` (did you mean `anti_affinity`?)"
    ),
    (PolicyParameters(filters: ["zone", "zone"]), "filter `zone` is listed twice"),
  ])
  func badParameters(parameters: PolicyParameters, message: String) {
    #expect(throws: PolicyConfigurationError.self) { try pack.configured(with: parameters) }
    do {
      _ = try pack.configured(with: parameters)
    } catch {
      #expect(error.description == message)
    }
  }

  @Test func registryConfiguresByName() throws {
    let registry = PlacementRegistry.standard
    let p = try registry.policy(named: "filter-spread", parameters: PolicyParameters(weights: ["pack": 0.5]))
    #expect(p.name == "filter-spread")
    #expect((p as? FilterScheduler)?.weighers.map(\.multiplier) == [0.5, 1])
    #expect(try registry.policy(named: "best-fit", parameters: PolicyParameters()).name == "best-fit")
    do {
      _ = try registry.policy(named: "best-fit", parameters: PolicyParameters(weights: ["pack": 1]))
      Issue.record("best-fit accepted parameters")
    } catch {
      #expect(error.message == "scheduler `best-fit` takes no weights, filters or order")
      #expect(error.hint == "schedulers that do: filter-pack, filter-power, filter-spread")
    }
    do {
      _ = try registry.policy(named: "filter-pakc", parameters: PolicyParameters())
      Issue.record("unknown name accepted")
    } catch {
      #expect(error.description == "unknown scheduler `filter-pakc` (did you mean `filter-pack`?)")
    }
  }
}
