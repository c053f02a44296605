import Testing

@testable import Imaging

@Suite struct ImagingSmokeTests {
    @Test func moduleLoads() {
        #expect(Bool(true))
    }
}
