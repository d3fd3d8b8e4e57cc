// Pending-event set: a 4-ary min-heap of small trivially-copyable entries plus a slot table for payloads.

/// Identifies one event pushed onto an ``EventQueue`` (or scheduled on a ``Simulator``).
///
/// IDs of one queue are unique, and they order by creation: an event pushed later has a larger ID.
/// The raw value packs the push sequence number (high 38 bits) and the payload slot (low 26 bits).
/// An ID is meaningful only to the queue that issued it.
public struct EventID: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The packed sequence number and slot; opaque apart from its ordering.
  public let rawValue: UInt64

  /// Wraps a raw value previously read from ``rawValue``.
  @inlinable
  public init(rawValue: UInt64) {
    self.rawValue = rawValue
  }

  /// Orders IDs by creation (push) order.
  @inlinable
  public static func < (lhs: EventID, rhs: EventID) -> Bool {
    lhs.rawValue < rhs.rawValue
  }

  /// `#<sequence>`, the zero-based push number within its queue.
  public var description: String {
    "#\(rawValue >> EventQueueLayout.slotBits)"
  }
}

/// Bit layout of IDs. Computed (not stored) statics so they fold to constants.
@usableFromInline
internal enum EventQueueLayout {
  /// Bits of an ID that hold the payload slot: at most 2^26 − 1 (67 108 863) events pending at once
  /// (cancelled events count until their heap node is discarded).
  @inlinable static var slotBits: UInt64 { 26 }
  /// Mask extracting the slot from an ID.
  @inlinable static var slotMask: UInt64 { (1 << slotBits) - 1 }
  /// Pushes a queue accepts over its lifetime: 2^38 − 1 (about 2.7 · 10^11). The all-ones sequence
  /// is reserved so that owner words of vacant slots never equal an ID.
  @inlinable static var sequenceLimit: UInt64 { (1 << (64 - slotBits)) - 1 }
  /// Owner word of a vacant slot (cancelled, or free with `next` as the following free slot).
  @inlinable static func vacant(next: Int) -> UInt64 {
    sequenceLimit << slotBits | UInt64(truncatingIfNeeded: next)
  }
  /// Owner words at or above this mark a vacant slot.
  @inlinable static var vacantFloor: UInt64 { sequenceLimit << slotBits }
  /// Free-list terminator (fits in the slot bits).
  @inlinable static var noSlot: Int { Int(truncatingIfNeeded: slotMask) }
}

/// One heap node: a 128-bit ordering key plus the event's ID (which locates its payload slot).
/// Trivially copyable, 24 bytes.
///
/// The key is (time, priority, rank) packed so that one unsigned 128-bit comparison orders nodes:
/// `timeKey` is the time with its sign bit flipped; `tieKey` holds the priority (sign bit flipped)
/// in its high half and the push rank in its low half. Ranks are unique among pending events and
/// increase with push order, so equal (time, priority) pops FIFO. A single wide comparison compiles
/// to `cmp`/`sbb` with no data-dependent branch, which matters because sibling order in a heap is a
/// coin flip for the branch predictor.
@usableFromInline
internal struct HeapEntry: Sendable {
  @usableFromInline var timeKey: UInt64
  @usableFromInline var tieKey: UInt64
  @usableFromInline var id: UInt64

  @inlinable
  init(time: Int64, priority: Int32, rank: UInt32, id: UInt64) {
    timeKey = UInt64(bitPattern: time) ^ (1 << 63)
    tieKey = UInt64(UInt32(bitPattern: priority) ^ 0x8000_0000) << 32 | UInt64(rank)
    self.id = id
  }

  @inlinable
  var time: Int64 { Int64(bitPattern: timeKey ^ (1 << 63)) }

  @inlinable
  var priority: Int32 { Int32(bitPattern: UInt32(truncatingIfNeeded: tieKey >> 32) ^ 0x8000_0000) }

  @inlinable
  var rank: UInt32 { UInt32(truncatingIfNeeded: tieKey) }

  @inlinable
  var key: HeapKey { HeapKey(high: timeKey, low: tieKey) }

  @inlinable
  var slot: Int { Int(truncatingIfNeeded: id & EventQueueLayout.slotMask) }

  /// Strict (time, priority, push order) order.
  @inlinable
  func precedes(_ other: HeapEntry) -> Bool {
    key < other.key
  }
}

