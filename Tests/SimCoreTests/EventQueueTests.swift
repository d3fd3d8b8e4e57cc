import PropertyBased
import Testing

@testable import SimCore

@Suite("EventQueue")
struct EventQueueTests {
  // MARK: Examples

  @Test func emptyQueue() {
    var queue = EventQueue<String>()
    #expect(queue.isEmpty)
    #expect(queue.count == 0)
    #expect(queue.peekTime() == nil)
    let popped1 = queue.popFirst()
    #expect(popped1 == nil)
    let cancelled2 = queue.cancel(EventID(rawValue: 0))
    #expect(!cancelled2)
  }

  @Test func popsInTimeThenPriorityThenInsertionOrder() {
    var queue = EventQueue<String>()
    queue.push("c", at: .seconds(2))
    queue.push("b2", at: .seconds(1), priority: 5)
    queue.push("a", at: .seconds(1), priority: -3)
    queue.push("b1", at: .seconds(1))
    queue.push("b3", at: .seconds(1), priority: 5)
    queue.push("z", at: .zero)
    #expect(queue.count == 6)
    #expect(queue.peekTime() == .zero)
    var popped: [String] = []
    while let event = queue.popFirst() { popped.append(event.payload) }
    #expect(popped == ["z", "a", "b1", "b2", "b3", "c"])
    #expect(queue.isEmpty)
  }

  @Test func popReportsTimePriorityAndID() throws {
    var queue = EventQueue<Int>()
    let id = queue.push(7, at: .milliseconds(1_500), priority: -2)
    let popped3 = queue.popFirst()
    let event = try #require(popped3)
    #expect(event.time == .milliseconds(1_500))
    #expect(event.priority == -2)
    #expect(event.id == id)
    #expect(event.payload == 7)
  }

  @Test func popFirstNotAfterOnlyPopsDueEvents() {
    var queue = EventQueue<Int>()
    queue.push(2, at: .seconds(2))
    queue.push(1, at: .seconds(1))
    queue.push(3, at: .seconds(3))
    let first = queue.popFirst(notAfter: .milliseconds(1_500))
    #expect(first?.payload == 1)
    #expect(first?.time == .seconds(1))
    let none = queue.popFirst(notAfter: .milliseconds(1_999))
    #expect(none == nil)
    #expect(queue.count == 2)
    let atLimit = queue.popFirst(notAfter: .seconds(2))
    #expect(atLimit?.payload == 2, "an event exactly at the limit is due")
    var empty = EventQueue<Int>()
    let fromEmpty = empty.popFirst(notAfter: SimTime(milliseconds: .max))
    #expect(fromEmpty == nil)
  }

  @Test func extremeTimesAndPrioritiesOrderCorrectly() {
    var queue = EventQueue<Int>()
    queue.push(3, at: SimTime(milliseconds: .max), priority: .min)
    queue.push(2, at: .zero, priority: .max)
    queue.push(1, at: .zero, priority: .min)
    queue.push(0, at: SimTime(milliseconds: .min), priority: .max)
    var popped: [Int] = []
    while let event = queue.popFirst() { popped.append(event.payload) }
    #expect(popped == [0, 1, 2, 3])
  }

  @Test func idsIncreaseWithPushOrder() {
    var queue = EventQueue<Int>()
    var ids: [EventID] = []
    for index in 0..<50 {
      ids.append(queue.push(index, at: .seconds(Int64(50 - index))))
      if index % 3 == 0 { _ = queue.popFirst() }  // slots get reused; IDs must still grow
    }
    #expect(ids == ids.sorted())
    #expect(Set(ids).count == ids.count)
    #expect(ids[0].description == "#0")
    #expect(ids[49].description == "#49")
  }

  @Test func cancelReportsWhetherTheEventWasPending() {
    var queue = EventQueue<Int>()
    let early = queue.push(1, at: .seconds(1))
    let middle = queue.push(2, at: .seconds(2))
    let late = queue.push(3, at: .seconds(3))
    #expect(queue.contains(middle))
    let cancelled4 = queue.cancel(middle)
    #expect(cancelled4)
    #expect(!queue.contains(middle))
    let cancelled5 = queue.cancel(middle)
    #expect(!cancelled5, "second cancel of the same event")
    #expect(queue.count == 2)
    let popped6 = queue.popFirst()
    #expect(popped6?.payload == 1)
    let cancelled7 = queue.cancel(early)
    #expect(!cancelled7, "already popped")
    let cancelled8 = queue.cancel(late)
    #expect(cancelled8)
    #expect(queue.isEmpty)
    #expect(queue.peekTime() == nil)
    let popped9 = queue.popFirst()
    #expect(popped9 == nil)
  }

