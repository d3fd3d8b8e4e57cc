// Hold model driver for instruction counting (run under callgrind; see ../../README.md).
//
//   HoldModel <pending> <operations> [queue|simulator]
//
// Fills the pending set with <pending> events, then performs <operations> hold steps: pop the
// earliest event and push one at its time plus a pseudo-random increment. Only the hold phase
// should be counted: with callgrind, compare a run against the same <pending> with 0 operations,
// or read the `holdLoop` / `simulatorLoop` inclusive cost.
import SimCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// SplitMix64: tiny, deterministic, good enough to spread event times.
struct SplitMix64 {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// Increment in 1...2048 ms (mean ~1 s), like the classic hold model's random service time.
  mutating func increment() -> Int64 { Int64(next() & 2047) + 1 }
}

@inline(never)
func fillQueue(_ queue: inout EventQueue<Int>, pending: Int, rng: inout SplitMix64) {
  for index in 0..<pending {
    queue.push(index, at: SimTime(milliseconds: rng.increment()))
  }
}

@inline(never)
func holdLoop(_ queue: inout EventQueue<Int>, operations: Int, rng: inout SplitMix64) -> Int {
  var checksum = 0
  for _ in 0..<operations {
    let event = queue.popFirst()!
    checksum &+= event.payload
    queue.push(event.payload, at: event.time + SimDuration(milliseconds: rng.increment()))
  }
  return checksum
}

/// Simulator hold: every action reschedules the same closure value, so the pending count stays
/// constant, and the action stops the run once the operation budget is spent.
final class SimulatorHold {
  var remaining: Int
  var rng = SplitMix64(state: 7)
  private(set) lazy var action: (Simulator) -> Void = { [unowned self] simulator in self.step(simulator) }

  init(operations: Int) { remaining = operations }

  func step(_ simulator: Simulator) {
    simulator.schedule(after: SimDuration(milliseconds: rng.increment()), action)
    remaining -= 1
    if remaining == 0 { simulator.stop() }
  }
}

@inline(never)
func fillSimulator(
  _ simulator: Simulator, pending: Int, rng: inout SplitMix64, action: @escaping (Simulator) -> Void
) {
  for _ in 0..<pending {
    simulator.schedule(at: SimTime(milliseconds: rng.increment()), action)
  }
}

@inline(never)
func simulatorLoop(_ simulator: Simulator) -> Int {
  simulator.run()
}

let arguments = CommandLine.arguments
guard arguments.count >= 3, let pending = Int(arguments[1]), let operations = Int(arguments[2]), pending > 0,
  operations >= 0
else {
  print("usage: HoldModel <pending> <operations> [queue|simulator]")
  exit(2)
}
let mode = arguments.count > 3 ? arguments[3] : "queue"
var rng = SplitMix64(state: 42)

switch mode {
case "queue":
  var queue = EventQueue<Int>(minimumCapacity: pending)
  fillQueue(&queue, pending: pending, rng: &rng)
  let checksum = holdLoop(&queue, operations: operations, rng: &rng)
  print("queue hold: pending=\(queue.count) operations=\(operations) checksum=\(checksum)")
case "simulator":
  let simulator = Simulator()
  let hold = SimulatorHold(operations: operations)
  fillSimulator(simulator, pending: pending, rng: &rng, action: hold.action)
  let dispatched = operations > 0 ? simulatorLoop(simulator) : 0
  print("simulator hold: pending=\(simulator.pendingEvents) dispatched=\(dispatched) now=\(simulator.now)")
default:
  print("unknown mode \(mode)")
  exit(2)
}