/// A 128-bit unsigned ordering key, compared without data-dependent branches.
///
/// On Linux the comparison uses `UInt128` (`cmp`/`sbb`); Apple platforms get an equivalent
/// subtract-with-borrow chain because `UInt128` needs macOS 15 at run time there.
@usableFromInline
internal struct HeapKey: Sendable {
  @usableFromInline var high: UInt64
  @usableFromInline var low: UInt64

  @inlinable
  init(high: UInt64, low: UInt64) {
    self.high = high
    self.low = low
  }

  @inlinable
  static func < (lhs: HeapKey, rhs: HeapKey) -> Bool {
    #if canImport(Darwin)
      let lowBorrow: UInt64 = lhs.low < rhs.low ? 1 : 0
      let (highDifference, highBorrow) = lhs.high.subtractingReportingOverflow(rhs.high)
      let (_, finalBorrow) = highDifference.subtractingReportingOverflow(lowBorrow)
      // At most one borrow is set (a high half that already borrowed is at least 1), so "either"
      // is "exactly one", which avoids a short-circuit branch.
      return highBorrow != finalBorrow
    #else
      return UInt128(lhs.high) << 64 | UInt128(lhs.low) < UInt128(rhs.high) << 64 | UInt128(rhs.low)
    #endif
  }
}

/// Raw state of an ``EventQueue``, kept in the header of its CoW storage object and always accessed
/// through a pointer, so the hot path has no array uniqueness or exclusivity checks.
///
/// `entries[0..<count]` is a 4-ary min-heap whose top is always live. Slot `s` occupies
/// `slotStride` bytes at `slots + s * slotStride`: a `UInt64` owner word (the live event's ID, or a
/// vacant mark carrying the free-list link) followed by the payload, initialized exactly when the
/// owner word is a live ID. A cancelled event's slot is vacant but stays off the free list until
/// its stale heap node is discarded, so a slot is never reused while a node points at it.
@usableFromInline
internal struct EventHeapCore<Payload> {
  @usableFromInline var entries: UnsafeMutablePointer<HeapEntry>
  @usableFromInline var count: Int
  @usableFromInline var capacity: Int
  @usableFromInline var slots: UnsafeMutableRawPointer
  @usableFromInline var slotCount: Int
  @usableFromInline var slotCapacity: Int
  @usableFromInline var freeHead: Int
  @usableFromInline var nextSequence: UInt64
  @usableFromInline var staleCount: Int
  /// Rank for the next push; ranks are renumbered densely when it reaches `rankLimit`.
  @usableFromInline var nextRank: UInt64
  /// 2^32 in production; tests lower it to exercise renumbering.
  @usableFromInline let rankLimit: UInt64

  @inlinable static var payloadOffset: Int { Swift.max(8, MemoryLayout<Payload>.alignment) }
  @inlinable static var slotAlignment: Int { Swift.max(8, MemoryLayout<Payload>.alignment) }
  @inlinable static var slotStride: Int {
    let end = payloadOffset + MemoryLayout<Payload>.size
    return (end + slotAlignment - 1) & ~(slotAlignment - 1)
  }

  @inlinable
  init(capacity: Int, rankLimit: UInt64 = 1 << 32) {
    precondition(rankLimit >= 2 && rankLimit <= 1 << 32, "EventQueue: rank limit out of range")
    let capacity = Swift.max(capacity, 4)
    entries = RawMemory.allocate(byteCount: capacity * MemoryLayout<HeapEntry>.stride, alignment: 16)
      .bindMemory(to: HeapEntry.self, capacity: capacity)
    count = 0
    self.capacity = capacity
    slotCapacity = Swift.min(capacity, EventQueueLayout.noSlot)
    slots = RawMemory.allocate(byteCount: slotCapacity * Self.slotStride, alignment: Self.slotAlignment)
    slotCount = 0
    freeHead = EventQueueLayout.noSlot
    nextSequence = 0
    staleCount = 0
    nextRank = 0
    self.rankLimit = rankLimit
  }

  @inlinable
  func owner(_ slot: Int) -> UnsafeMutablePointer<UInt64> {
    (slots + slot &* Self.slotStride).assumingMemoryBound(to: UInt64.self)
  }

