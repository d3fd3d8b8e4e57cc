import PropertyBased
import Testing

@testable import Stochastics

@Suite struct SeedDerivationTests {
  @Test func fnv1aMatchesPublishedVectors() {
    #expect(SeedDerivation.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
    #expect(SeedDerivation.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
    #expect(SeedDerivation.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
  }

  @Test func splitmix64MatchesReferenceOutput() {
    // First output of the reference SplitMix64 generator seeded with 0.
    #expect(SeedDerivation.splitmix64(0) == 0xe220_a839_7b1d_cdaf)
  }

  @Test func deriveIsStableAcrossProcessesAndBuilds() {
    // Computed once with this implementation and cross-checked with an independent script;
    // any change here changes every simulation result.
    #expect(SeedDerivation.derive(runSeed: 42, name: "workload") == 0x6ac8_c11e_be04_b8e7)
  }

  @Test func differentNamesAndRunSeedsGiveDifferentSeeds() {
    let names = ["workload", "workload2", "arrivals", "failures", "", "a", "b"]
    let seeds = Set(names.map { SeedDerivation.derive(runSeed: 42, name: $0) })
    #expect(seeds.count == names.count)
    #expect(
      SeedDerivation.derive(runSeed: 42, name: "workload")
        != SeedDerivation.derive(runSeed: 43, name: "workload"))
  }

  @Test func deriveIsDeterministicAndNameSensitive() async {
    await propertyCheck(input: Gen.uint64(), Gen.letterOrNumber.string(of: 0...12)) { runSeed, name in
      let seed = SeedDerivation.derive(runSeed: runSeed, name: name)
      #expect(seed == SeedDerivation.derive(runSeed: runSeed, name: name))
      #expect(seed != SeedDerivation.derive(runSeed: runSeed, name: name + "/x"))
    }
  }
}
