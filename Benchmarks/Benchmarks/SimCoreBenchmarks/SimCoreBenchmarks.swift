// SimCore kernel benchmarks: the classic "hold" model on EventQueue and closure dispatch on Simulator.
//
// Hold model: the queue holds N pending events; one operation pops the earliest event and pushes a
// replacement at its time plus a pseudo-random increment, so N stays constant. Each benchmark
// iteration performs 1 000 operations (scaling factor kilo), so the throughput column reads directly
// as events (pop + push) per second.
import Benchmark
import SimCore

/// SplitMix64: tiny and deterministic, good enough to spread event times.
struct SplitMix64 {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Increment in 1...2048 ms.
  mutating func increment() -> SimDuration { SimDuration(milliseconds: Int64(next() & 2047) + 1) }
}

/// A pre-filled queue kept across iterations (filling a million events is not what is measured).
final class QueueHold {
  let pending: Int
  var queue = EventQueue<Int>()
  var rng = SplitMix64(state: 42)
  private var isFilled = false

  init(pending: Int) { self.pending = pending }

  func fillOnce() {
    guard !isFilled else { return }
    isFilled = true
    queue = EventQueue(minimumCapacity: pending)
    for index in 0..<pending { queue.push(index, at: .zero + rng.increment()) }
  }
}

@inline(never)
func hold(_ queue: inout EventQueue<Int>, _ rng: inout SplitMix64, operations: Int) -> Int {
  var checksum = 0
  for _ in 0..<operations {
    let event = queue.popFirst()!
    checksum &+= event.payload
    queue.push(event.payload, at: event.time + rng.increment())
  }
  return checksum
}

/// Simulator hold: every action reschedules itself, so the pending count stays constant; the
/// action stops the run after `budget` dispatches.
final class SimulatorHold {
  let simulator = Simulator()
  var remaining = 0
  var rng = SplitMix64(state: 7)
  let freshClosures: Bool
  private(set) lazy var action: (Simulator) -> Void = { [unowned self] simulator in self.step(simulator) }

  init(pending: Int, freshClosures: Bool) {
    self.freshClosures = freshClosures
    for _ in 0..<pending { simulator.schedule(after: rng.increment(), action) }
  }

  func step(_ simulator: Simulator) {
    if freshClosures {
      // A new closure context per event, as model code capturing per-event state would allocate.
      let tag = remaining
      simulator.schedule(after: rng.increment()) { [unowned self] simulator in
        blackHole(tag)
        self.step(simulator)
      }
    } else {
      simulator.schedule(after: rng.increment(), action)
    }
    remaining -= 1
    if remaining == 0 { simulator.stop() }
  }

  func run(events: Int) -> Int {
    remaining = events
    return simulator.run()
  }
}

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.throughput, .wallClock, .mallocCountTotal],
    timeUnits: .nanoseconds,
    warmupIterations: 10,
    scalingFactor: .kilo,
    maxDuration: .seconds(3),
    maxIterations: 1_000_000
  )

  for pending in [1_000, 1_000_000] {
    let state = QueueHold(pending: pending)
    Benchmark("EventQueue hold, \(pending) pending") { benchmark in
      state.fillOnce()
      benchmark.startMeasurement()
      blackHole(hold(&state.queue, &state.rng, operations: benchmark.scaledIterations.count))
    }
  }

  let reused = SimulatorHold(pending: 1_000, freshClosures: false)
  Benchmark("Simulator dispatch, 1000 pending") { benchmark in
    blackHole(reused.run(events: benchmark.scaledIterations.count))
  }

  let fresh = SimulatorHold(pending: 1_000, freshClosures: true)
  Benchmark("Simulator dispatch, new closure per event, 1000 pending") { benchmark in
    blackHole(fresh.run(events: benchmark.scaledIterations.count))
  }
}
