import CapacityModel
import Foundation
import Workload
import Yams

/// Turns a YAML tree into a validated `Scenario`.
struct ScenarioDecoder {
  let ctx: YAMLContext
  let knownSchedulers: [String]
  var warnings: [ScenarioError] = []

  init(ctx: YAMLContext, knownSchedulers: [String]) {
    self.ctx = ctx
    self.knownSchedulers = knownSchedulers
  }

  mutating func decode(_ root: Node) throws(ScenarioError) -> Scenario {
    var top = try MappingReader(root, path: "", ctx: ctx)
    let name = try top.requiredString("name")
    guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
      throw ctx.error(
        top.node("name"), "name",
        "must contain only letters, digits, `-` and `_` (it names the report folder)")
    }
    let description = try top.string("description") ?? ""
    let seed = UInt64(try top.int("seed", in: 0...Int.max) ?? 1)
    let horizon = try top.duration("horizon") ?? 7 * 86_400_000
    let interval = try top.duration("sample_interval") ?? 300_000
    if interval <= 0 { throw ctx.error(top.node("sample_interval"), "sample_interval", "must be positive") }
    if horizon < interval {
      throw ctx.error(top.node("horizon"), "horizon", "must be at least one sample_interval long")
    }
    if horizon / interval > 10_000_000 {
      throw ctx.error(
        top.node("horizon"), "horizon", "gives \(horizon / interval) samples; the limit is 10,000,000",
        hint: "use a longer sample_interval")
    }
    let (scheduler, schedulerParameters) =
      try schedulerChoice(&top, "scheduler") ?? ("first-fit-decreasing", SchedulerParameters())

    let datacenter = try decodeDatacenter(top.requiredNode("datacenter"))
    var cabinetsReader = try MappingReader(top.requiredNode("cabinets"), path: "cabinets", ctx: ctx)
    let beforeNode = try cabinetsReader.requiredNode("before")
    let before = try decodeCabinet(beforeNode, path: "cabinets.before", name: "before", allowEquipment: true)
    var beforeReader = try MappingReader(beforeNode, path: "cabinets.before", ctx: ctx)
    let roomEquipment = try decodeEquipment(&beforeReader, path: "cabinets.before")
    let after = try decodeCabinet(cabinetsReader.requiredNode("after"), path: "cabinets.after", name: "after")
    try cabinetsReader.finish()

    let hostModels = try decodeHostModels(top.requiredNode("host_models"))
    let pools = try decodePools(
      top.requiredNode("pools"), hostModels: hostModels, defaultScheduler: (scheduler, schedulerParameters))
    let bureaus = try decodeBureaus(top.requiredNode("bureaus"))
    for (i, p) in pools.enumerated() {
      if let owner = p.pool.dedicatedTo, !bureaus.contains(where: { $0.name == owner }) {
        throw ctx.error(
          top.node("pools")?[i]?["dedicated_to"], "pools[\(i)].dedicated_to", "unknown bureau `\(owner)`",
          hint: didYouMean(owner, among: bureaus.map(\.name)).map { "did you mean `\($0)`?" })
      }
    }
    var demandScale = 1.0
    if let w = top.node("workload") {
      var r = try MappingReader(w, path: "workload", ctx: ctx)
      demandScale = try r.double("demand_scale", in: 0...1e6) ?? 1
      try r.finish()
    }
    let systemsNode = try top.requiredNode("systems")
    let systems = try decodeSystems(
      systemsNode, hostModels: hostModels, pools: pools, bureaus: bureaus)
    try checkTraceMaps(pools, systems: systems, poolsNode: top.node("pools"))
    let waves = try decodeWaves(
      top.node("waves"), systems: systems, systemsNode: systemsNode, bureaus: bureaus)
    try top.finish()

