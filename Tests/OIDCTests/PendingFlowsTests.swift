import Foundation
import OIDC
import Testing

/// Pending sign-ins: several at once, single redemption, expiry, cap, Codable.
@Suite struct PendingFlowsTests {
    private func flow(_ state: String, at time: Date) -> PendingFlow {
        PendingFlow(state: state, nonce: "n-\(state)", codeVerifier: String(repeating: "v", count: 43), redirectURI: "https://app/cb",
                    scopes: ["openid"], returnPath: "/", createdAt: time)
    }

    @Test func twoTabsCanEachFinish() throws {
        let start = Date(timeIntervalSince1970: 1_000_000)
        var flows = PendingFlows()
        flows.add(flow("tab-1", at: start), now: start)
        flows.add(flow("tab-2", at: start.addingTimeInterval(5)), now: start.addingTimeInterval(5))
        #expect(try flows.redeem(state: "tab-2", now: start.addingTimeInterval(10)).nonce == "n-tab-2")
        #expect(try flows.redeem(state: "tab-1", now: start.addingTimeInterval(11)).nonce == "n-tab-1")
        #expect(flows.isEmpty)
    }

    @Test func eachStateRedeemsOnce() throws {
        let now = Date(timeIntervalSince1970: 1_000_000)
        var flows = PendingFlows()
        flows.add(flow("s", at: now), now: now)
        _ = try flows.redeem(state: "s", now: now)
        #expect(throws: OIDCError.stateRejected(.unknown)) { try flows.redeem(state: "s", now: now) }
        #expect(throws: OIDCError.stateRejected(.missing)) { try flows.redeem(state: nil, now: now) }
        #expect(throws: OIDCError.stateRejected(.missing)) { try flows.redeem(state: "", now: now) }
        #expect(throws: OIDCError.stateRejected(.unknown)) { try flows.redeem(state: "s-prefix", now: now) }
    }

    @Test func flowsExpireAfterTenMinutes() throws {
        let start = Date(timeIntervalSince1970: 1_000_000)
        var flows = PendingFlows()
        flows.add(flow("old", at: start), now: start)
        #expect(throws: OIDCError.stateRejected(.expired)) { try flows.redeem(state: "old", now: start.addingTimeInterval(601)) }
        #expect(flows.isEmpty, "an expired flow is consumed too")
        flows.add(flow("ok", at: start), now: start)
        #expect(try flows.redeem(state: "ok", now: start.addingTimeInterval(600)).state == "ok")
    }

    @Test func countIsCappedDroppingTheOldest() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        var flows = PendingFlows()
        for index in 0..<8 {
            let time = start.addingTimeInterval(Double(index))
            flows.add(flow("s\(index)", at: time), now: time, limit: 5)
        }
        #expect(flows.flows.map(\.state) == ["s3", "s4", "s5", "s6", "s7"])
        // Adding also sweeps expired flows.
        let later = start.addingTimeInterval(1000)
        flows.add(flow("new", at: later), now: later, limit: 5)
        #expect(flows.flows.map(\.state) == ["new"])
    }

    @Test func codableRoundTripWithAnyDateStrategy() throws {
        var flows = PendingFlows()
        let now = Date(timeIntervalSince1970: 1_767_225_600.5)
        flows.add(flow("abc", at: now), now: now)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(flows)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains(#""code_verifier""#) && json.contains(#""created_at":1767225600.5"#))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(PendingFlows.self, from: data) == flows)
    }
}
