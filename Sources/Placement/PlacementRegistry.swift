/// Named placement policies, so that a scenario file can choose one by name.
public struct PlacementRegistry: Sendable {
  private var policies: [String: any PlacementPolicy]

  /// A registry holding `policies`; a later policy replaces an earlier one of the same name.
  public init(_ policies: [any PlacementPolicy] = []) {
    self.policies = [:]
    for p in policies { register(p) }
  }

  /// first-fit, best-fit, worst-fit and first-fit-decreasing, and the filter schedulers
  /// filter-pack, filter-spread and filter-power (`FilterScheduler`), which take parameters.
  public static let standard = PlacementRegistry([
    FirstFit(), BestFit(), WorstFit(), FirstFitDecreasing(), FilterScheduler.pack, FilterScheduler.spread,
    FilterScheduler.power,
  ])

  /// Registered names, sorted.
  public var names: [String] { policies.keys.sorted() }

  /// The policy registered under exactly `name`, or nil.
  public func policy(named name: String) -> (any PlacementPolicy)? { policies[name] }

  /// The registered name closest to `unknown` for a "did you mean …?" hint: smallest edit
  /// distance (case-insensitive, an adjacent transposition counts as one edit), ties to the
  /// alphabetically first name; nil when even the closest needs more than
  /// max(2, length of `unknown` / 3) edits. Returns the name itself for a registered name.
  public func suggestion(for unknown: String) -> String? {
    closest(unknown, among: names)
  }

  /// Adds `policy` under its `name`, replacing any policy already registered under that name.
  public mutating func register(_ policy: any PlacementPolicy) {
    policies[policy.name] = policy
  }
}

/// Optimal string alignment distance: insertions, deletions, substitutions and adjacent
/// transpositions each cost 1. O(|a| · |b|).
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous2 = [Int](repeating: 0, count: b.count + 1)
  var previous = Array(0...b.count)
  var current = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      var d = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
        d = Swift.min(d, previous2[j - 2] + 1)
      }
      current[j] = d
    }
    (previous2, previous, current) = (previous, current, previous2)
  }
  return previous[b.count]
}
