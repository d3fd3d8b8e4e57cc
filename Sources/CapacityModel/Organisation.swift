/// Size class of a bureau (委办局), which decides how far it consolidates (see DOMAIN.md).
public enum BureauClass: String, CaseIterable, Sendable {
  /// 小型: poor rooms, weak ops; moves everything into VMs quickly.
  case small
  /// 中型: decent rooms, reluctant; moves part of its non-classified systems.
  case medium
  /// 大型: strong IT, high security; not physically consolidated unless a scenario says so.
  case large
}

/// A government bureau that owns business systems.
public struct Bureau: Hashable, Sendable {
  /// Short name.
  public var name: String
  /// Size class.
  public var bureauClass: BureauClass
  /// Physically consolidate even though the bureau is large (explicit scenario decision).
  public var consolidateAnyway: Bool

  /// Creates a bureau.
  public init(name: String, bureauClass: BureauClass, consolidateAnyway: Bool = false) {
    self.name = name
    self.bureauClass = bureauClass
    self.consolidateAnyway = consolidateAnyway
  }

  /// Whether the bureau's systems may move into a shared pool.
  public var mayConsolidate: Bool { bureauClass != .large || consolidateAnyway }
}

/// Kind of business (三类业务), which sets a system's load pattern and migration order.
public enum BusinessKind: String, CaseIterable, Sendable {
  /// 共享业务: G2G/G2B systems such as approval and office automation (office hours).
  case shared
  /// Internet业务: portals and public services (diurnal, evenings included).
  case internet
  /// 专享业务: a ministry line's vertical systems (flat with nightly batch).
  case dedicated
}

/// Multi-Level Protection Scheme level (等级保护), 1 to 4.
public struct MLPSLevel: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The level, 1…4.
  public let value: Int

  /// Creates a level; returns nil outside 1…4.
  public init?(_ value: Int) {
    guard (1...4).contains(value) else { return nil }
    self.value = value
  }

  public static func < (l: MLPSLevel, r: MLPSLevel) -> Bool { l.value < r.value }
  public var description: String { "MLPS \(value)" }
}

/// A VM flavour such as `4C8G`: vCPUs, memory and disk.
public struct Flavour: Hashable, Sendable {
  /// Name, e.g. "4C8G".
  public var name: String
  /// Allocation reserved on a host.
  public var size: ResourceVector

  /// Creates a flavour.
  public init(name: String, size: ResourceVector) {
    self.name = name
    self.size = size
  }

  /// Parses the catalog naming convention `<vcpu>C<memory>G`, e.g. "8C32G" (no disk).
  public init?(conventionalName name: String) {
    let upper = name.uppercased()
    guard upper.hasSuffix("G"), let c = upper.firstIndex(of: "C") else { return nil }
    let cpuText = upper[upper.startIndex..<c]
    let memText = upper[upper.index(after: c)..<upper.index(before: upper.endIndex)]
    guard let cpu = Int(cpuText), let mem = Int(memText), cpu > 0, mem > 0 else { return nil }
    self.init(name: name, size: ResourceVector(vcpu: Double(cpu), memoryGiB: Double(mem)))
  }
}
