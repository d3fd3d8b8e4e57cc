import Foundation
import Testing

@testable import Scenario

/// Root of the repository, three levels above this file.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

let loader = ScenarioLoader(knownSchedulers: knownSchedulers)

func loadExample(_ name: String, overrides: [String] = []) throws -> Scenario {
  try loader.load(path: repositoryRoot.appendingPathComponent("scenarios/\(name)").path, overrides: overrides)
}

/// The example scenario's text, for variations parsed from memory.
func exampleText(_ name: String) throws -> String {
  try String(contentsOf: repositoryRoot.appendingPathComponent("scenarios/\(name)"), encoding: .utf8)
}

/// The error thrown for `text` with `overrides`, or nil when it loads.
func failure(_ text: String, overrides: [String] = []) -> ScenarioError? {
  do {
    _ = try loader.parse(text, file: "/tmp/test.yaml", overrides: overrides)
    return nil
  } catch {
    return error
  }
}

/// A scenario with only the required fields, so that every optional one takes its default.
let requiredOnly = """
  name: defaults
  datacenter: {pue: 1.4, tariff_cny_per_kwh: 1}
  cabinets:
    before: {rack_units: 42, power_budget_kw: 3, monthly_rent_cny: 1000}
    after: {rack_units: 42, power_budget_kw: 6, monthly_rent_cny: 2000}
  host_models:
    - {name: old, cores: 8, memory_gib: 32, rack_units: 2, power: {idle_w: 100, max_w: 200},
       price_cny: 1000, amortisation_months: 60}
    - {name: new, cores: 32, memory_gib: 256, rack_units: 2, power: {idle_w: 100, max_w: 400},
       price_cny: 2000, amortisation_months: 60}
  pools:
    - {name: shared-pool, host_model: new}
    - {name: own-cloud, host_model: new, dedicated_to: land}
  bureaus:
    - {name: land, class: medium}
  systems:
    - name: approval
      bureau: land
      kind: shared
      before: {servers: 2, model: old}
      after: {pool: shared-pool, flavour: 2C4G, vms: auto}
      load: {peak_cores: 3, memory_gib: 6}
    - name: portal
      bureau: land
      kind: internet
      before: {servers: 1, model: old}
      load: {peak_cores: 1, memory_gib: 2}
    - name: registry
      bureau: land
      kind: dedicated
      after: {pool: own-cloud, flavour: {vcpu: 2, memory_gib: 3}, vms: 1}
      load: {peak_cores: 1, memory_gib: 2}
  waves:
    - {name: only, systems: [approval, registry]}

  """

@Suite struct GoodScenarioTests {
  @Test func minimalLoads() throws {
    let s = try loadExample("minimal.yaml")
    #expect(s.name == "minimal")
    #expect(s.seed == 7)
    #expect(s.horizonMilliseconds == 7 * 86_400_000)
    #expect(s.sampleIntervalMilliseconds == 300_000)
    #expect(s.scheduler == "first-fit-decreasing")
    #expect(s.datacenter.pue == 1.5)
    #expect(s.cabinetBefore.usableRackUnits == 38)
    #expect(s.hostModels.map(\.name) == ["old-2u", "pool-2u"])
    #expect(s.pools.map(\.pool.name) == ["egov"])
    #expect(s.pools[0].pool.cpuOvercommit == 2)
    #expect(s.systems.map(\.system.name) == ["oa", "website"])
    #expect(s.systems[1].vmCount == .fixed(2))
    #expect(s.systems[0].vmCount == .auto(targetUtilisation: 0.6, minimum: 1))
    #expect(s.waves.map(\.name) == ["phase-1"])
    #expect(s.waves[0].startMilliseconds == 86_400_000)
    #expect(s.wave(moving: "website")?.name == "phase-1")
    #expect(s.warnings.isEmpty)
    #expect(s.file.hasSuffix("scenarios/minimal.yaml"))
  }

