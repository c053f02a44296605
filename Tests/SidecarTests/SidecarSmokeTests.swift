import Testing

@testable import Sidecar

@Suite struct SidecarSmokeTests {
    @Test func moduleLoads() {
        #expect(Bool(true))
    }
}
