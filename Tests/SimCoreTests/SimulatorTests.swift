import PropertyBased
import Testing

@testable import SimCore

@Suite("Simulator")
struct SimulatorTests {
  @Test func dispatchesInOrderAndAdvancesTheClock() {
    let simulator = Simulator()
    var log: [String] = []
    simulator.schedule(at: .seconds(2)) { log.append("b@\($0.now.milliseconds)") }
    simulator.schedule(at: .seconds(1)) { sim in
      log.append("a@\(sim.now.milliseconds)")
      sim.schedule(after: .seconds(5)) { log.append("d@\($0.now.milliseconds)") }
      sim.schedule(after: .zero) { log.append("a2@\($0.now.milliseconds)") }  // same instant, runs next
    }
    simulator.schedule(at: .seconds(2), priority: -1) { log.append("b0@\($0.now.milliseconds)") }
    #expect(simulator.pendingEvents == 3)
    #expect(simulator.nextEventTime == .seconds(1))
    let dispatched = simulator.run()
    #expect(dispatched == 5)
    #expect(log == ["a@1000", "a2@1000", "b0@2000", "b@2000", "d@6000"])
    #expect(simulator.now == .seconds(6))
    #expect(simulator.dispatchedEvents == 5)
    #expect(simulator.pendingEvents == 0)
    #expect(simulator.nextEventTime == nil)
  }

  @Test func runUntilStopsAtTheLimitAndAdvancesTheClock() {
    let simulator = Simulator()
    var fired: [Int64] = []
    for seconds: Int64 in [1, 3, 5, 5, 8] {
      simulator.schedule(at: .seconds(seconds)) { fired.append($0.now.milliseconds / 1_000) }
    }
    #expect(simulator.run(until: .seconds(5)) == 4, "events exactly at the limit run")
    #expect(fired == [1, 3, 5, 5])
    #expect(simulator.now == .seconds(5))
    #expect(simulator.run(until: .seconds(7)) == 0)
    #expect(simulator.now == .seconds(7), "the clock advances to the limit even without events")
    #expect(simulator.pendingEvents == 1)
    #expect(simulator.run(until: .seconds(20)) == 1)
    #expect(simulator.now == .seconds(20), "and when the queue runs dry before it")
    #expect(simulator.dispatchedEvents == 5)
  }

  @Test func stopEndsTheRunWithoutAdvancingToTheLimit() {
    let simulator = Simulator()
    var fired: [Int] = []
    for index in 0..<5 {
      simulator.schedule(at: .seconds(Int64(index))) { sim in
        fired.append(index)
        if index == 2 { sim.stop() }
      }
    }
    #expect(simulator.run(until: .hours(1)) == 3)
    #expect(simulator.now == .seconds(2))
    #expect(fired == [0, 1, 2])
    #expect(simulator.pendingEvents == 2)
    simulator.stop()  // outside a run: no effect on the next one
    #expect(simulator.run() == 2)
    #expect(fired == [0, 1, 2, 3, 4])
  }

  @Test func cancelledEventsNeverRun() {
    let simulator = Simulator()
    var fired: [String] = []
    let doomed = simulator.schedule(at: .seconds(3)) { _ in fired.append("doomed") }
    simulator.schedule(at: .seconds(1)) { sim in
      fired.append("canceller")
      #expect(sim.cancel(doomed))
      #expect(!sim.cancel(doomed))
    }
    simulator.schedule(at: .seconds(5)) { _ in fired.append("last") }
    simulator.run()
    #expect(fired == ["canceller", "last"])
    #expect(!simulator.cancel(doomed))
  }

  @Test func cancellingReleasesTheActionAndItsCaptures() {
    let tracker = LifetimeTracker()
    let simulator = Simulator()
    var token: Token? = Token(1, tracker)
    let id = simulator.schedule(at: .seconds(1)) { [token] _ in _ = token }
    token = nil
    #expect(tracker.released.isEmpty)
    #expect(simulator.cancel(id))
    #expect(tracker.released == [1])
  }

  @Test func everyFiresAtExactMultiplesUntilTheInclusiveEnd() {
    let simulator = Simulator()
    var times: [Int64] = []
    let handle = simulator.every(.minutes(5), from: .minutes(10), until: .minutes(30)) {
      times.append($0.now.milliseconds / 60_000)
    }
    simulator.run()
    #expect(times == [10, 15, 20, 25, 30])
    #expect(handle.firings == 5)
    #expect(!handle.isActive)
    #expect(simulator.pendingEvents == 0)
  }

  @Test func everyWithEndBeforeStartNeverFires() {
    let simulator = Simulator()
    var fired = 0
    let handle = simulator.every(.seconds(1), from: .seconds(10), until: .seconds(9)) { _ in fired += 1 }
    #expect(simulator.run() == 0)
    #expect(fired == 0)
    #expect(!handle.isActive)
  }