  @Test func jiujiangLoads() throws {
    let s = try loadExample("jiujiang.yaml")
    #expect(s.name == "jiujiang")
    #expect(s.systems.count == 14)
    #expect(s.systems.filter { $0.system.dedicated != nil }.count == 10)
    #expect(s.systems.allSatisfy { $0.movable })
    #expect(s.waves.map(\.name) == ["phase-1", "phase-2", "phase-3"])
    #expect(s.waves.map(\.systems.count) == [2, 7, 5])
    #expect(s.waves[2].dependsOn == ["phase-2"])
    #expect(s.pools.map(\.pool.cabinetGroup) == ["extranet", "internet"])
    #expect(s.pools[0].equipment.count == 7)
    #expect(s.pools[0].pool.spareHosts == 1)
    #expect(s.hostModels[1].nameplateWatts == 450)
    #expect(s.hostModels[0].budgetWatts == 400)
    #expect(s.bureaus.count == 8)
    #expect(s.warnings.isEmpty)
    guard case .synthetic(let trading) = s.systems[1].load else {
      Issue.record("public-resource-trading should have a synthetic load")
      return
    }
    #expect(trading.peakCores == 14 && trading.spikeRatePerDay == 2 && trading.spikeFactor == 1.8)
  }

  @Test func defaultsApply() throws {
    let s = try loader.parse(requiredOnly, file: "/tmp/defaults.yaml")
    #expect(s.description == "")
    #expect(s.seed == 1)
    #expect(s.horizonMilliseconds == 7 * 86_400_000)
    #expect(s.sampleIntervalMilliseconds == 5 * 60_000)
    #expect(s.scheduler == "first-fit-decreasing")
    #expect(s.demandScale == 1)
    #expect(s.cabinetBefore.reservedRackUnits == 0 && s.cabinetAfter.reservedRackUnits == 0)
    #expect(s.roomEquipment.isEmpty)

    let old = s.hostModels[0]
    #expect(old.relativeSpeed == 1 && old.storageGiB == 0 && old.nameplateWatts == nil)

    let shared = s.pools[0]
    #expect(shared.pool.zone == "default")
    #expect(shared.pool.cpuOvercommit == 1 && shared.pool.memoryOvercommit == 1)
    #expect(shared.pool.headroom == 0)
    #expect(shared.pool.mlps.value == 3)
    #expect(shared.pool.dedicatedTo == nil && shared.pool.maxHosts == nil && shared.pool.spareHosts == 0)
    #expect(shared.pool.cabinetGroup == "shared")
    #expect(shared.scheduler == "first-fit-decreasing")
    #expect(shared.equipment.isEmpty)
    #expect(s.pools[1].pool.cabinetGroup == "dedicated:land")

    #expect(s.bureaus[0].consolidateAnyway == false)
    #expect(s.bureaus[0].mayConsolidate)

    let approval = s.systems[0]
    #expect(approval.system.mlps.value == 2)
    #expect(approval.movable)
    #expect(approval.system.pool == "shared-pool")
    #expect(approval.vmCount == .auto(targetUtilisation: 0.6, minimum: 1))
    #expect(approval.flavour.size.vcpu == 2 && approval.flavour.size.memoryGiB == 4)

    let portal = s.systems[1]
    #expect(!portal.movable && portal.system.pool == "" && portal.vmCount == .fixed(0))

    let registry = s.systems[2]
    #expect(registry.system.dedicated == nil)
    #expect(registry.flavour.name == "2C3G" && registry.flavour.size.storageGiB == 0)

    #expect(s.waves[0].startMilliseconds == 0 && s.waves[0].dependsOn.isEmpty)
    // `portal` has no pool target, so it is not expected in a wave: no warning.
    #expect(s.warnings.isEmpty)
  }

  /// Synthetic load parameters default per business kind (SyntheticLoad.defaults).
  @Test(arguments: [
    (0, 0.10, 0.10, 1.3, 0.5, 1.5),
    (1, 0.20, 0.15, 1.0, 1.0, 2.0),
    (2, 0.25, 0.05, 1.2, 0.2, 1.5),
  ])
  func loadDefaultsPerKind(
    _ index: Int, _ base: Double, _ noise: Double, _ monthEnd: Double, _ rate: Double, _ factor: Double
  ) throws {
    let s = try loader.parse(requiredOnly, file: "/tmp/defaults.yaml")
    guard case .synthetic(let load) = s.systems[index].load else {
      Issue.record("expected a synthetic load")
      return
    }
    #expect(load.baseFraction == base && load.noiseCV == noise && load.monthEndFactor == monthEnd)
    #expect(load.spikeRatePerDay == rate && load.spikeFactor == factor)
    #expect(load.memoryBaseFraction == 0.7)
  }