  @Test func cancellingTheHeadUpdatesPeekTime() {
    var queue = EventQueue<Int>()
    let first = queue.push(1, at: .seconds(1))
    let second = queue.push(2, at: .seconds(2))
    queue.push(3, at: .seconds(3))
    let cancelled10 = queue.cancel(first)
    #expect(cancelled10)
    #expect(queue.peekTime() == .seconds(2))
    let cancelled11 = queue.cancel(second)
    #expect(cancelled11)
    #expect(queue.peekTime() == .seconds(3))
    #expect(queue.count == 1)
  }

  @Test func removeReturnsThePayload() {
    var queue = EventQueue<String>()
    let id = queue.push("x", at: .zero)
    let removed12 = queue.remove(id)
    #expect(removed12 == "x")
    let removed13 = queue.remove(id)
    #expect(removed13 == nil)
  }

  @Test func staleIDsDoNotCancelEventsReusingTheirSlot() {
    var queue = EventQueue<Int>()
    let old = queue.push(1, at: .zero)
    _ = queue.popFirst()
    let reused = queue.push(2, at: .zero)  // takes the freed slot
    #expect(old.rawValue & ((1 << 26) - 1) == reused.rawValue & ((1 << 26) - 1))
    let cancelled14 = queue.cancel(old)
    #expect(!cancelled14)
    let popped15 = queue.popFirst()
    #expect(popped15?.payload == 2)
  }

  @Test func removeAllEmptiesTheQueueAndKillsOldIDs() {
    var queue = EventQueue<Int>()
    let ids = (0..<10).map { queue.push($0, at: .seconds(Int64($0))) }
    queue.removeAll()
    #expect(queue.isEmpty)
    let popped16 = queue.popFirst()
    #expect(popped16 == nil)
    for id in ids {
      let cancelled = queue.cancel(id)
      #expect(!cancelled)
    }
    let fresh = queue.push(42, at: .zero)
    let cancelled17 = queue.cancel(ids[0])
    #expect(!cancelled17)
    #expect(fresh > ids[9])
    let popped18 = queue.popFirst()
    #expect(popped18?.payload == 42)
  }

  @Test func copiesAreIndependent() {
    var original = EventQueue<String>()
    let a = original.push("a", at: .seconds(1))
    original.push("b", at: .seconds(2))
    let c = original.push("c", at: .seconds(3))
    let cancelled19 = original.cancel(c)
    #expect(cancelled19)
    var copy = original
    let cancelled20 = copy.cancel(a)
    #expect(cancelled20)
    copy.push("d", at: .zero)
    #expect(original.count == 2)
    let popped21 = original.popFirst()
    #expect(popped21?.payload == "a")
    let popped22 = original.popFirst()
    #expect(popped22?.payload == "b")
    let popped23 = original.popFirst()
    #expect(popped23 == nil)
    let popped24 = copy.popFirst()
    #expect(popped24?.payload == "d")
    let popped25 = copy.popFirst()
    #expect(popped25?.payload == "b")
    let popped26 = copy.popFirst()
    #expect(popped26 == nil)
  }

  @Test func growthKeepsNonTrivialPayloads() {
    var queue = EventQueue<String>(minimumCapacity: 1)
    for index in 0..<1_000 { queue.push("event \(index)", at: .milliseconds(Int64(999 - index))) }
    var expected = 999
    while let event = queue.popFirst() {
      #expect(event.payload == "event \(expected)")
      expected -= 1
    }
    #expect(expected == -1)
  }

  // MARK: Payload lifetime

  @Test func payloadsAreReleasedOnCancelPopAndDrop() {
    let tracker = LifetimeTracker()
    do {
      var queue = EventQueue<Token>()
      let cancelled = queue.push(Token(1, tracker), at: .seconds(1))
      queue.push(Token(2, tracker), at: .seconds(2))
      queue.push(Token(3, tracker), at: .seconds(3))
      let cancelled27 = queue.cancel(cancelled)
      #expect(cancelled27)
      #expect(tracker.released == [1], "cancel releases the payload at once")
      do {
        let popped = queue.popFirst()
        #expect(popped?.payload.value == 2)
        #expect(tracker.released == [1])
      }
      #expect(tracker.released == [1, 2], "a popped payload lives as long as the caller holds it")
      var copy = queue
      copy.push(Token(4, tracker), at: .zero)
      #expect(tracker.released == [1, 2])
    }
    #expect(tracker.released.sorted() == [1, 2, 3, 4], "dropping the queues releases the rest")
  }

