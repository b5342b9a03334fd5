import Encodings
import Foundation
import HTTPClient
import JOSE
import Logging
import OIDC
import TestSupport

/// Wires an OIDCClient to a fake provider, a hand-moved clock and deterministic random
/// bytes, with shortcuts for the steps of a sign-in.
struct Harness {
    /// Tests assert on behaviour, not on log output (LogHygieneTests checks the logs).
    static let quietLogger = Logger(label: "oidc.test") { _ in SwiftLogNoOpLogHandler() }

    let clock: TestClock
    let random: CountingRandom
    let idp: FakeIdentityProvider
    let client: OIDCClient

    init(tenant: String = "9188040d-6c67-4c5b-b112-36a304b66dad", credential: ClientCredential = .secret("s3cret value&=", method: .post),
         scopes: [String] = ["User.Read"], clockSkew: TimeInterval = 300, tenants: TenantRestriction = .issuer,
         logger: Logger = Harness.quietLogger) {
        let clock = TestClock(TestClock.fixedStart)
        let idp = FakeIdentityProvider(entraTenant: tenant, clock: clock)
        self.init(clock: clock, idp: idp, authority: try! Authority.entra(idp.authorityURL), credential: credential, scopes: scopes,
                  clockSkew: clockSkew, tenants: tenants, logger: logger)
    }

    init(genericIssuer: String, credential: ClientCredential = .secret("s3cret", method: .post)) {
        let clock = TestClock(TestClock.fixedStart)
        let idp = FakeIdentityProvider(genericIssuer: genericIssuer, clock: clock)
        self.init(clock: clock, idp: idp, authority: try! Authority.generic(genericIssuer), credential: credential, scopes: ["User.Read"],
                  clockSkew: 300, tenants: .issuer, logger: Harness.quietLogger)
    }

    private init(clock: TestClock, idp: FakeIdentityProvider, authority: Authority, credential: ClientCredential, scopes: [String],
                 clockSkew: TimeInterval, tenants: TenantRestriction, logger: Logger) {
        self.clock = clock
        self.idp = idp
        random = CountingRandom()
        let configuration = OIDCConfiguration(authority: authority, clientID: idp.clientID, credential: credential,
                                              redirectURI: "https://app.example/getAToken", scopes: scopes, clockSkew: clockSkew,
                                              tenants: tenants)
        client = OIDCClient(configuration: configuration, transport: idp, clock: clock.clock, random: random, logger: logger)
    }

    /// Starts a sign-in and returns the authorize URL's parameters and the flow record.
    func begin(_ flows: inout PendingFlows, options: SignInOptions = SignInOptions(returnPath: "/profile")) throws -> (query: [String: String], flow: PendingFlow) {
        let url = try client.beginSignIn(options: options, flows: &flows)
        let query = URLComponents(string: url)!.queryDictionary
        let flow = flows.flows.first { $0.state == query["state"] }!
        return (query, flow)
    }

    /// Makes the token endpoint answer the code redemption with an ID token built from
    /// `overrides` (nonce taken from the flow unless overridden).
    func tokenEndpointIssues(nonce: String?, overrides: [String: JSONValue] = [:], key: RSAKey = TestKeys.primary,
                             kid: String? = "key-1", refreshIn: Int64? = nil) {
        let idToken = idp.signedIDToken(nonce: nonce, overrides: overrides, key: key, kid: kid)
        let response = idp.tokenResponse(idToken: idToken, refreshIn: refreshIn)
        idp.onToken { _, _ throws(TransportError) in response }
    }

    /// A whole sign-in whose ID token is built from `overrides` and signed by `key` under
    /// `kid`: the result, or the error it met.
    func signIn(overrides: [String: JSONValue] = [:], key: RSAKey = TestKeys.primary, kid: String? = "key-1",
                cache: inout TokenCache) throws -> Result<SignInResult, OIDCError> {
        var flows = PendingFlows()
        let (query, flow) = try begin(&flows)
        // Answered for this flow's verifier only, so concurrent sign-ins keep their own nonces.
        let idToken = idp.signedIDToken(nonce: flow.nonce, overrides: overrides, key: key, kid: kid)
        idp.onCodeRedemption(verifier: flow.codeVerifier, answer: idp.tokenResponse(idToken: idToken))
        let callback = AuthorizationResponse(code: "c", state: query["state"])
        return Result { () throws(OIDCError) in try client.completeSignIn(callback, flows: &flows, cache: &cache) }
    }

    /// A complete, successful sign-in.
    func signIn(cache: inout TokenCache, refreshIn: Int64? = nil) throws -> SignInResult {
        var flows = PendingFlows()
        let (query, flow) = try begin(&flows)
        tokenEndpointIssues(nonce: flow.nonce, refreshIn: refreshIn)
        return try client.completeSignIn(AuthorizationResponse(code: "auth-code", state: query["state"]), flows: &flows, cache: &cache)
    }
}
