import Testing

@testable import Hooks

@Suite struct HooksSmokeTests {
    @Test func moduleLoads() {
        #expect(Bool(true))
    }
}
