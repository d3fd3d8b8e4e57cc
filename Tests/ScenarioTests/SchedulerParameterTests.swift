import Foundation
import Testing

@testable import Scenario

/// A one-pool scenario whose pool fields, top-level scheduler and systems' `after` extras are
/// spliced in. Line numbers: the pool is on line 12, system `a`'s `after` on line 20, system
/// `b`'s on line 25.
func constrained(
  scheduler: String = "first-fit", pool: String = "", afterA: String = "", afterB: String = ""
) -> String {
  """
  name: constrained
  scheduler: \(scheduler)
  datacenter: {pue: 1.4, tariff_cny_per_kwh: 1}
  cabinets:
    before: {rack_units: 42, power_budget_kw: 3, monthly_rent_cny: 1000}
    after: {rack_units: 42, power_budget_kw: 6, monthly_rent_cny: 2000}
  host_models:
    - {name: new, cores: 32, memory_gib: 256, rack_units: 2, power: {idle_w: 100, max_w: 400},
       price_cny: 2000, amortisation_months: 60}
  pools:
    - name: p
      host_model: new\(pool.isEmpty ? "" : "\n    " + pool)
  bureaus:
    - {name: b, class: small}
  systems:
    - name: a
      bureau: b
      kind: shared
      after: {pool: p, flavour: 2C4G, vms: 3\(afterA.isEmpty ? "" : ", " + afterA)}
      load: {peak_cores: 1, memory_gib: 2}
    - name: b
      bureau: b
      kind: shared
      after: {pool: p, flavour: 2C4G, vms: 2\(afterB.isEmpty ? "" : ", " + afterB)}
      load: {peak_cores: 1, memory_gib: 2}
  waves:
    - {name: w, systems: [a, b]}

  """
}

let filterLoader = ScenarioLoader(knownSchedulers: knownSchedulers + ["filter-pack", "filter-spread"])

func constrainedFailure(_ text: String) -> ScenarioError? {
  do {
    _ = try filterLoader.parse(text, file: "c.yaml")
    return nil
  } catch {
    return error
  }
}

@Suite struct SchedulerParameterTests {
  @Test func plainNamesStillWork() throws {
    let s = try filterLoader.parse(constrained(), file: "c.yaml")
    #expect(s.scheduler == "first-fit")
    #expect(s.schedulerParameters.isEmpty)
    #expect(s.pools[0].scheduler == "first-fit" && s.pools[0].schedulerParameters.isEmpty)
    #expect(s.pools[0].tags.isEmpty)
    #expect(s.systems.allSatisfy { $0.constraints == PlacementConstraints() })
  }