  @inlinable
  func payload(_ slot: Int) -> UnsafeMutablePointer<Payload> {
    (slots + (slot &* Self.slotStride &+ Self.payloadOffset)).assumingMemoryBound(to: Payload.self)
  }

  @inlinable
  func isLive(_ id: UInt64) -> Bool {
    let slot = Int(truncatingIfNeeded: id & EventQueueLayout.slotMask)
    return slot < slotCount && owner(slot).pointee == id
  }

  /// Deep copy (payloads of live events are copied); used when the storage is shared.
  @inlinable
  func copy() -> EventHeapCore {
    var result = EventHeapCore(capacity: capacity, rankLimit: rankLimit)
    if slotCapacity > result.slotCapacity {
      RawMemory.deallocate(result.slots)
      result.slots = RawMemory.allocate(
        byteCount: slotCapacity * Self.slotStride, alignment: Self.slotAlignment)
      result.slotCapacity = slotCapacity
    }
    result.entries.initialize(from: entries, count: count)
    result.count = count
    for slot in 0..<slotCount {
      let word = owner(slot).pointee
      result.owner(slot).initialize(to: word)
      if word < EventQueueLayout.vacantFloor {
        result.payload(slot).initialize(to: payload(slot).pointee)
      }
    }
    result.slotCount = slotCount
    result.freeHead = freeHead
    result.nextSequence = nextSequence
    result.staleCount = staleCount
    result.nextRank = nextRank
    return result
  }

  /// Releases live payloads and all memory; the core must not be used afterwards.
  @inlinable
  mutating func destroy() {
    deinitializeLivePayloads()
    RawMemory.deallocate(UnsafeMutableRawPointer(entries))
    RawMemory.deallocate(slots)
  }

  @inlinable
  func deinitializeLivePayloads() {
    for slot in 0..<slotCount where owner(slot).pointee < EventQueueLayout.vacantFloor {
      payload(slot).deinitialize(count: 1)
    }
  }

  // MARK: Operations

  @inlinable
  mutating func push(_ value: Payload, time: Int64, priority: Int32) -> UInt64 {
    precondition(nextSequence < EventQueueLayout.sequenceLimit, "EventQueue: 2^38 - 1 pushes exhausted")
    let slot: Int
    if freeHead != EventQueueLayout.noSlot {
      slot = freeHead
      freeHead = Int(truncatingIfNeeded: owner(slot).pointee & EventQueueLayout.slotMask)
    } else {
      if slotCount == slotCapacity { growSlots() }
      slot = slotCount
      slotCount &+= 1
    }
    let id = nextSequence << EventQueueLayout.slotBits | UInt64(truncatingIfNeeded: slot)
    nextSequence &+= 1
    owner(slot).pointee = id
    payload(slot).initialize(to: value)
    if count == capacity { growEntries() }
    if nextRank == rankLimit { renumberRanks() }
    let rank = UInt32(truncatingIfNeeded: nextRank)
    nextRank &+= 1
    let hole = count
    count &+= 1
    siftUp(HeapEntry(time: time, priority: priority, rank: rank, id: id), from: hole)
    return id
  }

  /// Removes the (live) top and returns it with its payload. Requires `count > 0`.
  @inlinable
  mutating func popTop() -> (entry: HeapEntry, payload: Payload) {
    let top = entries[0]
    let slot = top.slot
    let value = payload(slot).move()
    releaseSlot(slot)
    removeTop()
    if staleCount > 0 { discardStaleTop() }
    return (top, value)
  }

  /// Cancels a live event and hands its payload back (so that the caller releases it after the
  /// queue is consistent again). Returns `nil` if `id` is not live.
  @inlinable
  mutating func remove(_ id: UInt64) -> Payload? {
    guard isLive(id) else { return nil }
    let slot = Int(truncatingIfNeeded: id & EventQueueLayout.slotMask)
    owner(slot).pointee = EventQueueLayout.vacant(next: EventQueueLayout.noSlot)
    let value = payload(slot).move()
    staleCount &+= 1
    if entries[0].id == id {
      discardStaleTop()
    } else if staleCount > 64 && staleCount > count / 2 {
      compact()
    }
    return value
  }

