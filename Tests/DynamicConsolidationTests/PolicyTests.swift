import Testing

@testable import DynamicConsolidation

@Suite struct PolicyTests {
  @Test func examplePoliciesByName() {
    #expect(DynamicPolicy.cloudSimExamples.count == 9)
    for p in DynamicPolicy.cloudSimExamples {
      #expect(DynamicPolicy.named(p.name) == p)
    }
    #expect(DynamicPolicy.named("npa")?.name == "NonPowerAware")
    #expect(DynamicPolicy.named("thr:0.9-mu")?.kind == .migration(.thr(threshold: 0.9), .mu))
    #expect(DynamicPolicy.named("nope") == nil)
  }
}
