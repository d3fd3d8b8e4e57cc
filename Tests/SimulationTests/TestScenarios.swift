import Foundation
import Scenario

/// Builds scenario YAML for tests.
enum TestScenarios {
  static let knownSchedulers = ["first-fit", "best-fit", "worst-fit", "first-fit-decreasing"]

  /// Root of the repository (three levels above this file).
  static var repositoryRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
  }

  static func load(_ relativePath: String, overrides: [String] = []) throws -> Scenario {
    try ScenarioLoader(knownSchedulers: knownSchedulers).load(
      path: repositoryRoot.appendingPathComponent(relativePath).path, overrides: overrides)
  }

  struct SystemParameters {
    var peakCores: Double
    var memoryGiB: Double
    var vcpu: Int
    var flavourMemory: Int
    var vms: Int?  // nil: auto
    var servers: Int
  }

  /// A one-pool scenario with the given systems, all moving in one wave.
  static func yaml(
    systems: [SystemParameters], overcommit: Double = 2, headroom: Double = 0.1, hostCores: Int = 16,
    hostMemory: Int = 128, horizon: String = "1d", interval: String = "15m", scheduler: String = "first-fit",
    maxHosts: Int? = nil
  ) -> String {
    var y = """
      name: generated
      seed: 5
      horizon: \(horizon)
      sample_interval: \(interval)
      scheduler: \(scheduler)
      datacenter: {pue: 1.5, tariff_cny_per_kwh: 1}
      cabinets:
        before: {rack_units: 42, reserved_rack_units: 2, power_budget_kw: 3, monthly_rent_cny: 1000}
        after: {rack_units: 42, reserved_rack_units: 2, power_budget_kw: 6, monthly_rent_cny: 2000}
      host_models:
        - {name: old, cores: 8, memory_gib: 32, rack_units: 2, power: {idle_w: 150, max_w: 300}, price_cny: 20000, amortisation_months: 60}
        - {name: new, cores: \(hostCores), relative_speed: 1.0, memory_gib: \(hostMemory), rack_units: 2, power: {idle_w: 120, max_w: 400}, price_cny: 60000, amortisation_months: 60}
      pools:
        - {name: pool, host_model: new, cpu_overcommit: \(overcommit), headroom: \(headroom)\(maxHosts.map { ", max_hosts: \($0)" } ?? "")}
      bureaus:
        - {name: b, class: small}
      systems:

      """
    for (i, s) in systems.enumerated() {
      let vms = s.vms.map(String.init) ?? "auto"
      y += """
          - name: s\(i)
            bureau: b
            kind: \(["shared", "internet", "dedicated"][i % 3])
            before: {servers: \(s.servers), model: old}
            after: {pool: pool, flavour: \(s.vcpu)C\(s.flavourMemory)G, vms: \(vms)}
            load: {peak_cores: \(s.peakCores), memory_gib: \(s.memoryGiB)}

        """
    }
    y +=
      "waves:\n  - name: w1\n    start: 2h\n    systems: [\((0..<systems.count).map { "s\($0)" }.joined(separator: ", "))]\n"
    return y
  }

  static func parse(_ text: String) throws -> Scenario {
    try ScenarioLoader(knownSchedulers: knownSchedulers).parse(text, file: "generated.yaml")
  }
}
