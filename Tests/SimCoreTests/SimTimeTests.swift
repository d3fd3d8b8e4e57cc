import PropertyBased
import Testing

@testable import SimCore

@Suite("SimTime and SimDuration")
struct SimTimeTests {
  @Test func unitConstructorsAgree() {
    #expect(SimTime.seconds(3).milliseconds == 3_000)
    #expect(SimTime.minutes(2).milliseconds == 120_000)
    #expect(SimTime.hours(1).milliseconds == 3_600_000)
    #expect(SimTime.days(2).milliseconds == 172_800_000)
    #expect(SimDuration.seconds(3).milliseconds == 3_000)
    #expect(SimDuration.minutes(2).milliseconds == 120_000)
    #expect(SimDuration.hours(1).milliseconds == 3_600_000)
    #expect(SimDuration.days(7).milliseconds == 604_800_000)
    #expect(SimTime.zero.milliseconds == 0)
    #expect(SimDuration.zero.milliseconds == 0)
    #expect(SimTime(milliseconds: 1_500).seconds == 1.5)
    #expect(SimDuration(milliseconds: -250).seconds == -0.25)
  }

  @Test func arithmetic() {
    let start = SimTime.hours(1)
    let later = start + .minutes(30)
    #expect(later == SimTime(milliseconds: 5_400_000))
    #expect(SimDuration.minutes(30) + start == later)
    #expect(later - start == .minutes(30))
    #expect(start - later == -SimDuration.minutes(30))
    #expect(later - .minutes(30) == start)
    #expect(SimDuration.seconds(2) * 3 == .seconds(6))
    #expect(4 * SimDuration.seconds(2) == .seconds(8))
    #expect(SimDuration.minutes(1) - .seconds(15) == .seconds(45))
    #expect(SimDuration.hours(1) / SimDuration.minutes(7) == 8)
    var time = SimTime.zero
    time += .seconds(5)
    time -= .seconds(2)
    #expect(time == .seconds(3))
    var span = SimDuration.seconds(1)
    span += .seconds(1)
    span -= .milliseconds(500)
    #expect(span == .milliseconds(1_500))
    #expect(SimTime.seconds(1) < .seconds(2))
    #expect(SimDuration.seconds(-1) < .zero)
    #expect(later.sinceStart == .minutes(90))
  }

  @Test func descriptions() {
    #expect(SimTime.zero.description == "0d 00:00:00.000")
    #expect(
      SimTime(milliseconds: 2 * 86_400_000 + 3 * 3_600_000 + 4 * 60_000 + 5_006).description
        == "2d 03:04:05.006")
    #expect(SimTime(milliseconds: -1_500).description == "-0d 00:00:01.500")
    #expect(SimDuration.zero.description == "0s")
    #expect(SimDuration.days(7).description == "7d")
    #expect(SimDuration.hours(25).description == "25h")
    #expect(SimDuration.minutes(5).description == "5m")
    #expect(SimDuration.seconds(90).description == "90s")
    #expect(SimDuration.milliseconds(300_100).description == "300.1s")
    #expect(SimDuration.milliseconds(1_005).description == "1.005s")
    #expect(SimDuration.milliseconds(300).description == "300ms")
    #expect(SimDuration.milliseconds(-300).description == "-300ms")
    #expect(SimDuration.minutes(-5).description == "-5m")
  }

  @Test(
    arguments: [
      ("300ms", 300), ("300s", 300_000), ("5m", 300_000), ("1h", 3_600_000), ("7d", 604_800_000),
      ("300.1s", 300_100), ("0s", 0), ("0ms", 0), ("0.001s", 1), ("1.000s", 1_000), ("1.5m", 90_000),
      ("0.0001h", 360), ("2.5d", 216_000_000), ("007s", 7_000), ("1.250000000000000000000s", 1_250),
      ("9223372036854775807ms", Int64.max), ("106751991167d", 106_751_991_167 * 86_400_000),
    ] as [(String, Int64)])
  func parsesValidDurations(text: String, milliseconds: Int64) {
    #expect(SimDuration(parsing: text) == SimDuration(milliseconds: milliseconds), "\(text)")
  }

  @Test(arguments: [
    "", "s", "ms", "5", "5x", "5 s", " 5s", "5s ", "-5s", "+5s", "-0s", "5.s", ".5s", "5..0s", "1.2.3s",
    "0.5ms", "0.0001s", "1.0001s", "1e3s", "5S", "5M", "5sec", "5mss", "5min", "1h30m", "0x10s",
    "9223372036854775808ms", "106751991168d", "99999999999999999999s", "1.00000000001s", "５s",
  ])
  func rejectsMalformedDurations(text: String) {
    #expect(SimDuration(parsing: text) == nil, "\(text)")
  }

  @Test func descriptionRoundTripsThroughParsing() async {
    await propertyCheck(input: Gen.int64(in: 0...(1 << 50))) { milliseconds in
      let duration = SimDuration(milliseconds: milliseconds)
      #expect(SimDuration(parsing: duration.description) == duration, "\(duration.description)")
    }
  }

  @Test func decimalSecondsParseExactly() async {
    await propertyCheck(input: Gen.int64(in: 0...1_000_000_000), Gen.int(in: 0...3)) {
      milliseconds, extraZeros in
      let fraction = String(milliseconds % 1_000)
      let padded = String(repeating: "0", count: 3 - fraction.count) + fraction
      let text = "\(milliseconds / 1_000).\(padded)\(String(repeating: "0", count: extraZeros))s"
      #expect(SimDuration(parsing: text)?.milliseconds == milliseconds, "\(text)")
    }
  }

  @Test func wholeUnitsParseToTheirMultiple() async {
    let units: [(String, Int64)] = [
      ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]
    await propertyCheck(input: Gen.int64(in: 0...100_000_000), Gen.int(in: 0...4)) { value, unitIndex in
      let (unit, size) = units[unitIndex]
      #expect(SimDuration(parsing: "\(value)\(unit)")?.milliseconds == value * size)
    }
  }

  @Test func subMillisecondFractionsAreRejected() async {
    // k fraction digits ending in a non-zero digit, on the millisecond unit: never a whole millisecond.
    await propertyCheck(input: Gen.int(in: 0...1_000_000), Gen.int(in: 1...9), Gen.int(in: 0...99_999)) {
      integer, lastDigit, middle in
      let text = "\(integer).\(middle)\(lastDigit)ms"
      #expect(SimDuration(parsing: text) == nil, "\(text)")
    }
  }
}
