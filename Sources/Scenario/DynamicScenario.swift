import DynamicConsolidation
import Foundation
import Yams

/// A dynamic-consolidation scenario (`scenarios/planetlab/*.yaml`): one policy on one PlanetLab
/// trace folder, read and validated by `DynamicScenarioLoader`.
///
/// ```yaml
/// name: ThrMmt                 # optional, defaults to the file name
/// description: …               # optional
/// traces: ../../../shared/data/traces/planetlab/20110303   # required, relative to this file
/// policy: ThrMmt               # required: an example name or <detection>[:<parameter>]-<selection>
/// hosts: 800                   # at least 1 (default 800)
/// vms: 100                     # optional: the first n traces only
/// hours: 24                    # simulated hours, > 0 (default 24)
/// compat: cloudsim-3.0.3       # or `none` / `default`: the fixed default mode (default: cloudsim-3.0.3)
/// seed: 1                      # run seed, ≥ 0 (default 1)
/// ```
public struct DynamicScenario: Sendable, Equatable {
  /// Path of the scenario file as given.
  public var file: String
  /// Scenario name.
  public var name: String
  /// Free text.
  public var description: String?
  /// The trace folder, absolute and standardised.
  public var traces: String
  /// The consolidation policy.
  public var policy: DynamicPolicy
  /// Number of hosts (alternating G4/G5).
  public var hosts: Int
  /// Only the first `vms` traces, when set.
  public var vms: Int?
  /// Simulated hours.
  public var hours: Double
  /// `true`: CloudSim 3.0.3 with its quirks; `false`: the fixed default mode.
  public var compat: Bool
  /// Run seed.
  public var seed: UInt64

  /// Creates a scenario.
  public init(
    file: String, name: String, description: String? = nil, traces: String, policy: DynamicPolicy,
    hosts: Int = 800, vms: Int? = nil, hours: Double = 24, compat: Bool = true, seed: UInt64 = 1
  ) {
    self.file = file
    self.name = name
    self.description = description
    self.traces = traces
    self.policy = policy
    self.hosts = hosts
    self.vms = vms
    self.hours = hours
    self.compat = compat
    self.seed = seed
  }

  /// CloudSim's PlanetLab datacenter for `vmCount` VMs with this scenario's hosts, duration, mode
  /// and seed.
  public func configuration(vmCount: Int) -> DynamicConfiguration {
    var config = DynamicConfiguration.cloudSimPlanetLab(vms: vmCount, hosts: hosts)
    config.limitSeconds = hours * 3600
    config.compat = compat
    config.seed = seed
    return config
  }
}

/// The model mode a dynamic scenario asks for.
enum DynamicCompatMode: String, CaseIterable {
  case cloudSim303 = "cloudsim-3.0.3"
  case none
  case `default`
}

/// Reads and validates dynamic-consolidation scenarios through Yams, with the same conventions
/// as `ScenarioLoader`: errors name file:line:column and the field, unknown fields are refused
/// with a did-you-mean, numbers must be finite and in range, and required fields are named when
/// missing.
public struct DynamicScenarioLoader: Sendable {
  /// Largest scenario file accepted, in bytes.
  public var maximumFileSize = 1 << 20
  /// Whether the trace folder must exist (off to validate a scenario without its data).
  public var checkTraces = true

  /// The fields of a dynamic scenario.
  static let fields = ["name", "description", "traces", "policy", "hosts", "vms", "hours", "compat", "seed"]

  /// Creates a loader.
  public init(checkTraces: Bool = true) {
    self.checkTraces = checkTraces
  }