  @Test func compactionReleasesNothingLiveAndKeepsOrder() {
    let tracker = LifetimeTracker()
    var queue = EventQueue<Token>()
    var ids: [EventID] = []
    for index in 0..<400 {
      ids.append(queue.push(Token(index, tracker), at: .milliseconds(Int64(index % 37))))
    }
    // Cancel all but every tenth event (the head last), which forces at least one bulk compaction.
    for index in (0..<400).reversed() where index % 10 != 0 {
      let cancelled = queue.cancel(ids[index])
      #expect(cancelled)
    }
    #expect(queue.count == 40)
    #expect(tracker.released.count == 360)
    var popped: [Int] = []
    while let event = queue.popFirst() { popped.append(event.payload.value) }
    let expected = stride(from: 0, to: 400, by: 10).sorted { ($0 % 37, $0) < ($1 % 37, $1) }
    #expect(popped == expected)
    #expect(tracker.released.count == 400)
  }

  // MARK: Properties

  @Test func popTimesNeverDecrease() async {
    await propertyCheck(input: Gen.int64(in: -1_000...1_000).array(of: 0...300)) { times in
      var queue = EventQueue<Int>()
      for (index, time) in times.enumerated() { queue.push(index, at: SimTime(milliseconds: time)) }
      var previous = Int64.min
      var popped = 0
      while let event = queue.popFirst() {
        #expect(event.time.milliseconds >= previous)
        previous = event.time.milliseconds
        popped += 1
      }
      #expect(popped == times.count)
    }
  }

  @Test func equalTimeEqualPriorityEventsKeepInsertionOrder() async {
    // Events of one (time, priority) class, interleaved with noise at other times and priorities.
    await propertyCheck(input: Gen.int(in: 0...3).array(of: 0...300)) { labels in
      var queue = EventQueue<Int>()
      for (index, label) in labels.enumerated() {
        switch label {
        case 0: queue.push(index, at: .seconds(5), priority: 1)  // the class under test
        case 1: queue.push(index, at: .seconds(5), priority: 0)
        case 2: queue.push(index, at: .seconds(4), priority: 1)
        default: queue.push(index, at: .seconds(6), priority: 1)
        }
      }
      var popped: [Int] = []
      while let event = queue.popFirst() {
        if event.time == .seconds(5) && event.priority == 1 { popped.append(event.payload) }
      }
      let expected = labels.indices.filter { labels[$0] == 0 }
      #expect(popped == expected)
    }
  }

  @Test func priorityOrdersEqualTimeEvents() async {
    await propertyCheck(input: Gen.int32(in: -5...5).array(of: 0...200)) { priorities in
      var queue = EventQueue<Int>()
      for (index, priority) in priorities.enumerated() {
        queue.push(index, at: .minutes(3), priority: priority)
      }
      var popped: [(priority: Int32, index: Int)] = []
      while let event = queue.popFirst() { popped.append((event.priority, event.payload)) }
      let expected = priorities.enumerated().map { (priority: $0.element, index: $0.offset) }
        .sorted { ($0.priority, $0.index) < ($1.priority, $1.index) }
      #expect(popped.map(\.index) == expected.map(\.index))
      #expect(popped.map(\.priority) == priorities.sorted())
    }
  }

  @Test func wideKeyComparisonMatchesLexicographicOrder() async {
    let edges: [UInt64] = [0, 1, 2, 1 << 63, (1 << 63) - 1, .max - 1, .max]
    let word = zip(Gen.int(in: 0...13), Gen.uint64()).map { choice, random in
      choice < edges.count ? edges[choice] : random
    }
    await propertyCheck(count: 300, input: word, word, word, word) { aHigh, aLow, bHigh, bLow in
      let actual = HeapKey(high: aHigh, low: aLow) < HeapKey(high: bHigh, low: bLow)
      #expect(actual == ((aHigh, aLow) < (bHigh, bLow)))
    }
  }

  @Test func heapEntryKeysRoundTripTimeAndPriority() async {
    await propertyCheck(input: Gen.int64(), Gen.int32(), Gen.uint32()) { time, priority, rank in
      let entry = HeapEntry(time: time, priority: priority, rank: rank, id: 7)
      #expect(entry.time == time)
      #expect(entry.priority == priority)
      #expect(entry.rank == rank)
    }
  }

