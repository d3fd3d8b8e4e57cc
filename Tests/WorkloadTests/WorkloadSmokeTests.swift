import Testing

@testable import Workload

@Test func WorkloadModuleLoads() {
  #expect(Bool(true))
}