  @Test func loadParametersOverrideTheDefaults() throws {
    let text = requiredOnly.replacingOccurrences(
      of: "load: {peak_cores: 3, memory_gib: 6}",
      with: "load: {peak_cores: 3, memory_gib: 6, base_fraction: 0.3, memory_base_fraction: 0.5, "
        + "noise_cv: 0, month_end_factor: 2, spike_rate_per_day: 4, spike_factor: 3}")
    let s = try loader.parse(text, file: "/tmp/load.yaml")
    guard case .synthetic(let load) = s.systems[0].load else {
      Issue.record("expected a synthetic load")
      return
    }
    #expect(load.baseFraction == 0.3 && load.memoryBaseFraction == 0.5 && load.noiseCV == 0)
    #expect(load.monthEndFactor == 2 && load.spikeRatePerDay == 4 && load.spikeFactor == 3)
  }

  @Test func traceLoadResolvesRelativeToTheScenarioFolder() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "yunhe-scen-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try "entity,time_s,cpu_cores,mem_gib\nvm1,0,1,2\n".write(
      to: folder.appendingPathComponent("trace.csv"), atomically: true, encoding: .utf8)
    let file = folder.appendingPathComponent("s.yaml")
    try requiredOnly.replacingOccurrences(
      of: "load: {peak_cores: 3, memory_gib: 6}", with: "load: {trace: trace.csv, entity: vm1}"
    ).write(to: file, atomically: true, encoding: .utf8)
    let s = try loader.load(path: file.path)
    #expect(s.systems[0].load == .trace(path: folder.appendingPathComponent("trace.csv").path, entity: "vm1"))
  }

  @Test func aliasesQuotesAndBlockTextAreNotMistakenForComplexKeys() throws {
    // Anchors and aliases as values, quoted text and block scalars that look like keys.
    let text = try exampleText("minimal.yaml")
      .replacingOccurrences(
        of: "description: Two systems of one small bureau move into a shared pool.",
        with: """
          description: |
            ? not a key
            [1]: not a key either, *alias: neither
          """
      )
      .replacingOccurrences(
        of: "load: {peak_cores: 6, memory_gib: 20}", with: "load: &office {peak_cores: 6, memory_gib: 20}"
      )
      .replacingOccurrences(of: "load: {peak_cores: 2, memory_gib: 6}", with: "load: *office")
      .replacingOccurrences(of: "- name: oa", with: "- name: 'oa'")
      .replacingOccurrences(of: "name: minimal", with: "name: \"minimal\"  # [x]: comment")
    let s = try loader.parse(text, file: "/tmp/aliases.yaml")
    #expect(s.description.hasPrefix("? not a key\n[1]:"))
    guard case .synthetic(let oa) = s.systems[0].load, case .synthetic(let website) = s.systems[1].load else {
      Issue.record("expected synthetic loads")
      return
    }
    #expect(oa.peakCores == 6 && website.peakCores == 6 && website.memoryGiB == 20)
    #expect(s.name == "minimal")
  }

  @Test func wavesAreReturnedInExecutionOrder() throws {
    let text = try exampleText("minimal.yaml").replacingOccurrences(
      of: "  - {name: phase-1, start: 1d, systems: [oa, website]}",
      with: """
          - {name: late, start: 2d, systems: [website], depends_on: [early]}
          - {name: early, start: 1d, systems: [oa]}
          - {name: same-time, start: 1d, systems: [new-app]}
        """
    ).replacingOccurrences(
      of: "\nwaves:",
      with: """
          - name: new-app
            bureau: health-bureau
            kind: shared
            after: {pool: egov, flavour: 2C4G, vms: 1}
            load: {peak_cores: 1, memory_gib: 2}

        waves:
        """)
    let s = try loader.parse(text, file: "/tmp/waves.yaml")
    #expect(s.waves.map(\.name) == ["early", "same-time", "late"])
    #expect(s.waves.map(\.startMilliseconds) == [86_400_000, 86_400_000, 172_800_000])
    #expect(s.wave(moving: "new-app")?.name == "same-time")
  }

  @Test func movableSystemInNoWaveIsAWarning() throws {
    let text = try exampleText("minimal.yaml").replacingOccurrences(
      of: "systems: [oa, website]}", with: "systems: [oa]}")
    let s = try loader.parse(text, file: "/tmp/warn.yaml")
    #expect(s.warnings.count == 1)
    let w = try #require(s.warnings.first)
    #expect(w.field == "systems.website")
    #expect(w.description.hasPrefix("/tmp/warn.yaml: error: `systems.website`:"))
    #expect(w.message.contains("in no wave"))
    #expect(s.wave(moving: "website") == nil)
  }

  @Test func largeBureauMayConsolidateWhenTheScenarioSaysSo() throws {
    let text = try exampleText("minimal.yaml").replacingOccurrences(
      of: "{name: health-bureau, class: small}",
      with: "{name: health-bureau, class: large, consolidate: true}")
    let s = try loader.parse(text, file: "/tmp/large.yaml")
    #expect(s.bureaus[0].mayConsolidate)
    #expect(s.waves[0].systems == ["oa", "website"])
  }
}

