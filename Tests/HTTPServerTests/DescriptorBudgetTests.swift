@testable import HTTPServer
import Testing

/// The connection cap in force follows the descriptor limit: MAX_CONNECTIONS, or the limit
/// minus the reserve when that is smaller; start-up fails when nothing is left, and the
/// cap is logged.
@Suite struct DescriptorBudgetTests {
    @Test func theSmallerOfTheSettingAndTheDescriptorsLeft() throws {
        #expect(try DescriptorBudget.budget(configured: 10_000, limit: 1_048_576, reserve: 512, perClient: 256).connections == 10_000)
        let tight = try DescriptorBudget.budget(configured: 10_000, limit: 1024, reserve: 512, perClient: 256)
        #expect(tight.connections == 512)
        #expect(tight.description.contains("Accepting up to 512 connections"))
        #expect(tight.description.contains("MAX_CONNECTIONS is 10000"))
        #expect(try DescriptorBudget.budget(configured: 100, limit: 1024, reserve: 1000, perClient: 256).perClient == 24)
        #expect(throws: ServerError.self) { try DescriptorBudget.budget(configured: 10, limit: 300, reserve: 512, perClient: 2) }
    }

    @Test func theReserveGrowsWithTheWorkers() {
        #expect(DescriptorBudget.reserve(for: ServerConfiguration(workerThreads: 64)) > DescriptorBudget.reserve(for: ServerConfiguration(workerThreads: 8)))
    }

    @Test func theCapInForceIsLoggedAtStart() throws {
        let s = try TestServer(testRouter())
        #expect(s.server.connectionCap >= 1 && s.server.connectionCap <= 10_000)
        #expect(s.log.lines.contains { $0.contains("Accepting up to \(s.server.connectionCap) connections") })
    }
}