    for s in systems where s.movable && !waves.contains(where: { $0.systems.contains(s.system.name) }) {
      warnings.append(
        ScenarioError(
          file: ctx.file, field: "systems.\(s.system.name)",
          message:
            "system `\(s.system.name)` has a pool target but is in no wave; it stays on its dedicated servers"
        ))
    }
    return Scenario(
      name: name, description: description, file: ctx.file, seed: seed, horizonMilliseconds: horizon,
      sampleIntervalMilliseconds: interval, scheduler: scheduler, schedulerParameters: schedulerParameters,
      datacenter: datacenter,
      cabinetBefore: before, cabinetAfter: after, roomEquipment: roomEquipment, hostModels: hostModels,
      pools: pools, bureaus: bureaus,
      systems: systems, waves: waves, demandScale: demandScale, warnings: warnings)
  }

  func schedulerName(_ r: inout MappingReader, _ key: String) throws(ScenarioError) -> String? {
    guard let name = try r.string(key) else { return nil }
    if !knownSchedulers.isEmpty && !knownSchedulers.contains(name) {
      throw ctx.error(
        r.node(key), r.fieldPath(key), "unknown scheduler `\(name)`",
        hint: didYouMean(name, among: knownSchedulers).map { "did you mean `\($0)`?" }
          ?? "`yunhe schedulers` lists: \(knownSchedulers.joined(separator: ", "))")
    }
    return name
  }

  /// A scheduler given as a name, or as a mapping `{name, weights, filters, order}`.
  func schedulerChoice(_ r: inout MappingReader, _ key: String) throws(ScenarioError)
    -> (String, SchedulerParameters)?
  {
    guard let node = r.node(key) else { return nil }
    guard case .mapping = node else {
      guard let name = try schedulerName(&r, key) else { return nil }
      return (name, SchedulerParameters())
    }
    let path = r.fieldPath(key)
    var sr = try MappingReader(node, path: path, ctx: ctx)
    _ = try sr.requiredNode("name")
    let name = try schedulerName(&sr, "name")!
    var parameters = SchedulerParameters()
    parameters.location = ctx.error(node, nil, "").location
    parameters.field = path
    if let weights = sr.node("weights") {
      guard case .mapping(let m) = weights else {
        throw ctx.error(
          weights, "\(path).weights",
          "expected a mapping of weigher names to numbers, got \(ctx.kind(of: weights))",
          hint: "e.g. {pack: 1, fewest_cabinets: 0.5}")
      }
      var wr = try MappingReader(weights, path: "\(path).weights", ctx: ctx)
      for (k, _) in m {
        let weigher = k.string ?? ""
        guard SchedulerParameters.weigherNames.contains(weigher) else {
          throw ctx.error(
            k, "\(path).weights.\(weigher)", "unknown weigher `\(weigher)`",
            hint: didYouMean(weigher, among: SchedulerParameters.weigherNames).map { "did you mean `\($0)`?" }
              ?? "weighers: \(SchedulerParameters.weigherNames.joined(separator: ", "))")
        }
        let value = try wr.double(weigher, in: -1000...1000)!
        parameters.weights.append(SchedulerWeight(name: weigher, value: value))
      }
      try wr.finish()
    }
    if let filters = try sr.stringList("filters") {
      var names: [String] = []
      for (i, (filter, fn)) in filters.enumerated() {
        guard SchedulerParameters.filterNames.contains(filter) else {
          throw ctx.error(
            fn, "\(path).filters[\(i)]", "unknown filter `\(filter)`",
            hint: didYouMean(filter, among: SchedulerParameters.filterNames).map { "did you mean `\($0)`?" }
              ?? "filters: \(SchedulerParameters.filterNames.joined(separator: ", "))")
        }
        if names.contains(filter) {
          throw ctx.error(fn, "\(path).filters[\(i)]", "filter `\(filter)` is listed twice")
        }
        names.append(filter)
      }
      parameters.filters = names
    }
    if let order = sr.node("order") {
      let word = order.string ?? ""
      guard case .scalar = order, SchedulerParameters.orders.contains(word) else {
        throw ctx.error(
          order, "\(path).order",
          "unknown value \(ctx.kind(of: order)); expected one of \(SchedulerParameters.orders.joined(separator: ", "))",
          hint: didYouMean(word, among: SchedulerParameters.orders).map { "did you mean `\($0)`?" })
      }
      parameters.order = word
    }
    try sr.finish()
    return (name, parameters)
  }

  func decodeDatacenter(_ node: Node) throws(ScenarioError) -> Datacenter {
    var r = try MappingReader(node, path: "datacenter", ctx: ctx)
    let pue = try r.requiredDouble("pue", in: 1...5)
    let tariff = try r.requiredDouble("tariff_cny_per_kwh", in: 0...100)
    try r.finish()
    return Datacenter(pue: pue, tariffCNYPerKWh: tariff)
  }

  func decodeCabinet(_ node: Node, path: String, name: String, allowEquipment: Bool = false)
    throws(ScenarioError)
    -> CabinetModel
  {
    var r = try MappingReader(node, path: path, ctx: ctx)
    if allowEquipment { _ = r.node("equipment") }
    let units = try r.requiredInt("rack_units", in: 1...100)
    let reserved = try r.int("reserved_rack_units", in: 0...100) ?? 0
    if reserved >= units {
      throw ctx.error(
        r.node("reserved_rack_units"), "\(path).reserved_rack_units",
        "leaves no room for servers (\(reserved) of \(units) U reserved)")
    }
    let budget = try r.requiredDouble("power_budget_kw", in: 0.1...1000)
    let rent = try r.requiredDouble("monthly_rent_cny", in: 0...1e9)
    try r.finish()
    return CabinetModel(
      name: name, rackUnits: units, reservedRackUnits: reserved, powerBudgetKW: budget, monthlyRentCNY: rent)
  }

  /// An optional `equipment` list: storage, network and security units with their power and price.
  func decodeEquipment(_ r: inout MappingReader, path: String) throws(ScenarioError) -> [Equipment] {
    var equipment: [Equipment] = []
    for (j, e) in (try r.list("equipment") ?? []).enumerated() {
      var er = try MappingReader(e, path: "\(path).equipment[\(j)]", ctx: ctx)
      equipment.append(
        Equipment(
          name: try er.requiredString("name"), rackUnits: try er.requiredInt("rack_units", in: 0...50),
          watts: try er.requiredDouble("watts", in: 0...1e6), count: try er.int("count", in: 1...10_000) ?? 1,
          priceCNY: try er.requiredDouble("price_cny", in: 0...1e9),
          amortisationMonths: try er.requiredInt("amortisation_months", in: 1...600)))
      try er.finish()
    }
    return equipment
  }

  func decodeHostModels(_ node: Node) throws(ScenarioError) -> [HostModel] {
    guard case .sequence(let seq) = node, !seq.isEmpty else {
      throw ctx.error(node, "host_models", "expected a non-empty list of host models")
    }
    var models: [HostModel] = []
    for (i, item) in seq.enumerated() {
      let path = "host_models[\(i)]"
      var r = try MappingReader(item, path: path, ctx: ctx)
      let name = try r.requiredString("name")
      if models.contains(where: { $0.name == name }) {
        throw ctx.error(r.node("name"), "\(path).name", "duplicate host model name `\(name)`")
      }
      let cores = try r.requiredInt("cores", in: 1...4096)
      let speed = try r.double("relative_speed", in: 0.01...100) ?? 1
      let memory = try r.requiredDouble("memory_gib", in: 0.001...1e7)
      let storage = try r.double("storage_gib", in: 0...1e9) ?? 0
      let units = try r.requiredInt("rack_units", in: 1...50)
      let powerNode = try r.requiredNode("power")
      let power = try decodePower(powerNode, path: "\(path).power")
      var nameplate: Double?
      if case .mapping = powerNode {
        var pr = try MappingReader(powerNode, path: "\(path).power", ctx: ctx)
        nameplate = try pr.double("nameplate_w", in: 1...1e6)
        if let n = nameplate, n < power.maxWatts {
          throw ctx.error(
            pr.node("nameplate_w"), "\(path).power.nameplate_w",
            "nameplate power (\(n) W) is below the curve's maximum (\(power.maxWatts) W)")
        }
      }
      let price = try r.requiredDouble("price_cny", in: 0...1e9)
      let months = try r.requiredInt("amortisation_months", in: 1...600)
      try r.finish()
      models.append(
        HostModel(
          name: name, cores: cores, relativeSpeed: speed, memoryGiB: memory, storageGiB: storage,
          rackUnits: units, power: power, priceCNY: price, amortisationMonths: months,
          nameplateWatts: nameplate))
    }
    return models
  }

  func decodePower(_ node: Node, path: String) throws(ScenarioError) -> PowerCurve {
    var r = try MappingReader(node, path: path, ctx: ctx)
    _ = r.node("nameplate_w")  // read by the host model decoder
    let curve: PowerCurve
    if let table = try r.list("table_w") {
      var points: [Double] = []
      for (i, p) in table.enumerated() {
        guard case .scalar(let s) = p, s.style == .plain, let x = Double(s.string), x.isFinite, x >= 0 else {
          throw ctx.error(p, "\(path).table_w[\(i)]", "expected a non-negative number of watts")
        }
        points.append(x)
      }
      curve = .table(points)
      if r.node("idle_w") != nil || r.node("max_w") != nil {
        throw ctx.error(node, path, "give either table_w or idle_w/max_w, not both")
      }
    } else {
      let idle = try r.requiredDouble("idle_w", in: 0...1e6)
      let max = try r.requiredDouble("max_w", in: 1...1e6)
      curve = .linear(idleWatts: idle, maxWatts: max)
    }
    try r.finish()
    if let problem = curve.problems.first { throw ctx.error(node, path, problem) }
    return curve
  }

  func hostModel(_ r: inout MappingReader, _ key: String, _ models: [HostModel]) throws(ScenarioError)
    -> HostModel
  {
    let name = try r.requiredString(key)
    guard let m = models.first(where: { $0.name == name }) else {
      throw ctx.error(
        r.node(key), r.fieldPath(key), "unknown host model `\(name)`",
        hint: didYouMean(name, among: models.map(\.name)).map { "did you mean `\($0)`?" }
          ?? "host_models defines: \(models.map(\.name).joined(separator: ", "))")
    }
    return m
  }

  func mlps(_ r: inout MappingReader, _ key: String, default value: Int) throws(ScenarioError) -> MLPSLevel {
    MLPSLevel(try r.int(key, in: 1...4) ?? value)!
  }

  func decodePools(
    _ node: Node, hostModels: [HostModel], defaultScheduler: (String, SchedulerParameters)
  ) throws(ScenarioError)
    -> [PoolSpec]
  {
    guard case .sequence(let seq) = node, !seq.isEmpty else {
      throw ctx.error(node, "pools", "expected a non-empty list of pools")
    }
    var pools: [PoolSpec] = []
    for (i, item) in seq.enumerated() {
      let path = "pools[\(i)]"
      var r = try MappingReader(item, path: path, ctx: ctx)
      let name = try r.requiredString("name")
      if pools.contains(where: { $0.pool.name == name }) {
        throw ctx.error(r.node("name"), "\(path).name", "duplicate pool name `\(name)`")
      }
      let zone = try r.string("zone") ?? "default"
      let model = try hostModel(&r, "host_model", hostModels)
      let cpuOver = try r.double("cpu_overcommit", in: 0.1...64) ?? 1
      let memOver = try r.double("memory_overcommit", in: 0.1...8) ?? 1
      let headroom = try r.double("headroom", in: 0...0.95) ?? 0
      let level = try mlps(&r, "mlps", default: 3)
      let owner = try r.string("dedicated_to")
      let maxHosts = try r.int("max_hosts", in: 1...10_000_000)
      let spare = try r.int("spare_hosts", in: 0...10_000) ?? 0
      let (scheduler, schedulerParameters) = try schedulerChoice(&r, "scheduler") ?? defaultScheduler
      let group = try r.string("cabinet_group") ?? (owner.map { "dedicated:\($0)" } ?? "shared")
      let equipment = try decodeEquipment(&r, path: path)
      let tags = try tagList(&r, "tags")
      let trace = try r.node("trace").map { (t) throws(ScenarioError) in
        try decodePoolTrace(t, path: "\(path).trace")
      }
      try r.finish()
      pools.append(
        PoolSpec(
          pool: Pool(
            name: name, zone: zone, hostModel: model, cpuOvercommit: cpuOver, memoryOvercommit: memOver,
            headroom: headroom, mlps: level, dedicatedTo: owner, maxHosts: maxHosts, spareHosts: spare,
            cabinetGroup: group),
          scheduler: scheduler, equipment: equipment, schedulerParameters: schedulerParameters, tags: tags,
          trace: trace))
    }
    return pools
  }

  /// An optional list of tags (words), sorted and without repeats.
  func tagList(_ r: inout MappingReader, _ key: String) throws(ScenarioError) -> [String] {
    guard let items = try r.stringList(key) else { return [] }
    for (i, (tag, tn)) in items.enumerated()
    where !tag.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) {
      throw ctx.error(
        tn, "\(r.fieldPath(key))[\(i)]", "tag `\(tag)` must contain only letters, digits, `-`, `_` and `.`")
    }
    return Array(Set(items.map(\.0))).sorted()
  }

  func decodeBureaus(_ node: Node) throws(ScenarioError) -> [Bureau] {
    guard case .sequence(let seq) = node, !seq.isEmpty else {
      throw ctx.error(node, "bureaus", "expected a non-empty list of bureaus")
    }
    var bureaus: [Bureau] = []
    for (i, item) in seq.enumerated() {
      let path = "bureaus[\(i)]"
      var r = try MappingReader(item, path: path, ctx: ctx)
      let name = try r.requiredString("name")
      if bureaus.contains(where: { $0.name == name }) {
        throw ctx.error(r.node("name"), "\(path).name", "duplicate bureau name `\(name)`")
      }
      _ = try r.requiredNode("class")
      let cls = try r.choice("class", BureauClass.self)!
      let anyway = try r.bool("consolidate") ?? false
      try r.finish()
      bureaus.append(Bureau(name: name, bureauClass: cls, consolidateAnyway: anyway))
    }
    return bureaus
  }

  func decodeSystems(_ node: Node, hostModels: [HostModel], pools: [PoolSpec], bureaus: [Bureau])
    throws(ScenarioError) -> [SystemSpec]
  {
    guard case .sequence(let seq) = node, !seq.isEmpty else {
      throw ctx.error(node, "systems", "expected a non-empty list of business systems")
    }
    var systems: [SystemSpec] = []
    var groups: [String: (policy: ServerGroupSpec.Policy, system: String)] = [:]
    for (i, item) in seq.enumerated() {
      let path = "systems[\(i)]"
      var r = try MappingReader(item, path: path, ctx: ctx)
      let name = try r.requiredString("name")
      if systems.contains(where: { $0.system.name == name }) {
        throw ctx.error(r.node("name"), "\(path).name", "duplicate system name `\(name)`")
      }
      let bureauName = try r.requiredString("bureau")
      guard let bureau = bureaus.first(where: { $0.name == bureauName }) else {
        throw ctx.error(
          r.node("bureau"), "\(path).bureau", "unknown bureau `\(bureauName)`",
          hint: didYouMean(bureauName, among: bureaus.map(\.name)).map { "did you mean `\($0)`?" })
      }
      _ = try r.requiredNode("kind")
      let kind = try r.choice("kind", BusinessKind.self)!
      let level = try mlps(&r, "mlps", default: 2)

      var dedicated: DedicatedFleet?
      if let b = r.node("before") {
        var br = try MappingReader(b, path: "\(path).before", ctx: ctx)
        let servers = try br.requiredInt("servers", in: 1...100_000)
        let model = try hostModel(&br, "model", hostModels)
        try br.finish()
        dedicated = DedicatedFleet(model: model, count: servers)
      }

      var poolName = ""
      var flavour = Flavour(name: "none", size: .zero)
      var count = VMCount.fixed(0)
      var movable = false
      var constraints = PlacementConstraints()
      if let a = r.node("after") {
        movable = true
        var ar = try MappingReader(a, path: "\(path).after", ctx: ctx)
        poolName = try ar.requiredString("pool")
        guard let pool = pools.first(where: { $0.pool.name == poolName }) else {
          throw ctx.error(
            ar.node("pool"), "\(path).after.pool", "unknown pool `\(poolName)`",
            hint: didYouMean(poolName, among: pools.map(\.pool.name)).map { "did you mean `\($0)`?" })
        }
        flavour = try decodeFlavour(&ar, path: "\(path).after")
        let allocatable = pool.pool.hostAllocatable
        if !flavour.size.fits(in: allocatable) {
          let g = { (x: Double) in String(format: "%g", x) }
          throw ctx.error(
            ar.node("flavour"), "\(path).after.flavour",
            "flavour \(flavour.name) (\(g(flavour.size.vcpu)) vCPU, \(g(flavour.size.memoryGiB)) GiB) is larger than "
              + "what one host of pool `\(poolName)` can allocate (\(g(allocatable.vcpu)) vCPU, "
              + "\(g(allocatable.memoryGiB)) GiB after overcommit and headroom)",
            hint: "choose a smaller flavour or a larger host model")
        }
        if level > pool.pool.mlps {
          throw ctx.error(
            r.node("mlps") ?? item, "\(path).mlps",
            "system needs MLPS level \(level.value) but pool `\(poolName)` is certified to level \(pool.pool.mlps.value)"
          )
        }
        if let owner = pool.pool.dedicatedTo, owner != bureauName {
          throw ctx.error(
            ar.node("pool"), "\(path).after.pool",
            "pool `\(poolName)` is a dedicated cloud (专享云) of bureau `\(owner)`; `\(bureauName)` may not use it"
          )
        }
        let target = try ar.double("target_utilisation", in: 0.05...1)
        let minimum = try ar.int("min_vms", in: 1...100_000)
        if let vms = ar.node("vms") {
          if case .scalar(let s) = vms, s.string == "auto" {
            count = .auto(targetUtilisation: target ?? 0.6, minimum: minimum ?? 1)
          } else {
            let n = try ar.int("vms", in: 1...1_000_000)!
            count = .fixed(n)
            if target != nil || minimum != nil {
              throw ctx.error(
                vms, "\(path).after.vms", "target_utilisation and min_vms apply only to `vms: auto`")
            }
          }
        } else {
          throw ctx.error(a, "\(path).after.vms", "missing required field `vms` (a number, or `auto`)")
        }
        constraints = try decodeConstraints(
          &ar, path: "\(path).after", system: name, pool: pool, groups: &groups)
        try ar.finish()
      }
      if dedicated == nil && !movable {
        throw ctx.error(
          item, path, "system `\(name)` has neither `before` (dedicated servers) nor `after` (a pool target)")
      }
      let load: LoadSource
      if let loadNode = r.node("load") {
        load = try decodeLoad(loadNode, path: "\(path).load", kind: kind)
      } else if movable, pools.first(where: { $0.pool.name == poolName })?.trace != nil {
        load = .poolTrace(pool: poolName)
      } else {
        load = try decodeLoad(r.requiredNode("load"), path: "\(path).load", kind: kind)
      }
      try r.finish()
      systems.append(
        SystemSpec(
          system: BusinessSystem(
            name: name, bureau: bureau.name, kind: kind, mlps: level, dedicated: dedicated, pool: poolName),
          flavour: flavour, vmCount: count, load: load, movable: movable, constraints: constraints))
    }
    return systems
  }

  /// The placement constraints of a system's `after` section: `anti_affinity` or `server_group`,
  /// `zone` and `tags`, checked against the pool. `groups` collects the server groups seen so far
  /// (name → policy and declaring system), so that systems sharing a group agree on its policy.
  func decodeConstraints(
    _ ar: inout MappingReader, path: String, system: String, pool: PoolSpec,
    groups: inout [String: (policy: ServerGroupSpec.Policy, system: String)]
  ) throws(ScenarioError) -> PlacementConstraints {
    var constraints = PlacementConstraints()
    let anti = try ar.bool("anti_affinity")
    if let g = ar.node("server_group") {
      if anti != nil {
        throw ctx.error(
          ar.node("anti_affinity"), "\(path).anti_affinity",
          "give either `anti_affinity` or `server_group`, not both",
          hint: "`anti_affinity: true` is `server_group: {name: system:\(system), policy: anti-affinity}`")
      }
      guard case .mapping = g else {
        throw ctx.error(
          g, "\(path).server_group", "expected a mapping {name, policy}, got \(ctx.kind(of: g))",
          hint: "e.g. {name: trading-db, policy: anti-affinity}")
      }
      var gr = try MappingReader(g, path: "\(path).server_group", ctx: ctx)
      let name = try gr.requiredString("name")
      _ = try gr.requiredNode("policy")
      let policy = try gr.choice("policy", ServerGroupSpec.Policy.self)!
      if let earlier = groups[name], earlier.policy != policy {
        throw ctx.error(
          gr.node("policy"), "\(path).server_group.policy",
          "server group `\(name)` is \(earlier.policy.rawValue) in system `\(earlier.system)` but \(policy.rawValue) here",
          hint: "systems sharing a server group must give it the same policy")
      }
      try gr.finish()
      groups[name] = groups[name] ?? (policy, system)
      constraints.serverGroup = ServerGroupSpec(name: name, policy: policy)
    } else if anti == true {
      constraints.serverGroup = ServerGroupSpec(name: "system:\(system)", policy: .antiAffinity)
    }
    if let zone = try ar.string("zone") {
      if zone != pool.pool.zone {
        throw ctx.error(
          ar.node("zone"), "\(path).zone",
          "system must stay in zone `\(zone)` but pool `\(pool.pool.name)` is in zone `\(pool.pool.zone)`",
          hint: "moving to the cloud must not change a system's security zone; choose a pool of that zone")
      }
      constraints.zone = zone
    }
    constraints.tags = try tagList(&ar, "tags")
    let missing = constraints.tags.filter { !pool.tags.contains($0) }
    if !missing.isEmpty {
      throw ctx.error(
        ar.node("tags"), "\(path).tags",
        "pool `\(pool.pool.name)` lacks the tag\(missing.count == 1 ? "" : "s") \(missing.map { "`\($0)`" }.joined(separator: ", "))",
        hint: pool.tags.isEmpty
          ? "the pool has no `tags`" : "the pool's tags: \(pool.tags.joined(separator: ", "))")
    }
    return constraints
  }

  func decodeFlavour(_ r: inout MappingReader, path: String) throws(ScenarioError) -> Flavour {
    let node = try r.requiredNode("flavour")
    if case .scalar(let s) = node {
      guard let f = Flavour(conventionalName: s.string) else {
        throw ctx.error(
          node, "\(path).flavour", "`\(s.string)` is not a flavour name of the form <vCPU>C<GiB>G",
          hint: "e.g. 4C8G, or give a mapping {vcpu: 4, memory_gib: 8, storage_gib: 100}")
      }
      return f
    }
    var fr = try MappingReader(node, path: "\(path).flavour", ctx: ctx)
    let vcpu = try fr.requiredDouble("vcpu", in: 0.01...4096)
    let mem = try fr.requiredDouble("memory_gib", in: 0.01...1e7)
    let disk = try fr.double("storage_gib", in: 0...1e9) ?? 0
    let name = try fr.string("name") ?? "\(Int(vcpu))C\(Int(mem))G"
    try fr.finish()
    return Flavour(name: name, size: ResourceVector(vcpu: vcpu, memoryGiB: mem, storageGiB: disk))
  }

  func decodeLoad(_ node: Node, path: String, kind: BusinessKind) throws(ScenarioError) -> LoadSource {
    var r = try MappingReader(node, path: path, ctx: ctx)
    if let traceNode = r.node("trace"), case .mapping = traceNode {
      var tr = try MappingReader(traceNode, path: "\(path).trace", ctx: ctx)
      let entity = try tr.requiredString("entity")
      let reference = try decodeTraceReference(&tr, node: traceNode, path: "\(path).trace")
      try tr.finish()
      try r.finish()
      return .importedTrace(reference, entity: entity)
    }
    if let tracePath = try r.string("trace") {
      let entity = try r.requiredString("entity")
      let resolved = resolve(tracePath)
      var isDir: ObjCBool = false
      if !FileManager.default.fileExists(atPath: resolved, isDirectory: &isDir) || isDir.boolValue {
        throw ctx.error(
          r.node("trace"), "\(path).trace", "trace file `\(resolved)` does not exist",
          hint: "paths are relative to the scenario file's folder")
      }
      try r.finish()
      return .trace(path: resolved, entity: entity)
    }
    let peak = try r.requiredDouble("peak_cores", in: 0...1e7)
    let memory = try r.requiredDouble("memory_gib", in: 0...1e8)
    var load = SyntheticLoad.defaults(for: kind, peakCores: peak, memoryGiB: memory)
    if let x = try r.double("base_fraction", in: 0...1) { load.baseFraction = x }
    if let x = try r.double("memory_base_fraction", in: 0...1) { load.memoryBaseFraction = x }
    if let x = try r.double("noise_cv", in: 0...5) { load.noiseCV = x }
    if let x = try r.double("month_end_factor", in: 0...100) { load.monthEndFactor = x }
    if let x = try r.double("spike_rate_per_day", in: 0...1000) { load.spikeRatePerDay = x }
    if let x = try r.double("spike_factor", in: 0...100) { load.spikeFactor = x }
    try r.finish()
    if let problem = load.validate().first { throw ctx.error(node, path, problem) }
    return .synthetic(load)
  }

  /// A pool's trace: `{format, path, map: sample | {system: entity, …}, seed, vm_size, cpu_factor, start}`.
  func decodePoolTrace(_ node: Node, path: String) throws(ScenarioError) -> TraceMapping {
    var r = try MappingReader(node, path: path, ctx: ctx)
    let reference = try decodeTraceReference(&r, node: node, path: path)
    let seed = try r.int("seed", in: 0...Int.max).map { UInt64($0) }
    let mapNode = try r.requiredNode("map")
    let map: TraceMapping.Map
    switch mapNode {
    case .scalar(let scalar) where scalar.string == "sample":
      map = .sample(seed: seed)
    case .mapping(let pairs):
      if seed != nil {
        throw ctx.error(r.node("seed"), "\(path).seed", "`seed` applies only to `map: sample`")
      }
      var explicit: [String: String] = [:]
      for (key, value) in pairs {
        guard case .scalar(let k) = key, case .scalar(let v) = value, !k.string.isEmpty, !v.string.isEmpty
        else {
          throw ctx.error(
            key, "\(path).map", "expected `system: entity` pairs of names",
            hint: "e.g. map: {oa: \"12\", portal: \"7\"}")
        }
        explicit[k.string] = v.string
      }
      map = .explicit(explicit)
    default:
      throw ctx.error(
        mapNode, "\(path).map", "expected `sample` or a mapping of system names to trace entities",
        hint: "e.g. map: sample, or map: {oa: \"12\", portal: \"7\"}")
    }
    try r.finish()
    return TraceMapping(trace: reference, map: map)
  }

  /// The common fields of a trace reference: `format`, `path`, `vm_size`, `cpu_factor`, `start`.
  func decodeTraceReference(_ r: inout MappingReader, node: Node, path: String) throws(ScenarioError)
    -> TraceReference
  {
    let formats = TraceFormat.allCases.map(\.rawValue) + ["yt"]
    let format = try r.requiredString("format")
    guard formats.contains(format) else {
      throw ctx.error(
        r.node("format"), "\(path).format", "unknown trace format `\(format)`",
        hint: didYouMean(format, among: formats).map { "did you mean `\($0)`?" }
          ?? "formats: \(formats.joined(separator: ", "))")
    }
    let resolved = resolve(try r.requiredString("path"))
    if !FileManager.default.fileExists(atPath: resolved) {
      throw ctx.error(
        r.node("path"), "\(path).path", "trace `\(resolved)` does not exist",
        hint: "paths are relative to the scenario file's folder")
    }
    var size: ResourceVector? = nil
    if let sizeNode = r.node("vm_size") {
      switch sizeNode {
      case .scalar(let scalar):
        guard let f = Flavour(conventionalName: scalar.string) else {
          throw ctx.error(
            sizeNode, "\(path).vm_size", "`\(scalar.string)` is not a size of the form <vCPU>C<GiB>G",
            hint: "e.g. 4C8G, or a mapping {vcpu: 4, memory_gib: 8}")
        }
        size = f.size
      default:
        var sr = try MappingReader(sizeNode, path: "\(path).vm_size", ctx: ctx)
        let vcpu = try sr.requiredDouble("vcpu", in: 0.01...4096)
        let memory = try sr.requiredDouble("memory_gib", in: 0...1e7)
        try sr.finish()
        size = ResourceVector(vcpu: vcpu, memoryGiB: memory, storageGiB: 0)
      }
    }
    let factor = try r.double("cpu_factor", in: 0.001...1000) ?? 1
    let start = try r.duration("start") ?? 0
    return TraceReference(
      format: format, path: resolved, vmSize: size, cpuFactor: factor, startMilliseconds: start)
  }

  /// Checks each pool's explicit trace map against its systems: every key a system of the pool
  /// without its own `load`, every such system mapped.
  func checkTraceMaps(_ pools: [PoolSpec], systems: [SystemSpec], poolsNode: Node?) throws(ScenarioError) {
    for (i, p) in pools.enumerated() {
      guard let mapping = p.trace, case .explicit(let map) = mapping.map else { continue }
      let path = "pools[\(i)].trace.map"
      let mapNode = poolsNode?[i]?["trace"]?["map"]
      let mapped = systems.filter { s in
        if case .poolTrace(let pool) = s.load { return pool == p.pool.name }
        return false
      }.map(\.system.name)
      for name in map.keys.sorted() where !mapped.contains(name) {
        let hint: String
        if systems.contains(where: { $0.system.name == name }) {
          hint = "`\(name)` has its own `load` or moves to another pool"
        } else {
          hint =
            didYouMean(name, among: mapped).map { "did you mean `\($0)`?" }
            ?? "systems of this pool without `load`: \(mapped.joined(separator: ", "))"
        }
        throw ctx.error(
          mapNode?[name] ?? mapNode ?? poolsNode, "\(path).\(name)",
          "`\(name)` is not a system replaying this pool's trace", hint: hint)
      }
      for name in mapped where map[name] == nil {
        throw ctx.error(
          mapNode ?? poolsNode, path, "system `\(name)` has no `load` and no entry in the pool's trace map",
          hint: "add `\(name): <entity>` to the map, or give the system a `load`")
      }
    }
  }

  func resolve(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    let dir = (ctx.file as NSString).deletingLastPathComponent
    return dir.isEmpty ? path : (dir as NSString).appendingPathComponent(path)
  }

  func decodeWaves(_ node: Node?, systems: [SystemSpec], systemsNode: Node, bureaus: [Bureau])
    throws(ScenarioError) -> [Wave]
  {
    guard let node else { return [] }
    guard case .sequence(let seq) = node else {
      throw ctx.error(node, "waves", "expected a list of waves")
    }
    var waves: [Wave] = []
    var nodes: [Node] = []
    var moved: [String: String] = [:]
    for (i, item) in seq.enumerated() {
      let path = "waves[\(i)]"
      var r = try MappingReader(item, path: path, ctx: ctx)
      let name = try r.requiredString("name")
      if waves.contains(where: { $0.name == name }) {
        throw ctx.error(r.node("name"), "\(path).name", "duplicate wave name `\(name)`")
      }
      let start = try r.duration("start") ?? 0
      let names = try r.stringList("systems") ?? []
      if names.isEmpty {
        throw ctx.error(item, "\(path).systems", "wave `\(name)` moves no system; list at least one")
      }
      for (j, (systemName, sn)) in names.enumerated() {
        let field = "\(path).systems[\(j)]"
        guard let spec = systems.first(where: { $0.system.name == systemName }) else {
          throw ctx.error(
            sn, field, "unknown system `\(systemName)`",
            hint: didYouMean(systemName, among: systems.map(\.system.name)).map { "did you mean `\($0)`?" })
        }
        if let other = moved[systemName] {
          throw ctx.error(sn, field, "system `\(systemName)` already moves in wave `\(other)`")
        }
        if !spec.movable {
          throw ctx.error(
            sn, field, "system `\(systemName)` has no `after` section, so it has no pool to move to")
        }
        let bureau = bureaus.first { $0.name == spec.system.bureau }!
        if !bureau.mayConsolidate {
          throw ctx.error(
            sn, field,
            "system `\(systemName)` belongs to large-class bureau `\(bureau.name)`; large bureaus are not "
              + "physically consolidated, only their data is shared",
            hint: "set `consolidate: true` on the bureau to override")
        }
        moved[systemName] = name
      }
      let deps = try r.stringList("depends_on") ?? []
      try r.finish()
      waves.append(
        Wave(name: name, startMilliseconds: start, systems: names.map(\.0), dependsOn: deps.map(\.0)))
      nodes.append(item)
    }
    // Dependencies: known names, no cycles, and a wave starts no earlier than what it depends on.
    for (i, w) in waves.enumerated() {
      for d in w.dependsOn {
        guard let dep = waves.first(where: { $0.name == d }) else {
          throw ctx.error(
            nodes[i]["depends_on"] ?? nodes[i], "waves[\(i)].depends_on", "unknown wave `\(d)`",
            hint: didYouMean(d, among: waves.map(\.name)).map { "did you mean `\($0)`?" })
        }
        if dep.startMilliseconds > w.startMilliseconds {
          throw ctx.error(
            nodes[i]["start"] ?? nodes[i], "waves[\(i)].start",
            "wave `\(w.name)` starts before wave `\(d)` it depends on")
        }
      }
    }
    if let cycle = findCycle(waves) {
      let i = waves.firstIndex { $0.name == cycle[0] }!
      throw ctx.error(
        nodes[i]["depends_on"] ?? nodes[i], "waves[\(i)].depends_on",
        "waves depend on each other in a cycle: \(cycle.joined(separator: " → "))")
    }
    for s in systems where s.movable && s.system.dedicated == nil && moved[s.system.name] == nil {
      let item = systemsNode.sequence?.first { $0["name"]?.string == s.system.name }
      throw ctx.error(
        item ?? systemsNode, "systems.\(s.system.name)",
        "new system `\(s.system.name)` has no dedicated servers and is in no wave, so it would never run",
        hint: "add it to a wave")
    }
    // Execution order: by start time, then file order (stable).
    let order = waves.indices.sorted { (waves[$0].startMilliseconds, $0) < (waves[$1].startMilliseconds, $1) }
    return order.map { waves[$0] }
  }

  /// A dependency cycle as a list of wave names (first repeated at the end), or nil.
  func findCycle(_ waves: [Wave]) -> [String]? {
    var state = [String: Int]()  // 1 visiting, 2 done
    var stack: [String] = []
    func visit(_ name: String) -> [String]? {
      if state[name] == 2 { return nil }
      if state[name] == 1 {
        let from = stack.firstIndex(of: name)!
        return Array(stack[from...]) + [name]
      }
      state[name] = 1
      stack.append(name)
      for d in waves.first(where: { $0.name == name })?.dependsOn ?? [] {
        if let c = visit(d) { return c }
      }
      stack.removeLast()
      state[name] = 2
      return nil
    }
    for w in waves {
      if let c = visit(w.name) { return c }
    }
    return nil
  }
}
