// The run loop: pops closures off an EventQueue in time order and advances the clock to each one.

/// Run loop over an ``EventQueue`` of closures. Not Sendable; single-threaded by design.
///
/// Actions receive the simulator so they can read ``now`` and schedule follow-up events. Events at
/// equal time run in (priority, scheduling order), so a run is fully determined by its inputs.
public final class Simulator {
  /// Signature of a scheduled action.
  public typealias Action = (Simulator) -> Void

  /// Mutable state, kept behind a pointer: stored `var`s of a class get dynamic exclusivity checks
  /// (about 200 instructions per event here), which the optimizer cannot drop because releasing a
  /// payload may run arbitrary code. Payloads are therefore only ever released outside accesses to
  /// `state`, which keeps the accesses non-overlapping, and `run` refuses to nest.
  private struct State {
    var now = SimTime.zero
    var dispatchedEvents = 0
    var stopRequested = false
    var isRunning = false
    var queue = EventQueue<Scheduled>()
  }

  /// Wraps the closure so the queue stores it at its natural abstraction: a bare function type as
  /// a generic payload is stored maximally abstracted, costing a thunk allocation per event.
  private struct Scheduled {
    let action: Action
  }

  private let state: UnsafeMutablePointer<State>

  /// Creates a simulator at ``SimTime/zero`` with no pending events.
  public init() {
    state = .allocate(capacity: 1)
    state.initialize(to: State())
  }

  deinit {
    state.deinitialize(count: 1)
    state.deallocate()
  }

  /// The current simulated instant: the time of the event being dispatched, or where the last run stopped.
  public var now: SimTime { state.pointee.now }

  /// Events dispatched over the simulator's lifetime (all `run` calls).
  public var dispatchedEvents: Int { state.pointee.dispatchedEvents }

  /// Number of events scheduled and neither dispatched nor cancelled.
  public var pendingEvents: Int { state.pointee.queue.count }

  /// Time of the next pending event, or `nil` when none.
  public var nextEventTime: SimTime? { state.pointee.queue.peekTime() }

  /// Schedules `action` at the absolute instant `time`, which must not lie before ``now``.
  /// At equal time, lower `priority` runs first, then earlier-scheduled events.
  ///
  /// Actions get the simulator as their argument; capturing it strongly instead would keep it
  /// alive for as long as the event is pending.
  @discardableResult
  public func schedule(at time: SimTime, priority: Int32 = 0, _ action: @escaping Action) -> EventID {
    precondition(time >= state.pointee.now, "Simulator.schedule: \(time) lies before now (\(now))")
    return state.pointee.queue.push(Scheduled(action: action), at: time, priority: priority)
  }

  /// Schedules `action` `delay` after ``now``; `delay` must not be negative.
  @discardableResult
  public func schedule(after delay: SimDuration, priority: Int32 = 0, _ action: @escaping Action) -> EventID {
    precondition(delay >= .zero, "Simulator.schedule: negative delay \(delay)")
    return state.pointee.queue.push(
      Scheduled(action: action), at: state.pointee.now + delay, priority: priority)
  }

  /// Cancels a pending event. Returns `false` if it already ran, was already cancelled, or is unknown.
  @discardableResult
  public func cancel(_ id: EventID) -> Bool {
    let action = state.pointee.queue.remove(id)
    return action != nil  // the action (and whatever it captured) is released after the access
  }

  /// Periodic sampling hook: fires at start, start+interval, ... while time <= until (inclusive); returns a handle whose cancel stops it.
  ///
  /// With `end == nil` it repeats until cancelled. When `end` lies before `start` nothing fires.
  /// `interval` must be positive and `start` must not lie before ``now``. Each firing schedules the
  /// next one after running `action`, so the action may cancel the handle to stop the series.
  @discardableResult
  public func every(
    _ interval: SimDuration, from start: SimTime, until end: SimTime?, priority: Int32 = 0,
    _ action: @escaping Action
  ) -> PeriodicHandle {
    precondition(interval > .zero, "Simulator.every: interval must be positive, got \(interval)")
    precondition(start >= now, "Simulator.every: start \(start) lies before now (\(now))")
    let handle = PeriodicHandle(interval: interval, end: end, priority: priority, action: action)
    handle.simulator = self
    if end.map({ start <= $0 }) ?? true {
      handle.pendingEvent = schedule(at: start, priority: priority) { [handle] simulator in
        handle.fire(simulator)
      }
    } else {
      handle.finish()
    }
    return handle
  }

  /// Runs until the queue is empty, stop() is called, or the next event lies after `end` (the clock then advances to `end`). Returns the number of events dispatched in this call.
  ///
  /// Events at exactly `end` are dispatched. When `end` is given and the run was not stopped, ``now``
  /// ends at `end` also if the queue ran dry earlier. `end` must not lie before ``now``. Not reentrant:
  /// actions must not call `run`.
  @discardableResult
  public func run(until end: SimTime? = nil) -> Int {
    precondition(!state.pointee.isRunning, "Simulator.run is not reentrant")
    if let end { precondition(end >= now, "Simulator.run: end \(end) lies before now (\(now))") }
    state.pointee.isRunning = true
    state.pointee.stopRequested = false
    defer { state.pointee.isRunning = false }
    let limit = end ?? SimTime(milliseconds: .max)
    var dispatched = 0
    while !state.pointee.stopRequested, let event = state.pointee.queue.popFirst(notAfter: limit) {
      state.pointee.now = event.time
      state.pointee.dispatchedEvents &+= 1
      dispatched &+= 1
      event.payload.action(self)
    }
    if let end, !state.pointee.stopRequested { state.pointee.now = end }
    return dispatched
  }

  /// Makes the current ``run(until:)`` return once the event being dispatched finishes.
  /// Has no effect outside a run (each run starts unstopped).
  public func stop() {
    state.pointee.stopRequested = true
  }
}

@available(*, unavailable, message: "Simulator is single-threaded")
extension Simulator: Sendable {}

/// Handle to a series started by ``Simulator/every(_:from:until:priority:_:)``; ``cancel()`` stops it.
///
/// The pending firing holds the handle, so dropping the handle does not stop the series.
public final class PeriodicHandle {
  /// Spacing between firings.
  public let interval: SimDuration
  /// Last instant at which the series may fire, or `nil` for an open-ended series.
  public let end: SimTime?
  /// Number of times the action has run so far.
  public private(set) var firings = 0
  /// Whether more firings may follow (false after ``cancel()`` or once the last firing ran).
  public private(set) var isActive = true

  let priority: Int32
  var action: Simulator.Action?
  weak var simulator: Simulator?
  var pendingEvent: EventID?

  init(interval: SimDuration, end: SimTime?, priority: Int32, action: @escaping Simulator.Action) {
    self.interval = interval
    self.end = end
    self.priority = priority
    self.action = action
  }

  /// Stops the series: the pending firing is cancelled and the action released. Idempotent.
  public func cancel() {
    if let pendingEvent { simulator?.cancel(pendingEvent) }
    finish()
  }

  func finish() {
    isActive = false
    pendingEvent = nil
    action = nil
  }

  func fire(_ simulator: Simulator) {
    pendingEvent = nil
    guard let action else { return }
    firings += 1
    action(simulator)
    guard isActive else { return }  // the action cancelled the series
    let next = simulator.now + interval
    if let end, next > end {
      finish()
      return
    }
    pendingEvent = simulator.schedule(at: next, priority: priority) { [self] simulator in
      fire(simulator)
    }
  }
}

@available(*, unavailable, message: "PeriodicHandle is single-threaded")
extension PeriodicHandle: Sendable {}
