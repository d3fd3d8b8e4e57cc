import Synchronization
import Testing

@testable import DynamicConsolidation

@Suite struct PairedWorkerTests {
  /// Every hand-over runs the job exactly once (on the worker or, if it has not taken it yet, on
  /// the caller), and what the job wrote is visible when `run` returns.
  @Test func everyJobRunsOnceAndIsVisible() {
    final class Box: @unchecked Sendable {
      var jobs = 0
      var value = 0
    }
    let box = Box()
    let worker = PairedWorker(spinLimit: 64) {
      box.jobs += 1
      box.value = box.jobs * 3
    }
    defer { worker.stop() }
    var own = 0
    for n in 1...20_000 {
      worker.run { own += 1 }
      #expect(box.jobs == n)
      #expect(box.value == n * 3)
      if box.jobs != n { break }
    }
    #expect(own == 20_000)
  }
}
