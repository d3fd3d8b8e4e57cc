import Testing

@testable import YunheCLI

@Test func YunheCLIModuleLoads() {
  #expect(Bool(true))
}
