import Testing

@testable import DCS

@Suite struct DCSSmokeTests {
    @Test func moduleLoads() {
        #expect(Bool(true))
    }
}
