import DynamicConsolidation
import Foundation
import Yams

/// A dynamic-consolidation scenario (`scenarios/planetlab/*.yaml`): one policy on PlanetLab
/// trace folders or a synthetic workload, read and validated by `DynamicScenarioLoader`.
///
/// ```yaml
/// name: ThrMmt                 # optional, defaults to the file name
/// description: …               # optional
/// traces: ../../../shared/data/traces/planetlab/20110303   # a folder, relative to this file,
///                              # or a list of folders (VMs in list order); or instead:
/// synthetic: {vms: 100000, days: 7, seed: 1}   # a seeded PlanetLab-like workload
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
  /// The trace folders, absolute and standardised, in VM order (empty for a synthetic workload).
  public var traceFolders: [String]
  /// The synthetic workload, when the scenario has one instead of trace folders.
  public var synthetic: SyntheticWorkload?
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

  /// The first trace folder ("" for a synthetic workload); setting it makes it the only one.
  public var traces: String {
    get { traceFolders.first ?? "" }
    set { traceFolders = [newValue] }
  }

  /// Creates a scenario on one trace folder.
  public init(
    file: String, name: String, description: String? = nil, traces: String, policy: DynamicPolicy,
    hosts: Int = 800, vms: Int? = nil, hours: Double = 24, compat: Bool = true, seed: UInt64 = 1
  ) {
    self.init(
      file: file, name: name, description: description, traceFolders: [traces], synthetic: nil,
      policy: policy, hosts: hosts, vms: vms, hours: hours, compat: compat, seed: seed)
  }

  /// Creates a scenario on trace folders or a synthetic workload.
  public init(
    file: String, name: String, description: String? = nil, traceFolders: [String],
    synthetic: SyntheticWorkload?, policy: DynamicPolicy, hosts: Int = 800, vms: Int? = nil,
    hours: Double = 24, compat: Bool = true, seed: UInt64 = 1
  ) {
    self.file = file
    self.name = name
    self.description = description
    self.traceFolders = traceFolders
    self.synthetic = synthetic
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
  static let fields = [
    "name", "description", "traces", "synthetic", "policy", "hosts", "vms", "hours", "compat", "seed",
  ]

  /// Creates a loader.
  public init(checkTraces: Bool = true) {
    self.checkTraces = checkTraces
  }

  /// Loads a scenario file.
  public func load(path: String) throws(ScenarioError) -> DynamicScenario {
    let text = try ScenarioLoader.readText(path: path, maximumFileSize: maximumFileSize)
    return try parse(text, file: path)
  }

  /// Parses scenario text; `file` is used in messages and to resolve the relative trace path.
  public func parse(_ text: String, file: String) throws(ScenarioError) -> DynamicScenario {
    let root = try ScenarioLoader.composeRoot(text, file: file)
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

    let (traceFolders, synthetic) = try workloadSource(&top, ctx: ctx, file: file)

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
      try top.double("hours", in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
      ?? synthetic.map { $0.days * 24 } ?? 24
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
      file: file, name: name, description: description, traceFolders: traceFolders, synthetic: synthetic,
      policy: policy, hosts: hosts, vms: vms, hours: hours, compat: mode == .cloudSim303, seed: seed)
  }

  /// The workload source: `traces` (one folder or a non-empty list of distinct folders, each
  /// existing when `checkTraces`) or `synthetic` (`vms`, `days`, `seed`), exactly one of them.
  private func workloadSource(_ top: inout MappingReader, ctx: YAMLContext, file: String)
    throws(ScenarioError) -> ([String], SyntheticWorkload?)
  {
    let tracesNode = top.node("traces")
    let syntheticNode = top.node("synthetic")
    if let t = tracesNode, let s = syntheticNode {
      let later = (s.mark?.line ?? 0) >= (t.mark?.line ?? 0) ? s : t
      throw ctx.error(
        later, later == s ? "synthetic" : "traces",
        "`traces` and `synthetic` are mutually exclusive; give one workload source")
    }
    if let s = syntheticNode {
      var reader = try MappingReader(s, path: "synthetic", ctx: ctx)
      let vms = try reader.requiredInt("vms", in: 1...100_000_000)
      let days = try reader.requiredDouble("days", in: 0...Double.greatestFiniteMagnitude)
      if !(days > 0 && days <= 3660) {
        let node = reader.node("days")
        throw ctx.error(
          node, "synthetic.days",
          "must be greater than 0 and at most 3660 (days of samples), got \(node?.scalar?.string ?? "\(days)")"
        )
      }
      let seed = UInt64(try reader.int("seed", in: 0...Int.max) ?? 1)
      try reader.finish()
      return ([], SyntheticWorkload(vms: vms, days: days, seed: seed))
    }
    guard let t = tracesNode else {
      throw ctx.error(
        top.node, "traces", "missing required field `traces`",
        hint: "give a PlanetLab date folder, a list of them, or `synthetic: {vms: …, days: …}`")
    }
    let base = URL(fileURLWithPath: file).deletingLastPathComponent()
    var items: [(String, Node, String)] = []
    switch t {
    case .scalar:
      items = [(try top.string("traces")!, t, "traces")]
    case .sequence(let seq):
      if seq.isEmpty { throw ctx.error(t, "traces", "the list of trace folders is empty") }
      for (i, item) in seq.enumerated() {
        let field = "traces[\(i)]"
        guard case .scalar(let text) = item, !ctx.isNull(item) else {
          throw ctx.error(item, field, "expected a folder path, got \(ctx.kind(of: item))")
        }
        if text.string.isEmpty { throw ctx.error(item, field, "must not be empty") }
        items.append((text.string, item, field))
      }
    default:
      throw ctx.error(t, "traces", "expected a folder path or a list of folder paths, got \(ctx.kind(of: t))")
    }
    var folders: [String] = []
    for (text, node, field) in items {
      let folder =
        text.hasPrefix("/")
        ? URL(fileURLWithPath: text).standardizedFileURL.path
        : base.appendingPathComponent(text).standardizedFileURL.path
      if let first = folders.firstIndex(of: folder) {
        throw ctx.error(
          node, field, "the trace folder \(folder) is listed twice (first as traces[\(first)])")
      }
      if checkTraces {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory)
          || !isDirectory.boolValue
        {
          throw ctx.error(
            node, field, "no trace folder at \(folder)",
            hint: "a relative path is taken from the scenario file's folder")
        }
      }
      folders.append(folder)
    }
    return (folders, nil)
  }
}
