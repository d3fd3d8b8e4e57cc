import Testing

@testable import CapacityModel

@Test func CapacityModelModuleLoads() {
  #expect(Bool(true))
}