  @Test func cancellingAPeriodicHandleStopsIt() {
    let simulator = Simulator()
    var outside = 0
    let external = simulator.every(.seconds(1), from: .zero, until: nil) { _ in outside += 1 }
    var inside = 0
    var selfCancelling: PeriodicHandle?
    selfCancelling = simulator.every(.seconds(2), from: .seconds(1), until: nil) { _ in
      inside += 1
      if inside == 3 { selfCancelling?.cancel() }
    }
    simulator.run(until: .seconds(10))
    #expect(outside == 11, "0...10 s inclusive")
    #expect(inside == 3, "fired at 1, 3, 5 s, then cancelled itself")
    #expect(external.isActive)
    external.cancel()
    external.cancel()  // idempotent
    #expect(!external.isActive)
    #expect(simulator.pendingEvents == 0)
    simulator.run(until: .seconds(20))
    #expect(outside == 11)
  }

  @Test func schedulingInThePastTraps() async {
    await #expect(processExitsWith: .failure) {
      let simulator = Simulator()
      simulator.run(until: .seconds(10))
      simulator.schedule(at: .seconds(5)) { _ in }
    }
  }

  // MARK: Properties

  @Test func dispatchTimesNeverDecrease() async {
    // Each seed event reschedules itself a few times with random non-negative delays.
    let seeds = zip(Gen.int64(in: 0...500), Gen.int64(in: 0...50), Gen.int(in: 0...4)).array(of: 0...60)
    await propertyCheck(input: seeds) { seeds in
      let simulator = Simulator()
      var times: [SimTime] = []
      var expected = 0
      for (start, delay, repeats) in seeds {
        expected += repeats + 1
        var remaining = repeats
        func step(_ sim: Simulator) {
          times.append(sim.now)
          guard remaining > 0 else { return }
          remaining -= 1
          sim.schedule(after: .milliseconds(delay * Int64(remaining % 3)), step)
        }
        simulator.schedule(at: .milliseconds(start), step)
      }
      #expect(simulator.run() == expected)
      #expect(times.count == expected)
      #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
    }
  }

  @Test func cancelledEventsNeverFire() async {
    // Events at random times; a random subset is cancelled up front, another by earlier events.
    let plan = zip(Gen.int64(in: 0...100), Gen.int(in: 0...2), Gen.int(in: 0...1_000)).array(of: 0...80)
    await propertyCheck(input: plan) { plan in
      let simulator = Simulator()
      var fired: Set<Int> = []
      var cancelled: Set<Int> = []
      var ids: [EventID] = []
      for (index, (time, _, target)) in plan.enumerated() {
        ids.append(
          simulator.schedule(at: .milliseconds(time)) { sim in
            fired.insert(index)
            if plan[index].1 == 2, !ids.isEmpty {  // cancels some other event when it runs
              let victim = target % ids.count
              if sim.cancel(ids[victim]) { cancelled.insert(victim) }
            }
          })
      }
      for (index, (_, mode, _)) in plan.enumerated() where mode == 1 {
        if simulator.cancel(ids[index]) { cancelled.insert(index) }
      }
      simulator.run()
      #expect(fired.isDisjoint(with: cancelled))
      #expect(fired.union(cancelled) == Set(plan.indices))
    }
  }

  @Test func runUntilDispatchesExactlyTheEventsUpToTheLimit() async {
    await propertyCheck(input: Gen.int64(in: 0...1_000).array(of: 0...100), Gen.int64(in: 0...1_200)) {
      times, limit in
      let simulator = Simulator()
      var fired: [Int64] = []
      for time in times { simulator.schedule(at: .milliseconds(time)) { fired.append($0.now.milliseconds) } }
      let dispatched = simulator.run(until: .milliseconds(limit))
      let due = times.filter { $0 <= limit }.sorted()
      #expect(dispatched == due.count)
      #expect(fired == due)
      #expect(simulator.now == .milliseconds(limit))
      #expect(simulator.pendingEvents == times.count - due.count)
      #expect(simulator.nextEventTime?.milliseconds == times.filter { $0 > limit }.min())
    }
  }

  @Test func everyFiresFloorOfSpanOverIntervalPlusOneTimes() async {
    await propertyCheck(
      input: Gen.int64(in: 0...10_000), Gen.int64(in: 1...1_000), Gen.int64(in: -500...20_000)
    ) {
      start, interval, span in
      let simulator = Simulator()
      let end = SimTime(milliseconds: start + span)
      var times: [Int64] = []
      let handle = simulator.every(.milliseconds(interval), from: .milliseconds(start), until: end) {
        times.append($0.now.milliseconds)
      }
      simulator.run()
      let expectedCount = span < 0 ? 0 : Int(span / interval) + 1
      #expect(times.count == expectedCount)
      #expect(handle.firings == expectedCount)
      #expect(times == (0..<Int64(expectedCount)).map { start + $0 * interval })
      #expect(!handle.isActive)
    }
  }
}