  /// Random interleavings of push / pop / cancel (of live, fired, cancelled and never-issued IDs)
  /// must behave exactly like the reference model after every step.
  @Test(arguments: [UInt64(1) << 32, 64])
  func matchesReferenceModel(rankLimit: UInt64) async {
    let operations = zip(Gen.int(in: 0...9), Gen.int(in: 0...1_000), Gen.int(in: 0...1_000))
      .map { QueueOperation(kind: $0, a: $1, b: $2) }
      .array(of: 0...400)
    await propertyCheck(count: 120, input: operations) { operations in
      checkAgainstModel(operations, rankLimit: rankLimit)
    }
  }

  /// Cancel-heavy workloads large enough to trigger bulk compaction of stale nodes. Shrinking is
  /// off: inputs have at least 300 steps, so it would replay them for minutes on a failure.
  @Test(.shrinking(false)) func matchesReferenceModelUnderHeavyCancellation() async {
    let operations = zip(Gen.int(in: 0...19), Gen.int(in: 0...10_000), Gen.int(in: 0...1_000))
      .map { QueueOperation.cancelHeavy(kind: $0, a: $1, b: $2) }
      .array(of: 300...1_000)
    await propertyCheck(count: 30, input: operations) { operations in
      checkAgainstModel(operations, rankLimit: 1 << 32)
    }
  }
}

/// Replays `operations` on an `EventQueue` and on `ReferenceQueue`, comparing every observable
/// after every step. Mismatches are recorded with plain checks (thousands of `#expect`s per case
/// would dominate the run time) and end the replay at the first divergence.
private func checkAgainstModel(_ operations: [QueueOperation], rankLimit: UInt64) {
  var queue = EventQueue<Int>(rankLimit: rankLimit)
  var model = ReferenceQueue()
  var issued: [EventID] = []
  func fail(_ step: Int, _ operation: QueueOperation, _ what: String) {
    Issue.record("step \(step) (\(operation)): \(what)")
  }
  for (step, operation) in operations.enumerated() {
    switch operation {
    case .push(let time, let priority):
      // Keep pending events below the rank space when it is artificially small.
      if UInt64(queue.count) + 8 >= rankLimit { continue }
      let id = queue.push(step, at: SimTime(milliseconds: time), priority: priority)
      if let last = issued.last, id <= last { return fail(step, operation, "ID \(id) not above \(last)") }
      issued.append(id)
      model.push(step, time: time, priority: priority, id: id)
    case .pop:
      let actual = queue.popFirst()
      let expected = model.popFirst()
      let actualSummary = actual.map { "\($0.payload)@\($0.time.milliseconds)/\($0.priority)/\($0.id)" }
      let expectedSummary = expected.map { "\($0.payload)@\($0.time)/\($0.priority)/\($0.id)" }
      if actualSummary != expectedSummary {
        return fail(step, operation, "popped \(actualSummary ?? "nil"), model \(expectedSummary ?? "nil")")
      }
    case .cancelIssued(let index):
      guard !issued.isEmpty else { continue }
      let id = issued[index % issued.count]
      let actual = queue.cancel(id)
      let expected = model.cancel(id)
      if actual != expected { return fail(step, operation, "cancel returned \(actual), model \(expected)") }
    case .cancelLive(let index):
      guard model.count > 0 else { continue }
      let id = model.items[index % model.count].id
      if !queue.cancel(id) { return fail(step, operation, "failed to cancel pending \(id)") }
      _ = model.cancel(id)
    case .cancelUnknown(let salt):
      let neverIssued = EventID(rawValue: UInt64(issued.count + 1 + salt) << 26 | UInt64(salt % 7))
      if queue.cancel(neverIssued) { return fail(step, operation, "cancelled a never-issued ID") }
    }
    if queue.count != model.count {
      return fail(step, operation, "count \(queue.count), model \(model.count)")
    }
    if queue.isEmpty != (model.count == 0) { return fail(step, operation, "isEmpty \(queue.isEmpty)") }
    if queue.peekTime()?.milliseconds != model.peekTime {
      return fail(
        step, operation,
        "peekTime \(String(describing: queue.peekTime())), model \(String(describing: model.peekTime))")
    }
  }
  var drained: [Int] = []
  while let event = queue.popFirst() { drained.append(event.payload) }
  var expected: [Int] = []
  while let item = model.popFirst() { expected.append(item.payload) }
  #expect(drained == expected)
}
