/// Parameters a scenario gives a policy by name, e.g.
/// `scheduler: {name: filter-pack, weights: {pack: 1, fewest_cabinets: 0.5}}`.
public struct PolicyParameters: Hashable, Sendable {
  /// Weigher multipliers by weigher name; they replace the policy's own multipliers for those
  /// weighers and leave the others as they are (0 switches a weigher off).
  public var weights: [String: Double]
  /// Filters by key, in evaluation order, replacing the policy's list; nil keeps it. The
  /// capacity filter is always applied (last, unless listed).
  public var filters: [String]?
  /// Order in which a batch is decided; nil keeps the policy's.
  public var order: BatchOrder?

  /// Creates parameters; none by default.
  public init(weights: [String: Double] = [:], filters: [String]? = nil, order: BatchOrder? = nil) {
    self.weights = weights
    self.filters = filters
    self.order = order
  }

  /// True when no parameter is given.
  public var isEmpty: Bool { weights.isEmpty && filters == nil && order == nil }
}

/// Order in which `BatchPlacer` decides the requests of a batch.
public enum BatchOrder: String, CaseIterable, Hashable, Sendable {
  /// As they arrive (online, as Nova does).
  case arrival
  /// Largest first, with the key of `FirstFitDecreasing`.
  case decreasing
}

/// Parameters a policy cannot take, in the user's terms.
public struct PolicyConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What is wrong.
  public var message: String
  /// A suggestion such as "did you mean `pack`?", if any.
  public var hint: String?

  /// Creates an error.
  public init(_ message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }

  public var description: String { hint.map { "\(message) (\($0))" } ?? message }
}

/// A policy that can be configured with `PolicyParameters`.
public protocol ConfigurablePlacementPolicy: PlacementPolicy {
  /// This policy with `parameters` applied (same name), or an error naming the bad parameter.
  func configured(with parameters: PolicyParameters) throws(PolicyConfigurationError) -> any PlacementPolicy
}

extension PlacementRegistry {
  /// The policy registered under `name`, configured with `parameters`.
  ///
  /// Errors: an unknown name (with a did-you-mean), parameters given to a policy that takes
  /// none, or parameters the policy rejects (unknown weigher or filter names, with a
  /// did-you-mean).
  public func policy(named name: String, parameters: PolicyParameters) throws(PolicyConfigurationError)
    -> any PlacementPolicy
  {
    guard let found = policy(named: name) else {
      throw PolicyConfigurationError(
        "unknown scheduler `\(name)`",
        hint: suggestion(for: name).map { "did you mean `\($0)`?" }
          ?? "known: \(names.joined(separator: ", "))")
    }
    if parameters.isEmpty { return found }
    guard let configurable = found as? any ConfigurablePlacementPolicy else {
      let configurableNames = names.filter { policy(named: $0) is any ConfigurablePlacementPolicy }
      throw PolicyConfigurationError(
        "scheduler `\(name)` takes no weights, filters or order",
        hint: configurableNames.isEmpty
          ? nil : "schedulers that do: \(configurableNames.joined(separator: ", "))")
    }
    return try configurable.configured(with: parameters)
  }
}

/// The entry of `names` closest to `unknown` by edit distance (case-insensitive), within
/// max(2, length / 3) edits; ties to the first in `names`.
func closest(_ unknown: String, among names: [String]) -> String? {
  let target = Array(unknown.lowercased())
  let limit = Swift.max(2, target.count / 3)
  var best: (name: String, distance: Int)?
  for name in names {
    let d = editDistance(target, Array(name.lowercased()))
    if d <= limit, d < (best?.distance ?? .max) { best = (name, d) }
  }
  return best?.name
}
