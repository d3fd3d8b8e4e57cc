import Testing

@testable import DynamicConsolidation

/// The optimisation round's reusable state: saved lists survive the buffer's growth, incoming
/// VMs are left out, and a new round forgets the last one.
@Suite struct RoundScratchTests {
  @Test func savedListsSurviveGrowthAndRoundsStartClean() {
    let hosts = 50
    let round = RoundScratch(hosts: hosts)
    // 50 lists of 60 ids (3 000 ids, past the initial 1 024), every seventh id "incoming".
    var lists: [[Int32]] = (0..<hosts).map { h in (0..<60).map { Int32(h * 1000 + $0) } }
    for pass in 0..<2 {
      round.begin()
      for h in 0..<hosts { #expect(!round.touched[h] && !round.excluded[h]) }
      #expect(round.touchedHosts.isEmpty)
      for h in stride(from: hosts - 1, through: 0, by: -1) {
        lists[h].withUnsafeMutableBufferPointer { list in
          round.save(h, list, version: UInt64(h + pass)) { $0 % 7 == 0 }
        }
        round.excluded[h] = h % 2 == 0
      }
      #expect(round.touchedHosts == Array((0..<hosts).reversed()))
      for h in 0..<hosts {
        #expect(round.touched[h])
        #expect(Array(round.saved(h)) == lists[h].filter { $0 % 7 != 0 })
        #expect(round.savedVersion[h] == UInt64(h + pass))
      }
      // The next pass saves other lists.
      lists = lists.map { $0.map { $0 + 1 } }
    }
  }
}
