/// Host overload detection, each with its parameter (and the static-threshold fallback used while
/// a host's history is too short).
public enum OverloadDetection: Sendable, Hashable {
  /// Static threshold: overloaded when requested MIPS / host MIPS > threshold.
  case thr(threshold: Double)
  /// Inter-quartile range: threshold 1 − s·IQR of the host history (≥ 12 values).
  case iqr(safety: Double, fallback: Double)
  /// Median absolute deviation: threshold 1 − s·MAD of the host history (≥ 12 values).
  case mad(safety: Double, fallback: Double)
  /// Local regression on the last 10 history values; overloaded when s·prediction ≥ 1.
  case lr(safety: Double, fallback: Double)
  /// Robust local regression (CloudSim 3.0.3: identical to `lr`, its weights are never applied).
  case lrr(safety: Double, fallback: Double)

  /// Short name.
  public var name: String {
    switch self {
    case .thr: return "thr"
    case .iqr: return "iqr"
    case .mad: return "mad"
    case .lr: return "lr"
    case .lrr: return "lrr"
    }
  }

  /// The policy's parameter.
  public var parameter: Double {
    switch self {
    case .thr(let t): return t
    case .iqr(let s, _), .mad(let s, _), .lr(let s, _), .lrr(let s, _): return s
    }
  }
}

/// Which VM leaves an overloaded host.
public enum VMSelection: String, Sendable, Hashable, CaseIterable {
  /// Minimum migration time: smallest RAM.
  case mmt
  /// Maximum correlation: highest R² of its history against the others' (fallback MMT).
  case mc
  /// Minimum utilisation.
  case mu
  /// Random selection, from its own seeded stream.
  case rs
}

/// A named, parameterised consolidation policy.
public struct DynamicPolicy: Sendable, Hashable {
  /// What the policy does.
  public enum Kind: Sendable, Hashable {
    /// Non-power-aware: first fit, every host at full power, no migrations.
    case nonPowerAware
    /// DVFS: first fit, power follows load (idle-and-empty hosts off), no migrations.
    case dvfs
    /// Overload detection + VM selection + power-aware best-fit-decreasing + underload consolidation.
    case migration(OverloadDetection, VMSelection)
  }

  /// Name (as in the CloudSim examples: `ThrMmt`, `LrRs`, …).
  public var name: String
  /// What it does.
  public var kind: Kind

  /// Creates a policy.
  public init(name: String, kind: Kind) {
    self.name = name
    self.kind = kind
  }

  /// The nine CloudSim 3.0.3 examples, in the baseline's order.
  public static let cloudSimExamples: [DynamicPolicy] = [
    DynamicPolicy(name: "NonPowerAware", kind: .nonPowerAware),
    DynamicPolicy(name: "Dvfs", kind: .dvfs),
    DynamicPolicy(name: "ThrMmt", kind: .migration(.thr(threshold: 0.8), .mmt)),
    DynamicPolicy(name: "IqrMmt", kind: .migration(.iqr(safety: 1.5, fallback: 0.7), .mmt)),
    DynamicPolicy(name: "MadMmt", kind: .migration(.mad(safety: 2.5, fallback: 0.7), .mmt)),
    DynamicPolicy(name: "LrMmt", kind: .migration(.lr(safety: 1.2, fallback: 0.7), .mmt)),
    DynamicPolicy(name: "LrrMmt", kind: .migration(.lrr(safety: 1.2, fallback: 0.7), .mmt)),
    DynamicPolicy(name: "LrMc", kind: .migration(.lr(safety: 1.2, fallback: 0.7), .mc)),
    DynamicPolicy(name: "LrRs", kind: .migration(.lr(safety: 1.2, fallback: 0.7), .rs)),
  ]

  /// Looks a policy up by name: an example name (`ThrMmt`, `npa`, `dvfs`, case-insensitive) or
  /// `<detection>[:<parameter>]-<selection>` such as `thr:0.9-mu` or `mad-rs`.
  public static func named(_ name: String) -> DynamicPolicy? {
    let lower = name.lowercased()
    if lower == "npa" { return cloudSimExamples[0] }
    if let p = cloudSimExamples.first(where: { $0.name.lowercased() == lower }) { return p }
    let parts = lower.split(separator: "-", maxSplits: 1).map(String.init)
    guard parts.count == 2, let selection = VMSelection(rawValue: parts[1]) else { return nil }
    let head = parts[0].split(separator: ":").map(String.init)
    let parameter = head.count > 1 ? Double(head[1]) : nil
    if head.count > 1 && parameter == nil { return nil }
    let detection: OverloadDetection
    switch head[0] {
    case "thr": detection = .thr(threshold: parameter ?? 0.8)
    case "iqr": detection = .iqr(safety: parameter ?? 1.5, fallback: 0.7)
    case "mad": detection = .mad(safety: parameter ?? 2.5, fallback: 0.7)
    case "lr": detection = .lr(safety: parameter ?? 1.2, fallback: 0.7)
    case "lrr": detection = .lrr(safety: parameter ?? 1.2, fallback: 0.7)
    default: return nil
    }
    return DynamicPolicy(name: name, kind: .migration(detection, selection))
  }
}