  @Test func mappingWithWeightsFiltersAndOrder() throws {
    let s = try filterLoader.parse(
      constrained(
        pool:
          "scheduler: {name: filter-pack, weights: {fewest_cabinets: 0.5, pack: 1}, filters: [anti_affinity, capacity], order: decreasing}"
      ), file: "c.yaml")
    let p = s.pools[0]
    #expect(p.scheduler == "filter-pack")
    #expect(
      p.schedulerParameters.weights == [
        SchedulerWeight(name: "fewest_cabinets", value: 0.5), SchedulerWeight(name: "pack", value: 1),
      ])
    #expect(p.schedulerParameters.filters == ["anti_affinity", "capacity"])
    #expect(p.schedulerParameters.order == "decreasing")
    #expect(p.schedulerParameters.location == "c.yaml:13:16")
    #expect(p.schedulerParameters.field == "pools[0].scheduler")
    #expect(s.scheduler == "first-fit", "the top-level default is unchanged")
  }

  @Test func poolsInheritTheTopLevelSchedulerAndItsParameters() throws {
    let s = try filterLoader.parse(
      constrained(scheduler: "{name: filter-spread, weights: {pack: -1}}"), file: "c.yaml")
    #expect(s.scheduler == "filter-spread")
    #expect(s.schedulerParameters.weights == [SchedulerWeight(name: "pack", value: -1)])
    #expect(s.pools[0].scheduler == "filter-spread")
    #expect(s.pools[0].schedulerParameters.weights == s.schedulerParameters.weights)
  }

  @Test func overridesReachParameters() throws {
    let s = try filterLoader.parse(
      constrained(pool: "scheduler: {name: filter-pack, weights: {pack: 1}}"), file: "c.yaml",
      overrides: ["pools.p.scheduler.weights.pack=3", "pools.p.scheduler.weights.spread=0.5"])
    #expect(Set(s.pools[0].schedulerParameters.weights.map(\.name)) == ["pack", "spread"])
    #expect(s.pools[0].schedulerParameters.weights.first { $0.name == "pack" }?.value == 3)
  }

  @Test func constraintsAreDecoded() throws {
    let s = try filterLoader.parse(
      constrained(
        pool: "zone: extranet\n    tags: [ssd, gpu, ssd]",
        afterA: "anti_affinity: true, zone: extranet, tags: [ssd]",
        afterB: "server_group: {name: db, policy: affinity}, tags: [gpu, ssd]"),
      file: "c.yaml")
    #expect(s.pools[0].tags == ["gpu", "ssd"])
    let a = s.systems[0].constraints
    #expect(a.serverGroup == ServerGroupSpec(name: "system:a", policy: .antiAffinity))
    #expect(a.zone == "extranet" && a.tags == ["ssd"])
    let b = s.systems[1].constraints
    #expect(b.serverGroup == ServerGroupSpec(name: "db", policy: .affinity))
    #expect(b.zone == nil && b.tags == ["gpu", "ssd"])
    let off = try filterLoader.parse(constrained(afterA: "anti_affinity: false"), file: "c.yaml")
    #expect(off.systems[0].constraints.serverGroup == nil)
  }

  @Test(arguments: [
    (
      constrained(pool: "scheduler: {name: filter-pack, weights: {pakc: 1}}"), "pakc",
      "pools[0].scheduler.weights.pakc",
      "unknown weigher `pakc` (did you mean `pack`?)"
    ),
    (
      constrained(pool: "scheduler: {name: filter-pack, weights: {fewest-cabinets: 1}}"), "fewest-cabinets",
      "pools[0].scheduler.weights.fewest-cabinets",
      "unknown weigher `fewest-cabinets` (did you mean `fewest_cabinets`?)"
    ),
    (
      constrained(pool: "scheduler: {name: filter-pack, weights: {pack: 1e9}}"), "1e9",
      "pools[0].scheduler.weights.pack", "must be between -1000.0 and 1000.0"
    ),
    (
      constrained(pool: "scheduler: {name: filter-pack, weights: [pack]}"), "[pack]",
      "pools[0].scheduler.weights",
      "expected a mapping of weigher names to numbers"
    ),
    (
      constrained(pool: "scheduler: {name: filter-pack, filters: [zone, antiaffinity]}"), "antiaffinity",
      "pools[0].scheduler.filters[1]", "unknown filter `antiaffinity` (did you mean `anti_affinity`?)"
    ),
    (
      constrained(pool: "scheduler: {name: filter-pack, filters: [zone, zone]}"), "zone]",
      "pools[0].scheduler.filters[1]",
      "filter `zone` is listed twice"
    ),
    (
      constrained(pool: "scheduler: {name: filter-pack, order: decresing}"), "decresing",
      "pools[0].scheduler.order",
      "expected one of arrival, decreasing (did you mean `decreasing`?)"
    ),
    (
      constrained(pool: "scheduler: {name: filter-pakc}"), "filter-pakc", "pools[0].scheduler.name",
      "unknown scheduler `filter-pakc` (did you mean `filter-pack`?)"
    ),
    (
      constrained(pool: "scheduler: {weights: {pack: 1}}"), "{weights", "pools[0].scheduler.name",
      "missing required field `name`"
    ),
    (
      constrained(pool: "scheduler: {name: filter-pack, weight: {pack: 1}}"), "weight:",
      "pools[0].scheduler.weight",
      "unknown field `weight` (did you mean `weights`?)"
    ),
    (
      constrained(afterA: "anti_affinity: true, server_group: {name: db, policy: anti-affinity}"), "true",
      "systems[0].after.anti_affinity", "give either `anti_affinity` or `server_group`, not both"
    ),
    (
      constrained(afterA: "server_group: db"), "db}", "systems[0].after.server_group",
      "expected a mapping {name, policy}"
    ),
    (
      constrained(afterA: "server_group: {name: db, policy: spread}"), "spread",
      "systems[0].after.server_group.policy",
      "unknown value `spread`; expected one of affinity, anti-affinity"
    ),
    (
      constrained(
        afterA: "server_group: {name: db, policy: affinity}",
        afterB: "server_group: {name: db, policy: anti-affinity}"),
      "anti-affinity}", "systems[1].after.server_group.policy",
      "server group `db` is affinity in system `a` but anti-affinity here"
    ),
    (
      constrained(afterA: "zone: dmz"), "dmz", "systems[0].after.zone",
      "system must stay in zone `dmz` but pool `p` is in zone `default`"
    ),
    (
      constrained(pool: "tags: [ssd]", afterA: "tags: [ssd, gpu]"), "[ssd, gpu]", "systems[0].after.tags",
      "pool `p` lacks the tag `gpu` (the pool's tags: ssd)"
    ),
    (
      constrained(afterA: "tags: [ssd]"), "[ssd]", "systems[0].after.tags",
      "pool `p` lacks the tag `ssd` (the pool has no `tags`)"
    ),
    (constrained(pool: "tags: [\"s s\"]"), "\"s s\"", "pools[0].tags[0]", "tag `s s` must contain only"),
  ])
  func badParametersPointAtTheField(text: String, marker: String, field: String, message: String) throws {
    let e = try #require(constrainedFailure(text))
    #expect(e.field == field, "\(e)")
    // The error points at the first occurrence of `marker`.
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let line = try #require(lines.firstIndex { $0.contains(marker) })
    let column = lines[line].distance(
      from: lines[line].startIndex, to: lines[line].range(of: marker)!.lowerBound)
    #expect(e.line == line + 1 && e.column == column + 1, "\(e)")
    #expect(e.description.contains(message), "\(e)")
  }
}
