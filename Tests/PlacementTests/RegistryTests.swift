import Testing

@testable import Placement

@Suite("PlacementRegistry")
struct RegistryTests {
  let registry = PlacementRegistry.standard

  @Test func standardNamesAreSorted() {
    #expect(
      registry.names == [
        "best-fit", "filter-pack", "filter-power", "filter-spread", "first-fit", "first-fit-decreasing",
        "worst-fit",
      ])
    #expect(registry.names == registry.names.sorted())
  }

  @Test func lookupByName() {
    for name in registry.names {
      let policy = registry.policy(named: name)
      #expect(policy?.name == name)
      #expect(policy?.summary.isEmpty == false)
    }
    #expect(registry.policy(named: "nope") == nil)
    #expect(registry.policy(named: "First-Fit") == nil)
  }

  @Test(arguments: [
    ("frist-fit", "first-fit"),
    ("First-Fit", "first-fit"),
    ("bestfit", "best-fit"),
    ("worst-fti", "worst-fit"),
    ("first-fit-decresing", "first-fit-decreasing"),
    ("best-fit", "best-fit"),
  ])
  func suggestions(unknown: String, expected: String) {
    #expect(registry.suggestion(for: unknown) == expected)
  }

  @Test(arguments: ["round-robin", "", "x", "random", "fit"])
  func noSuggestionWhenNothingIsClose(unknown: String) {
    #expect(registry.suggestion(for: unknown) == nil)
  }

  @Test func registerAddsAndReplaces() {
    struct Custom: PlacementPolicy {
      var name: String
      var summary: String
      func decide(_ request: PlacementRequest, in cluster: ClusterSnapshot) -> PlacementDecision {
        .reject(reason: summary)
      }
    }
    var r = PlacementRegistry.standard
    r.register(Custom(name: "anti-affinity", summary: "one"))
    #expect(r.names.first == "anti-affinity")
    #expect(r.names.count == PlacementRegistry.standard.names.count + 1)
    r.register(Custom(name: "anti-affinity", summary: "two"))
    #expect(r.names.count == PlacementRegistry.standard.names.count + 1)
    #expect(r.policy(named: "anti-affinity")?.summary == "two")
    #expect(PlacementRegistry.standard.names.count == 7)
    #expect(PlacementRegistry().names.isEmpty)
    #expect(PlacementRegistry().suggestion(for: "first-fit") == nil)
  }

  @Test func editDistance() {
    func d(_ a: String, _ b: String) -> Int { Placement.editDistance(Array(a), Array(b)) }
    #expect(d("", "") == 0)
    #expect(d("", "abc") == 3)
    #expect(d("abc", "") == 3)
    #expect(d("frist", "first") == 1)
    #expect(d("kitten", "sitting") == 3)
    #expect(d("ca", "abc") == 3)
    #expect(d("abc", "abc") == 0)
  }
}
