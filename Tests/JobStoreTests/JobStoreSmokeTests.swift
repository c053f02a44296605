import Testing

@testable import JobStore

@Suite struct JobStoreSmokeTests {
    @Test func moduleLoads() {
        #expect(Bool(true))
    }
}
