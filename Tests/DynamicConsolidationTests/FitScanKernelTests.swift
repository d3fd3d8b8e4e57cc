import CKernels
import Foundation
import Testing

@testable import DynamicConsolidation

/// Best fit's leaf scan in C (`yunhe_fit_scan`) against a reference written from CloudSim's
/// `PowerModelSpecPower.getPower` and its host comparison: the same host and the same increase,
/// bit for bit, on random leaves full of exact ties, utilisations on and next to the table's
/// tenths, hosts that cannot take the request, and the scan's early stop.
@Suite struct FitScanKernelTests {
  /// The G4 and G5 tables of the PlanetLab examples, and their MIPS.
  static let types: [(table: [Double], mips: Double)] = [
    ([86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117], 2 * 1860),
    ([93.7, 97, 101, 105, 110, 116, 121, 125, 129, 133, 135], 2 * 2660),
  ]

  /// CloudSim's `getPower(u)`: a table value on a tenth, else the interpolation between the
  /// tenths around u.
  static func cloudSimPower(_ table: [Double], _ u: Double) -> Double {
    if u.truncatingRemainder(dividingBy: 0.1) == 0 { return table[Int(u * 10)] }
    let lower = Int((u * 10).rounded(.down))
    let upper = Int((u * 10).rounded(.up))
    let delta = (table[upper] - table[lower]) / 10
    return table[lower] + delta * (u - Double(lower) / 10) * 100
  }

  /// The scan as the Swift loop did it: slots in order, stop at the first key + floor above the
  /// best, skip hosts that cannot take the request, keep the least (increase, id).
  static func reference(
    _ slots: [yunhe_fit_slot], request r: Double, table: [Double], mips: Double, floor: Double,
    limit: Double, best: Double, host: Int
  ) -> (Double, Int) {
    var best = best
    var host = host
    for slot in slots {
      if slot.key + floor > best { break }
      guard slot.score < limit && slot.free >= r else { continue }
      let u = (slot.planned + r) / mips
      guard u <= 1 else { continue }
      let e = cloudSimPower(table, u) - slot.current
      let h = Int(slot.host)
      if e < best || (e == best && h < host) {
        best = e
        host = h
      }
    }
    return (best, host)
  }

  /// (p[k + 1] − p[k]) / 10 per piece, 0 after the last point.
  static func slopes(_ table: [Double]) -> [Double] {
    var slopes = [Double](repeating: 0, count: 11)
    for k in 0..<10 { slopes[k] = (table[k + 1] - table[k]) / 10 }
    return slopes
  }

  /// A random leaf of one type for request r: mostly "clean" hosts (current power = the power of
  /// the planned MIPS), which tie exactly, with planned MIPS on, next to and between tenths.
  static func leaf(_ random: inout Xoshiro256, type: Int, request r: Double) -> [yunhe_fit_slot] {
    let (table, mips) = types[type]
    let n = 1 + random.int(40)
    var slots: [yunhe_fit_slot] = []
    for _ in 0..<n {
      var planned: Double
      switch random.int(6) {
      case 0:
        // (planned + r) on a tenth of the MIPS, or one step either side of it.
        let tenth = Double(1 + random.int(10)) * mips / 10 - r
        planned = [tenth, tenth.nextUp, tenth.nextDown, tenth + 1e-7 * mips][random.int(4)]
      case 1: planned = Double(random.int(Int(mips)))
      case 2: planned = 0
      default: planned = random.uniform() * mips
      }
      planned = Swift.max(0, planned)
      let u = Swift.min(planned / mips, 1)
      let clean = random.int(4) != 0
      let current = clean ? cloudSimPower(table, u) : cloudSimPower(table, u) - random.uniform() * 5
      slots.append(
        yunhe_fit_slot(
          planned: planned, current: current, free: random.int(10) == 0 ? r / 2 : mips - planned,
          score: random.int(10) == 0 ? 5 : -Double.infinity, key: 0, host: Int32(random.int(1_000))))
    }
    // Keys as the index keeps them: a·planned − current with the slope of the lowest piece.
    let a = (table[1] - table[0]) / 10 * 100 / mips
    for i in slots.indices { slots[i].key = a * slots[i].planned - slots[i].current }
    slots.sort { $0.key < $1.key }
    return slots
  }

  @Test func theKernelChoosesTheReferenceHostWithTheSameBits() {
    var random = Xoshiro256(seed: 20_110_303)
    let tenths = (0...10).map { Double($0) / 10 }
    var stopped = 0
    var tested = 0
    for _ in 0..<4_000 {
      let type = random.int(2)
      let (table, mips) = Self.types[type]
      let r = [10, 250.5, 500, 1_000, random.uniform() * 2_500][random.int(5)]
      let slots = Self.leaf(&random, type: type, request: r)
      let slopes = Self.slopes(table)
      // No stop, or a floor that stops the scan partway (keys are about −100 W, increases a few W).
      let pivot = slots[random.int(slots.count)].key
      let floor = random.int(2) == 0 ? -Double.infinity : random.uniform() * 10 - pivot
      let seedBest = random.int(3) == 0 ? random.uniform() * 3 : Double.infinity
      let seedHost = seedBest.isFinite ? random.int(1_000) : -1
      let expected = Self.reference(
        slots, request: r, table: table, mips: mips, floor: floor, limit: 1, best: seedBest, host: seedHost)
      var best = seedBest
      var host = seedHost
      slots.withUnsafeBufferPointer { s in
        yunhe_fit_scan(s.baseAddress, s.count, r, mips, floor, 1, table, slopes, tenths, &best, &host)
      }
      #expect(best.bitPattern == expected.0.bitPattern && host == expected.1, "r \(r), \(slots.count) slots")
      if floor.isFinite, slots.contains(where: { $0.key + floor > expected.0 }) { stopped += 1 }
      tested += 1
    }
    // The cases reach the early stop, and cover exact tenths.
    #expect(stopped > 100)
    #expect(tested == 4_000)
  }

  @Test func aUtilisationOnATenthTakesTheTableValue() {
    let (table, mips) = Self.types[0]
    let tenths = (0...10).map { Double($0) / 10 }
    let slopes = Self.slopes(table)
    // planned + r = 0.5 · MIPS exactly: the increase is table[5] − current.
    let r = 100.0
    let slot = yunhe_fit_slot(
      planned: mips / 2 - r, current: 90, free: mips, score: -.infinity, key: 0, host: 7)
    var best = Double.infinity
    var host = -1
    [slot].withUnsafeBufferPointer { s in
      yunhe_fit_scan(s.baseAddress, 1, r, mips, -.infinity, 1, table, slopes, tenths, &best, &host)
    }
    #expect(host == 7)
    #expect(best == table[5] - 90)
  }
}

extension Xoshiro256 {
  /// A draw in 0..<n (the cases need no exact uniformity).
  mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
