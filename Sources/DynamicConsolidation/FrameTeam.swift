import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A second thread for the frames, overload scans and best fit's search of the second half of
/// the hosts: `run(_:)` posts a job of two parts, runs
/// part 0 itself, then waits for part 1 on the worker, or runs part 1 too if the worker has not
/// taken it by then (asleep, or its core busy with another process). `search(_:_:_:)` does the
/// same for best fit's two halves without a closure (a run posts millions of them).
///
/// A week-long run has about 14 000 frames of a few steps each, so a hand-over must cost far
/// less than a dispatch to a thread pool: after a job the worker polls the job counter for a
/// while (a few hundred microseconds) and only then sleeps on a semaphore, so between rounds (and
/// during rounds without a split best fit) it leaves the core alone. It yields the core only
/// every 8 192 polls: a best-fit search takes a few microseconds, and a worker inside
/// `sched_yield` when a job is posted starts it late and keeps the caller waiting (yielding
/// every 256 polls cost 30 k synthetic LrMmt 8 % of its wall time). The caller, once part 1 has
/// been taken, polls for its end and yields the processor after 16 384 polls, in case the worker
/// was preempted (a busy machine).
///
/// Ordering: the caller writes `job` (or the search's engine and half) and posts with a sequentially consistent store; the worker
/// reads `job` only after an acquiring load of the post and a successful take (the caller takes
/// the job with the same compare-exchange, so each part 1 runs once), and it publishes its end
/// with a releasing store that the caller acquires before returning. So the parts' writes are
/// visible to the caller after `run`, and the caller's writes before `run` to both parts.
final class FrameTeam: @unchecked Sendable {
  /// The posted job's body (called with part 1), valid between posting and the end of `run`.
  private var job: ((Int) -> Void)?
  /// A posted best-fit search (`search`): the engine and the half its part 1 searches, held
  /// without reference counting (the caller keeps both alive until the search returns), so a
  /// hand-over costs no closure context and no retain or release on either thread.
  private var searchEngine: Unmanaged<Engine>?
  private var searchHalf: Unmanaged<FitIndex>?
  /// Jobs posted; the worker runs job n when it sees n posted and takes it.
  private let posted = Atomic<Int>(0)
  /// Jobs taken, by the worker or the caller.
  private let taken = Atomic<Int>(0)
  /// Jobs finished by the worker.
  private let finished = Atomic<Int>(0)
  private let sleeping = Atomic<Bool>(false)
  private let stopping = Atomic<Bool>(false)
  private let wake = DispatchSemaphore(value: 0)
  /// Idle polls before the worker sleeps (it yields the core every 8 192).
  private let spinLimit = 1 << 16
  /// Jobs whose part 1 ran on the worker (tests and diagnostics).
  private(set) var workerRuns = 0

  init() {
    let thread = Thread { [self] in loop() }
    thread.name = "yunhe.frames"
    thread.start()
  }

  private func loop() {
    var seen = 0
    while true {
      var polls = 0
      while posted.load(ordering: .acquiring) == seen {
        if stopping.load(ordering: .relaxed) { return }
        polls += 1
        if polls & 8191 == 0 { sched_yield() }
        if polls >= spinLimit {
          sleeping.store(true, ordering: .sequentiallyConsistent)
          if posted.load(ordering: .sequentiallyConsistent) == seen && !stopping.load(ordering: .relaxed) {
            wake.wait()
          }
          sleeping.store(false, ordering: .sequentiallyConsistent)
          polls = 0
        }
      }
      seen += 1
      if taken.compareExchange(expected: seen - 1, desired: seen, ordering: .acquiringAndReleasing).exchanged
      {
        if let engine = searchEngine, let half = searchHalf {
          engine._withUnsafeGuaranteedRef { e in half._withUnsafeGuaranteedRef { e.fitSearch($0) } }
        } else {
          job!(1)
        }
        finished.store(seen, ordering: .releasing)
      }
    }
  }

  /// Runs `body(0)` here and `body(1)` on the worker (or here, after `body(0)`, if the worker
  /// has not taken it); returns when both are done. The parts must touch disjoint state.
  func run(_ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { body in
      job = body
      let n = post()
      body(0)
      if taken.compareExchange(expected: n - 1, desired: n, ordering: .acquiringAndReleasing).exchanged {
        body(1)
      } else {
        awaitWorker(n)
      }
      job = nil
    }
  }

  /// `run` for best fit's two halves: `engine.fitSearch(first)` here and
  /// `engine.fitSearch(second)` on the worker (or here, if the worker has not taken it).
  /// The caller keeps the three objects alive until it returns.
  func search(_ engine: Unmanaged<Engine>, _ first: Unmanaged<FitIndex>, _ second: Unmanaged<FitIndex>) {
    searchEngine = engine
    searchHalf = second
    let n = post()
    engine._withUnsafeGuaranteedRef { e in first._withUnsafeGuaranteedRef { e.fitSearch($0) } }
    if taken.compareExchange(expected: n - 1, desired: n, ordering: .acquiringAndReleasing).exchanged {
      engine._withUnsafeGuaranteedRef { e in second._withUnsafeGuaranteedRef { e.fitSearch($0) } }
    } else {
      awaitWorker(n)
    }
    searchEngine = nil
    searchHalf = nil
  }

  /// Posts job n (returned) and wakes the worker if it sleeps.
  @inline(__always) private func post() -> Int {
    let n = posted.load(ordering: .relaxed) + 1
    posted.store(n, ordering: .sequentiallyConsistent)
    // One signal per sleep: the first post that finds the worker asleep wakes it.
    if sleeping.load(ordering: .sequentiallyConsistent)
      && sleeping.exchange(false, ordering: .sequentiallyConsistent)
    {
      wake.signal()
    }
    return n
  }

  /// Waits for the worker to finish job n, which it has taken.
  @inline(__always) private func awaitWorker(_ n: Int) {
    var polls = 0
    while finished.load(ordering: .acquiring) != n {
      polls += 1
      if polls >= 1 << 14 { sched_yield() }
    }
    workerRuns += 1
  }

  /// Stops the thread (after the job in progress, if any). The team must not be used after.
  func stop() {
    stopping.store(true, ordering: .sequentiallyConsistent)
    wake.signal()
  }
}
