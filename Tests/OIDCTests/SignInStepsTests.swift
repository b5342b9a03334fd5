import Foundation
import OIDC
import Testing

/// The callback in the two steps an app with its own carrier of flows takes: the state is
/// matched (and the flow taken) once, then the matched flow completes the sign-in; the flow
/// bookkeeping (limit, lifetime, constant-time match) stays in the client.
@Suite struct SignInStepsTests {
    @Test func theMatchedFlowCompletesTheSignInOnce() throws {
        let harness = Harness()
        var flows = PendingFlows()
        let (query, started) = try harness.begin(&flows)
        let callback = AuthorizationResponse(code: "c", state: query["state"])
        let flow = try harness.client.pendingFlow(for: callback, in: &flows)
        #expect(flow == started)
        #expect(flows.isEmpty, "taken out: the state works once")
        #expect(throws: OIDCError.stateRejected(.unknown)) { try harness.client.pendingFlow(for: callback, in: &flows) }
        harness.tokenEndpointIssues(nonce: flow.nonce)
        var cache = TokenCache()
        let result = try harness.client.completeSignIn(callback, flow: flow, cache: &cache)
        #expect(result.returnPath == "/profile")
        #expect(harness.idp.tokenRequests.count == 1)
        #expect(harness.idp.tokenRequests.first?["code_verifier"] == flow.codeVerifier)
    }

    @Test func theProvidersErrorComesBeforeAnyRedemption() throws {
        let harness = Harness()
        var flows = PendingFlows()
        let (query, _) = try harness.begin(&flows)
        let denied = AuthorizationResponse(state: query["state"], error: "access_denied", errorDescription: "no")
        let flow = try harness.client.pendingFlow(for: denied, in: &flows)
        var cache = TokenCache()
        #expect(throws: OIDCError.authorizationFailed(error: "access_denied", description: "no")) {
            try harness.client.completeSignIn(denied, flow: flow, cache: &cache)
        }
        #expect(throws: OIDCError.missingAuthorizationCode) {
            try harness.client.completeSignIn(AuthorizationResponse(state: query["state"]), flow: flow, cache: &cache)
        }
        #expect(harness.idp.tokenRequests.isEmpty)
    }

    /// The client says how long a flow (and a set of flows) lives, so a carrier can expire
    /// with it without knowing the lifetime; an expired flow is refused and taken out.
    @Test func flowsExpireWhenTheClientSays() throws {
        let harness = Harness()
        var flows = PendingFlows()
        let (_, first) = try harness.begin(&flows)
        harness.clock.advance(100)
        let (query, second) = try harness.begin(&flows)
        #expect(harness.client.expiry(of: first) == first.createdAt.addingTimeInterval(600))
        #expect(harness.client.expiry(of: flows) == second.createdAt.addingTimeInterval(600), "the youngest flow's")
        #expect(harness.client.expiry(of: PendingFlows()) == nil)
        harness.clock.advance(601)
        #expect(throws: OIDCError.stateRejected(.expired)) {
            try harness.client.pendingFlow(for: AuthorizationResponse(code: "c", state: query["state"]), in: &flows)
        }
        #expect(flows.flows == [first])
    }

    @Test func beginningMoreThanTheLimitDropsTheOldest() throws {
        let harness = Harness()
        var flows = PendingFlows()
        var states: [String] = []
        for _ in 0..<7 {
            states.append(try #require(try harness.begin(&flows).query["state"]))
            harness.clock.advance(1)
        }
        #expect(flows.flows.map(\.state) == Array(states.suffix(5)))
        flows.dropOldest()
        #expect(flows.flows.map(\.state) == Array(states.suffix(4)))
    }
}
