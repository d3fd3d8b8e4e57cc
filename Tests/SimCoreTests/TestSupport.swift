// Shared helpers for the SimCore tests: a reference priority queue and payload-lifetime tracking.
@testable import SimCore

/// Obviously-correct model of `EventQueue`: an array kept sorted by (time, priority, push order).
/// A new item goes after every item that does not order after it, so ties stay FIFO.
struct ReferenceQueue {
  struct Item: Equatable {
    var time: Int64
    var priority: Int32
    var payload: Int
    var id: EventID
  }

  private(set) var items: [Item] = []

  var count: Int { items.count }

  mutating func push(_ payload: Int, time: Int64, priority: Int32, id: EventID) {
    let index = items.firstIndex { ($0.time, $0.priority) > (time, priority) } ?? items.count
    items.insert(Item(time: time, priority: priority, payload: payload, id: id), at: index)
  }

  var peekTime: Int64? { items.first?.time }

  mutating func popFirst() -> Item? {
    items.isEmpty ? nil : items.removeFirst()
  }

  mutating func cancel(_ id: EventID) -> Bool {
    guard let index = items.firstIndex(where: { $0.id == id }) else { return false }
    items.remove(at: index)
    return true
  }
}

/// Counts deinitializations of `Token`s, to check when a queue releases payloads.
final class LifetimeTracker {
  var released: [Int] = []
}

/// A payload that reports its own release.
final class Token {
  let value: Int
  let tracker: LifetimeTracker

  init(_ value: Int, _ tracker: LifetimeTracker) {
    self.value = value
    self.tracker = tracker
  }

  deinit { tracker.released.append(value) }
}

/// One step of a random queue workload, decoded from three generated integers.
enum QueueOperation: CustomStringConvertible {
  case push(time: Int64, priority: Int32)
  case pop
  case cancelIssued(index: Int)
  case cancelLive(index: Int)
  case cancelUnknown(salt: Int)

  /// `kind` 0...9 picks the operation (pushes are the most common), `a`/`b` parameterize it.
  init(kind: Int, a: Int, b: Int) {
    switch kind {
    case 0...4: self = .push(time: Int64(a % 24), priority: Int32(b % 4) - 1)
    case 5, 6: self = .pop
    case 7, 8: self = .cancelIssued(index: a)
    default: self = .cancelUnknown(salt: b)
    }
  }

  /// Cancel-heavy mix for `kind` 0...19: 60% push, 5% pop, 35% cancel of a pending event, so
  /// that cancelled nodes soon outnumber live ones and trigger bulk compaction.
  static func cancelHeavy(kind: Int, a: Int, b: Int) -> QueueOperation {
    switch kind {
    case 0...11: .push(time: Int64(a % 500), priority: Int32(b % 4) - 1)
    case 12: .pop
    default: .cancelLive(index: a)
    }
  }

  var description: String {
    switch self {
    case .push(let time, let priority): "push(t=\(time), p=\(priority))"
    case .pop: "pop"
    case .cancelIssued(let index): "cancel(#\(index))"
    case .cancelLive(let index): "cancel(pending #\(index))"
    case .cancelUnknown(let salt): "cancel(unknown \(salt))"
    }
  }
}