@Suite struct OverrideTests {
  @Test func scalarAtAMappingPath() throws {
    let s = try loadExample("minimal.yaml", overrides: ["seed=9", "datacenter.pue=1.3", "horizon=2d"])
    #expect(s.seed == 9)
    #expect(s.datacenter.pue == 1.3)
    #expect(s.horizonMilliseconds == 2 * 86_400_000)
  }

  @Test func listItemByIndex() throws {
    let s = try loadExample("minimal.yaml", overrides: ["systems.0.load.peak_cores=9"])
    guard case .synthetic(let load) = s.systems[0].load else {
      Issue.record("expected a synthetic load")
      return
    }
    #expect(load.peakCores == 9)
  }

  @Test func listItemByName() throws {
    let s = try loadExample(
      "minimal.yaml",
      overrides: ["pools.egov.cpu_overcommit=3", "waves.phase-1.start=2d", "systems.website.after.vms=3"])
    #expect(s.pools[0].pool.cpuOvercommit == 3)
    #expect(s.waves[0].startMilliseconds == 2 * 86_400_000)
    #expect(s.systems[1].vmCount == .fixed(3))
  }

  @Test func createsAMissingOptionalField() throws {
    let s = try loadExample(
      "minimal.yaml", overrides: ["workload.demand_scale=2", "pools.egov.spare_hosts=1", "systems.oa.mlps=3"])
    #expect(s.demandScale == 2)
    #expect(s.pools[0].pool.spareHosts == 1)
    #expect(s.systems[0].system.mlps.value == 3)
  }

  @Test func fillsAnEmptyMapping() throws {
    let text = try exampleText("minimal.yaml") + "workload:\n"
    let s = try loader.parse(text, file: "/tmp/empty.yaml", overrides: ["workload.demand_scale=1.5"])
    #expect(s.demandScale == 1.5)
  }

  @Test func laterOverridesWin() throws {
    let s = try loadExample("minimal.yaml", overrides: ["seed=3", "seed=4"])
    #expect(s.seed == 4)
  }

  @Test func valuesAreValidatedLikeTheFile() throws {
    let text = try exampleText("minimal.yaml")
    let e = try #require(failure(text, overrides: ["datacenter.pue=0.5"]))
    #expect(e.field == "datacenter.pue")
    #expect(e.message.contains("between 1.0 and 5.0"))
    // A value typed on the command line has no position in the file.
    #expect(e.line == nil)
    let typo = try #require(failure(text, overrides: ["pools.egov.cpu_overcomit=3"]))
    #expect(typo.description.contains("did you mean `cpu_overcommit`?"))
  }

  @Test func missingEqualsSign() throws {
    let e = try #require(failure(try exampleText("minimal.yaml"), overrides: ["seed"]))
    #expect(e.message.contains("--set needs the form path.to.field=value"))
    #expect(e.field == "seed")
  }

  @Test func unknownItemNameSuggestsTheClosest() throws {
    let e = try #require(failure(try exampleText("minimal.yaml"), overrides: ["pools.egv.cpu_overcommit=3"]))
    #expect(e.message.contains("no item named `egv` in `pools`"))
    #expect(e.hint == "did you mean `egov`?")
    #expect(e.line != nil)
  }

  @Test func indexOutOfRange() throws {
    let e = try #require(failure(try exampleText("minimal.yaml"), overrides: ["systems.5.load.peak_cores=1"]))
    #expect(e.message.contains("index 5 is out of range; `systems` has 2 items"))
  }

  @Test func settingAMappingOrAListIsRefused() throws {
    let text = try exampleText("minimal.yaml")
    let mapping = try #require(failure(text, overrides: ["datacenter=3"]))
    #expect(mapping.message.contains("can only replace a single value"))
    let list = try #require(failure(text, overrides: ["systems.oa.after=3"]))
    #expect(list.message.contains("can only replace a single value"))
    let below = try #require(failure(text, overrides: ["seed.x=3"]))
    #expect(below.message.contains("`seed` is a single value and has no field `x`"))
  }