  /// Drops every event; memory is kept, sequence numbers continue (old IDs stay dead).
  @inlinable
  mutating func removeAll() {
    deinitializeLivePayloads()
    count = 0
    slotCount = 0
    freeHead = EventQueueLayout.noSlot
    staleCount = 0
    nextRank = 0
  }

  // MARK: Internals

  /// Puts a slot whose heap node is gone on the free list (its payload must already be gone).
  @inlinable
  mutating func releaseSlot(_ slot: Int) {
    owner(slot).pointee = EventQueueLayout.vacant(next: freeHead)
    freeHead = slot
  }

  /// Pops stale nodes off the top until the top is live (or the heap is empty).
  @inlinable
  mutating func discardStaleTop() {
    while count > 0 {
      let top = entries[0]
      if owner(top.slot).pointee == top.id { return }
      releaseSlot(top.slot)
      staleCount &-= 1
      removeTop()
    }
  }

  /// Removes `entries[0]` bottom-up: the hole sinks along the smallest children to a leaf, then the
  /// former last node is sifted up from there. That costs three key comparisons per level (a
  /// branch-free tournament over four children) instead of four, and the last node rarely climbs.
  @inlinable
  mutating func removeTop() {
    let nodes = entries
    let n = count &- 1
    count = n
    guard n > 0 else { return }
    let last = nodes[n]
    var hole = 0
    while true {
      let first = hole &* 4 &+ 1
      let best: Int
      if first &+ 3 < n {
        let k0 = nodes[first].key
        let k1 = nodes[first &+ 1].key
        let k2 = nodes[first &+ 2].key
        let k3 = nodes[first &+ 3].key
        // Tournament: a = (k1 < k0), b = (k3 < k2), c = (min(k2, k3) < min(k0, k1)). The winner's
        // offset is looked up in a nibble table indexed by c·4 + b·2 + a (offsets 0,1,0,1,2,2,3,3),
        // which keeps the choice in arithmetic: a select here gets turned into an unpredictable branch.
        let a = k1 < k0
        let b = k3 < k2
        let c = (b ? k3 : k2) < (a ? k1 : k0)
        let selector = (c ? 4 : 0) | (b ? 2 : 0) | (a ? 1 : 0)
        best = first &+ (0x3322_1010 &>> (selector &<< 2)) & 0xF
      } else if first < n {
        var index = first
        var child = first &+ 1
        while child < n {
          if nodes[child].precedes(nodes[index]) { index = child }
          child &+= 1
        }
        best = index
      } else {
        break
      }
      nodes[hole] = nodes[best]
      hole = best
    }
    siftUp(last, from: hole)
  }

  /// Writes `entry` into the hole at `index` after moving later-ordered ancestors down.
  @inlinable
  func siftUp(_ entry: HeapEntry, from index: Int) {
    let nodes = entries
    let key = entry.key
    var hole = index
    while hole > 0 {
      let parent = (hole &- 1) >> 2
      let parentEntry = nodes[parent]
      if !(key < parentEntry.key) { break }
      nodes[hole] = parentEntry
      hole = parent
    }
    nodes[hole] = entry
  }

  /// Classic sift-down (used when re-heapifying).
  @inlinable
  func siftDown(_ entry: HeapEntry, from index: Int) {
    let nodes = entries
    var hole = index
    while true {
      let first = hole &* 4 &+ 1
      if first >= count { break }
      var best = first
      var child = first &+ 1
      let end = Swift.min(first &+ 4, count)
      while child < end {
        if nodes[child].precedes(nodes[best]) { best = child }
        child &+= 1
      }
      if !nodes[best].precedes(entry) { break }
      nodes[hole] = nodes[best]
      hole = best
    }
    nodes[hole] = entry
  }

  /// Rebuilds the heap property over `entries[0..<count]` in O(n).
  @inlinable
  func heapify() {
    guard count > 1 else { return }
    for index in stride(from: (count - 2) >> 2, through: 0, by: -1) {
      siftDown(entries[index], from: index)
    }
  }

  /// Drops all stale nodes and rebuilds the heap in O(n).
  @usableFromInline
  mutating func compact() {
    var kept = 0
    for index in 0..<count {
      let entry = entries[index]
      if owner(entry.slot).pointee == entry.id {
        entries[kept] = entry
        kept += 1
      } else {
        releaseSlot(entry.slot)
      }
    }
    count = kept
    staleCount = 0
    heapify()
  }

