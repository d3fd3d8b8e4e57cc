import Testing

@testable import SimCore

@Test func SimCoreModuleLoads() {
  #expect(Bool(true))
}