  /// Loads a scenario file.
  public func load(path: String) throws(ScenarioError) -> DynamicScenario {
    let data: Data
    do {
      let attributes = try FileManager.default.attributesOfItem(atPath: path)
      if (attributes[.type] as? FileAttributeType) == .typeDirectory {
        throw ScenarioError(file: path, message: "is a directory, not a scenario file")
      }
      if let size = attributes[.size] as? Int, size > maximumFileSize {
        throw ScenarioError(
          file: path, message: "file is \(size) bytes; scenario files are limited to \(maximumFileSize) bytes"
        )
      }
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch let e as ScenarioError {
      throw e
    } catch {
      throw ScenarioError(file: path, message: "cannot read the scenario file: \(error.localizedDescription)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ScenarioError(file: path, message: "the file is not UTF-8 text")
    }
    return try parse(text, file: path)
  }

  /// Parses scenario text; `file` is used in messages and to resolve the relative trace path.
  public func parse(_ text: String, file: String) throws(ScenarioError) -> DynamicScenario {
    if text.utf8.contains(0) {
      throw ScenarioError(file: file, message: "the file contains NUL bytes; it is not a YAML text file")
    }
    if let (line, column) = complexKeyPosition(in: text) {
      throw ScenarioError(
        file: file, line: line, column: column,
        message: "mapping keys must be plain words, not aliases, lists, mappings or `?` keys")
    }
    let root: Node
    do {
      guard let node = try Yams.compose(yaml: text) else {
        throw ScenarioError(file: file, line: 1, column: 1, message: "the scenario file is empty")
      }
      root = node
    } catch let e as ScenarioError {
      throw e
    } catch let e as YamlError {
      throw ScenarioLoader.translate(e, file: file)
    } catch {
      throw ScenarioError(file: file, message: "YAML error: \(error)")
    }
    return try decode(root, file: file)
  }

  private func decode(_ root: Node, file: String) throws(ScenarioError) -> DynamicScenario {
    let ctx = YAMLContext(file: file)
    var top = try MappingReader(root, path: "", ctx: ctx)
    // Unknown fields first, so that a misspelt required field is reported where it is rather
    // than as a missing one.
    if case .mapping(let m) = root {
      for key in m.keys {
        guard case .scalar(let k) = key, !Self.fields.contains(k.string) else { continue }
        throw ctx.error(
          key, k.string, "unknown field `\(k.string)`",
          hint: didYouMean(k.string, among: Self.fields).map { "did you mean `\($0)`?" }
            ?? "known fields: \(Self.fields.joined(separator: ", "))")
      }
    }
    let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
    let name = try top.string("name") ?? stem
    let description = try top.string("description")

    let tracesText = try top.requiredString("traces")
    let base = URL(fileURLWithPath: file).deletingLastPathComponent()
    let traces =
      tracesText.hasPrefix("/")
      ? URL(fileURLWithPath: tracesText).standardizedFileURL.path
      : base.appendingPathComponent(tracesText).standardizedFileURL.path
    if checkTraces {
      var isDirectory: ObjCBool = false
      if !FileManager.default.fileExists(atPath: traces, isDirectory: &isDirectory) || !isDirectory.boolValue
      {
        throw ctx.error(
          top.node("traces"), "traces", "no trace folder at \(traces)",
          hint: "a relative path is taken from the scenario file's folder")
      }
    }

    let policyText = try top.requiredString("policy")
    guard let policy = DynamicPolicy.named(policyText) else {
      let examples = DynamicPolicy.cloudSimExamples.map(\.name)
      throw ctx.error(
        top.node("policy"), "policy",
        "unknown policy `\(policyText)`; expected one of \(examples.joined(separator: ", ")) or "
          + "<detection>[:<parameter>]-<selection> such as thr:0.9-mu (detection thr, iqr, mad, lr, lrr; "
          + "selection mmt, mc, mu, rs; parameter a finite number ≥ 0)",
        hint: didYouMean(policyText, among: examples).map { "did you mean `\($0)`?" })
    }

    let hosts = try top.int("hosts", in: 1...10_000_000) ?? 800
    let vms = try top.int("vms", in: 1...100_000_000)
    let hours =
      try top.double("hours", in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) ?? 24
    if !(hours > 0 && hours <= 1_000_000) {
      let text = top.node("hours")?.scalar?.string ?? "\(hours)"
      throw ctx.error(
        top.node("hours"), "hours",
        "must be greater than 0 and at most 1000000 (simulated hours), got \(text)")
    }
    let mode = try top.choice("compat", DynamicCompatMode.self) ?? .cloudSim303
    let seed = UInt64(try top.int("seed", in: 0...Int.max) ?? 1)
    try top.finish()
    return DynamicScenario(
      file: file, name: name, description: description, traces: traces, policy: policy, hosts: hosts,
      vms: vms,
      hours: hours, compat: mode == .cloudSim303, seed: seed)
  }
}