  /// Reassigns ranks 0..<count in the current rank order once the rank counter is exhausted
  /// (every 2^32 pushes). Relative order is unchanged, so the heap stays valid.
  @usableFromInline
  mutating func renumberRanks() {
    if staleCount > 0 { compact() }
    precondition(UInt64(count) < rankLimit, "EventQueue: too many pending events for the rank space")
    let nodes = entries
    var order = Array(0..<count)
    order.sort { nodes[$0].rank < nodes[$1].rank }
    for (rank, index) in order.enumerated() {
      nodes[index].tieKey = nodes[index].tieKey & ~0xFFFF_FFFF | UInt64(rank)
    }
    nextRank = UInt64(count)
  }

  @usableFromInline
  mutating func growEntries() {
    let newCapacity = capacity * 2
    let newEntries = RawMemory.allocate(
      byteCount: newCapacity * MemoryLayout<HeapEntry>.stride, alignment: 16
    )
    .bindMemory(to: HeapEntry.self, capacity: newCapacity)
    newEntries.moveInitialize(from: entries, count: count)
    RawMemory.deallocate(UnsafeMutableRawPointer(entries))
    entries = newEntries
    capacity = newCapacity
  }

  @usableFromInline
  mutating func growSlots() {
    // Slot numbers must fit the ID's slot bits, all-ones being the free-list terminator.
    precondition(slotCapacity < EventQueueLayout.noSlot, "EventQueue: more than 2^26 - 1 events pending")
    let newCapacity = Swift.min(slotCapacity * 2, EventQueueLayout.noSlot)
    let oldSlots = slots
    slots = RawMemory.allocate(byteCount: newCapacity * Self.slotStride, alignment: Self.slotAlignment)
    for slot in 0..<slotCount {
      let word = (oldSlots + slot * Self.slotStride).assumingMemoryBound(to: UInt64.self).pointee
      owner(slot).initialize(to: word)
      if word < EventQueueLayout.vacantFloor {
        let old = (oldSlots + (slot * Self.slotStride + Self.payloadOffset)).assumingMemoryBound(
          to: Payload.self)
        payload(slot).moveInitialize(from: old, count: 1)
      }
    }
    RawMemory.deallocate(oldSlots)
    slotCapacity = newCapacity
  }
}

/// Reference-counted owner of an ``EventHeapCore`` (kept in the object header); gives
/// ``EventQueue`` its copy-on-write value semantics.
@usableFromInline
internal final class EventQueueStorage<Payload>: ManagedBuffer<EventHeapCore<Payload>, UInt8> {
  @inlinable
  static func make(core: EventHeapCore<Payload>) -> EventQueueStorage {
    let buffer = create(minimumCapacity: 0) { _ in core }
    return unsafeDowncast(buffer, to: EventQueueStorage.self)
  }

  deinit {
    withUnsafeMutablePointerToHeader { $0.pointee.destroy() }
  }
}

/// Priority queue of events ordered by (time, priority, insertion sequence): ties are FIFO so runs are deterministic.
/// Lower priority value fires first at equal time. Cancellation is O(1) (lazy deletion) and cancelled events never pop.
///
/// A value type with copy-on-write storage: a 4-ary min-heap of 24-byte trivially copyable nodes
/// (time, priority, ID) and a slot table holding the payloads, reused through a free list, so
/// moving heap nodes never copies or retains payloads. Cancelling marks the slot vacant and
/// releases the payload at once; the stale node is dropped when it reaches the top, or in bulk
/// (O(n) rebuild) once stale nodes outnumber live ones. The top node is always live, so
/// ``peekTime()`` is a plain read. `push` and `popFirst` are O(log n); `cancel`, `count` and
/// `peekTime` are O(1) (amortised for `cancel`).
///
/// Limits (checked by preconditions): at most 2^26 − 1 (about 67 million) events pending at once,
/// 2^38 − 1 (about 2.7 · 10^11) pushes over the queue's lifetime.
public struct EventQueue<Payload> {
  @usableFromInline var storage: EventQueueStorage<Payload>

  /// Creates an empty queue with storage reserved for `minimumCapacity` pending events.
  @inlinable
  public init(minimumCapacity: Int = 0) {
    storage = .make(core: EventHeapCore(capacity: minimumCapacity))
  }

