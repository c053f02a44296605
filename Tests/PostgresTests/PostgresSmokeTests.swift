import Testing

@testable import Postgres

@Suite struct PostgresSmokeTests {
    @Test func moduleLoads() {
        #expect(Bool(true))
    }
}
