import Foundation
import Synchronization

/// A second thread for one fixed, short job that the caller hands over many thousand times a
/// second and runs alongside its own share of the work (best fit's search of the other half of
/// the hosts). Handing over costs a store and a load of one shared word while the worker spins;
/// after `spinLimit` idle polls (microseconds) it sleeps on a semaphore, so between optimisation
/// rounds it does not take the core from the frames, and it yields the core every 256 polls.
///
/// Whoever comes first runs the job: if the worker has not taken it by the time the caller's
/// own share is done (the worker asleep, or its core busy with another process), the caller runs
/// it itself, so a loaded machine costs the hand-over and nothing more. A worker that finds four
/// jobs in a row already taken goes to sleep at once.
///
/// The job may only touch state the caller's own share does not touch while both run: the
/// caller's `run` returns after the job has finished (with acquire/release ordering on the
/// shared words), so everything the job wrote is visible to the caller afterwards.
final class PairedWorker: @unchecked Sendable {
  /// Number of jobs posted; the worker runs job n when it sees n posted.
  private let posted = Atomic<Int>(0)
  /// Number of jobs taken (by the worker or the caller).
  private let taken = Atomic<Int>(0)
  /// Number of jobs finished by the worker.
  private let finished = Atomic<Int>(0)
  private let sleeping = Atomic<Bool>(false)
  private let stopping = Atomic<Bool>(false)
  private let wake = DispatchSemaphore(value: 0)
  /// Idle polls before sleeping.
  let spinLimit: Int
  private let job: @Sendable () -> Void

  /// Starts the thread; `job` runs on it once per `run`.
  init(spinLimit: Int = 1 << 13, job: @escaping @Sendable () -> Void) {
    self.spinLimit = spinLimit
    self.job = job
    let thread = Thread { [self] in loop() }
    thread.name = "yunhe.best-fit"
    thread.start()
  }

  private func loop() {
    var seen = 0
    var losses = 0
    while true {
      var polls = 0
      while posted.load(ordering: .acquiring) == seen {
        if stopping.load(ordering: .relaxed) { return }
        polls += 1
        if polls & 255 == 0 { sched_yield() }
        if polls >= spinLimit || losses >= 4 {
          sleeping.store(true, ordering: .sequentiallyConsistent)
          if posted.load(ordering: .sequentiallyConsistent) == seen && !stopping.load(ordering: .relaxed) {
            wake.wait()
          }
          sleeping.store(false, ordering: .sequentiallyConsistent)
          polls = 0
          losses = 0
        }
      }
      seen += 1
      if taken.compareExchange(expected: seen - 1, desired: seen, ordering: .acquiringAndReleasing).exchanged
      {
        job()
        finished.store(seen, ordering: .releasing)
        losses = 0
      } else {
        losses += 1
      }
    }
  }

  /// Runs the job on the worker while `own` runs here; returns when both are done.
  func run(alongside own: () -> Void) {
    let n = posted.load(ordering: .relaxed) + 1
    posted.store(n, ordering: .sequentiallyConsistent)
    // One signal per sleep: the first hand-over that finds the worker asleep wakes it.
    if sleeping.load(ordering: .sequentiallyConsistent)
      && sleeping.exchange(false, ordering: .sequentiallyConsistent)
    {
      wake.signal()
    }
    own()
    if taken.compareExchange(expected: n - 1, desired: n, ordering: .acquiringAndReleasing).exchanged {
      job()
    } else {
      while finished.load(ordering: .acquiring) != n {}
    }
  }

  /// Stops the thread (after the job in progress, if any). The worker must not be used after.
  func stop() {
    stopping.store(true, ordering: .sequentiallyConsistent)
    wake.signal()
  }
}