  /// Test hook: a queue whose tie-break ranks are renumbered every `rankLimit` pushes (2^32 normally).
  init(minimumCapacity: Int = 0, rankLimit: UInt64) {
    storage = .make(core: EventHeapCore(capacity: minimumCapacity, rankLimit: rankLimit))
  }

  /// Runs `body` on the core for reading.
  @inlinable
  func read<R>(_ body: (UnsafeMutablePointer<EventHeapCore<Payload>>) -> R) -> R {
    storage.withUnsafeMutablePointerToHeader(body)
  }

  /// Runs `body` on a uniquely owned core (copying the storage first if it is shared).
  @inlinable
  mutating func modify<R>(_ body: (UnsafeMutablePointer<EventHeapCore<Payload>>) -> R) -> R {
    if !isKnownUniquelyReferenced(&storage) {
      storage = .make(core: storage.withUnsafeMutablePointerToHeader { $0.pointee.copy() })
    }
    return storage.withUnsafeMutablePointerToHeader(body)
  }

  /// Number of live (pushed, not yet popped, not cancelled) events.
  @inlinable
  public var count: Int { read { $0.pointee.count &- $0.pointee.staleCount } }

  /// Whether no live event is pending.
  @inlinable
  public var isEmpty: Bool { read { $0.pointee.count == 0 } }

  /// Time of the event `popFirst()` would return next, or `nil` when empty. O(1), non-mutating.
  @inlinable
  public func peekTime() -> SimTime? {
    read { core in
      core.pointee.count == 0 ? nil : SimTime(milliseconds: core.pointee.entries[0].time)
    }
  }

  /// Whether `id` names an event of this queue that is still pending (neither popped nor cancelled).
  @inlinable
  public func contains(_ id: EventID) -> Bool {
    read { $0.pointee.isLive(id.rawValue) }
  }

  /// Adds an event; among events at the same `time`, lower `priority` pops first, then earlier pushes.
  /// - Returns: the ID to pass to ``cancel(_:)``.
  @inlinable
  @discardableResult
  public mutating func push(_ payload: Payload, at time: SimTime, priority: Int32 = 0) -> EventID {
    EventID(rawValue: modify { $0.pointee.push(payload, time: time.milliseconds, priority: priority) })
  }

  /// Removes and returns the earliest live event (ties: lower priority, then FIFO), or `nil` when empty.
  @inlinable
  public mutating func popFirst() -> (time: SimTime, priority: Int32, id: EventID, payload: Payload)? {
    if isEmpty { return nil }  // before `modify`, so that popping an empty shared queue copies nothing
    return modify { core in
      let (entry, payload) = core.pointee.popTop()
      return (SimTime(milliseconds: entry.time), entry.priority, EventID(rawValue: entry.id), payload)
    }
  }

  /// Removes and returns the earliest live event if it is due at or before `limit`; otherwise
  /// leaves the queue untouched and returns `nil`. The run loop's peek-and-pop in one step.
  @inlinable
  public mutating func popFirst(notAfter limit: SimTime) -> (
    time: SimTime, priority: Int32, id: EventID, payload: Payload
  )? {
    guard let time = peekTime(), time <= limit else { return nil }
    return modify { core in
      let (entry, payload) = core.pointee.popTop()
      return (time, entry.priority, EventID(rawValue: entry.id), payload)
    }
  }

  /// Cancels a pending event so it never pops, releasing its payload immediately. O(1) amortised.
  /// - Returns: `false` if the event already popped, was already cancelled, or is unknown to this queue.
  @inlinable
  @discardableResult
  public mutating func cancel(_ id: EventID) -> Bool {
    remove(id) != nil
  }

  /// Cancels a pending event and returns its payload, or `nil` if the event already popped, was
  /// already cancelled, or is unknown to this queue. O(1) amortised.
  @inlinable
  public mutating func remove(_ id: EventID) -> Payload? {
    guard contains(id) else { return nil }
    return modify { $0.pointee.remove(id.rawValue) }
  }

  /// Removes every event, keeping allocated storage. IDs issued before stay dead.
  @inlinable
  public mutating func removeAll() {
    modify { $0.pointee.removeAll() }
  }
}

extension EventQueue: @unchecked Sendable where Payload: Sendable {}
