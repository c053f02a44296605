import Testing

@testable import SQLite

@Suite struct SQLiteSmokeTests {
    @Test func moduleLoads() {
        #expect(Bool(true))
    }
}