  @Test func emptySegmentIsRefused() throws {
    let e = try #require(failure(try exampleText("minimal.yaml"), overrides: ["datacenter..pue=1"]))
    #expect(e.message.contains("empty segment"))
  }

  @Test func valueIsAPlainScalar() throws {
    // The value is taken literally: no YAML flow syntax, no injection of extra keys.
    let e = try #require(failure(try exampleText("minimal.yaml"), overrides: ["name={a: 1}"]))
    #expect(e.field == "name")
  }
}

@Suite struct DurationTests {
  /// Loads minimal.yaml with the wave's start set to `text`.
  func start(_ text: String) throws -> Int64 {
    try loadExample("minimal.yaml", overrides: ["waves.0.start=\(text)"]).waves[0].startMilliseconds
  }

  @Test(
    arguments: [
      ("300s", 300_000), ("5m", 300_000), ("1h", 3_600_000), ("7d", 604_800_000), ("300.1s", 300_100),
      ("250ms", 250), ("0s", 0), ("1.5m", 90_000), ("0.5d", 43_200_000), ("007s", 7_000),
    ] as [(String, Int64)])
  func validDurations(_ text: String, _ milliseconds: Int64) throws {
    #expect(try start(text) == milliseconds)
  }

  @Test(arguments: [
    "300", "5", "-5m", "+5m", "5 m", "5min", "5M", "1e3s", "0.5ms", ".5m", "5.m", "m", "inf", "nan", "abc",
    "5m5s", "99999999999999999999d",
  ])
  func invalidDurations(_ text: String) throws {
    let e = try #require(failure(try exampleText("minimal.yaml"), overrides: ["waves.0.start=\(text)"]))
    #expect(e.field == "waves[0].start")
    #expect(e.message.contains("expected a duration such as 300s, 5m, 1h or 7d"))
  }

  @Test func bareNumberGetsAHint() throws {
    let e = try #require(failure(try exampleText("minimal.yaml"), overrides: ["horizon=600"]))
    #expect(e.hint == "a duration needs a unit: ms, s, m, h or d, e.g. `600s`")
  }

  @Test func durationInTheFileHasAPosition() throws {
    let text = try exampleText("minimal.yaml").replacingOccurrences(
      of: "sample_interval: 5m ", with: "sample_interval: 5x ")
    let e = try #require(failure(text))
    #expect(e.line == 7 && e.column == 18)
    #expect(e.description.hasPrefix("/tmp/test.yaml:7:18: error: `sample_interval`: expected a duration"))
  }

  @Test func horizonAndIntervalRules() throws {
    let text = try exampleText("minimal.yaml")
    #expect(failure(text, overrides: ["sample_interval=0s"])?.message == "must be positive")
    #expect(failure(text, overrides: ["horizon=1m"])?.message == "must be at least one sample_interval long")
    let many = try #require(failure(text, overrides: ["horizon=100d", "sample_interval=1ms"]))
    #expect(many.message.contains("the limit is 10,000,000"))
  }
}

@Suite struct ErrorFormatTests {
  @Test func descriptionIsOneParagraph() {
    let e = ScenarioError(
      file: "a.yaml", line: 3, column: 4, field: "x", message: "first\nsecond\r\nthird", hint: "h")
    #expect(e.description == "a.yaml:3:4: error: `x`: first\\nsecond\\nthird (h)")
    #expect(ScenarioError(file: "a.yaml", line: 3, message: "m").description == "a.yaml:3: error: m")
    #expect(ScenarioError(file: "a.yaml", message: "m").location == "a.yaml")
  }

  @Test func didYouMeanNeedsACloseCandidate() {
    #expect(didYouMean("horizn", among: ["horizon", "seed"]) == "horizon")
    #expect(didYouMean("frist-fit", among: knownSchedulers) == "first-fit")
    #expect(didYouMean("Egov", among: ["egov"]) == "egov")
    #expect(didYouMean("zzzzzz", among: ["horizon", "seed"]) == nil)
    #expect(didYouMean("x", among: []) == nil)
  }

  @Test func unknownSchedulerIsAcceptedWhenNoneAreKnown() throws {
    let text = try exampleText("minimal.yaml").replacingOccurrences(
      of: "scheduler: first-fit-decreasing", with: "scheduler: my-own")
    let s = try ScenarioLoader(knownSchedulers: []).parse(text, file: "/tmp/any.yaml")
    #expect(s.scheduler == "my-own")
  }
}
