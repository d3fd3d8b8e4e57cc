import Testing

@testable import Stochastics

@Test func StochasticsModuleLoads() {
  #expect(Bool(true))
}
