import Testing

@testable import Placement

@Test func PlacementModuleLoads() {
  #expect(Bool(true))
}
