import Testing

@testable import Scenario

@Test func ScenarioModuleLoads() {
  #expect(Bool(true))
}
