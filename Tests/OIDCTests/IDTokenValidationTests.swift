import CryptoSupport
import Encodings
import Foundation
import HTTPClient
import JOSE
import OIDC
import Testing

/// Every ID token rejection, driven through the real callback path with a fake provider.
@Suite struct IDTokenValidationTests {
    /// Runs a sign-in whose token endpoint returns `idToken` (built from the flow's nonce)
    /// and returns the error, or nil if the sign-in succeeded.
    private func signInError(_ harness: Harness = Harness(), idToken: (PendingFlow) -> String) throws -> OIDCError? {
        var flows = PendingFlows()
        var cache = TokenCache()
        let (query, flow) = try harness.begin(&flows)
        let response = harness.idp.tokenResponse(idToken: idToken(flow))
        harness.idp.onToken { _, _ throws(TransportError) in response }
        do {
            _ = try harness.client.completeSignIn(AuthorizationResponse(code: "c", state: query["state"]), flows: &flows, cache: &cache)
            return nil
        } catch {
            #expect(cache.isEmpty, "nothing is cached for a rejected token")
            return error
        }
    }

    private func rejection(_ harness: Harness = Harness(), overrides: [String: JSONValue] = [:], key: RSAKey = TestKeys.primary,
                           kid: String? = "key-1") throws -> OIDCError? {
        try signInError(harness) { flow in harness.idp.signedIDToken(nonce: flow.nonce, overrides: overrides, key: key, kid: kid) }
    }

    private static func compact(header: [String: JSONValue], claims: [String: JSONValue], signature: [UInt8]) -> String {
        Base64URL.encode(JSONValue.serialize(header)) + "." + Base64URL.encode(JSONValue.serialize(claims)) + "." + Base64URL.encode(signature)
    }

    @Test func acceptsAValidToken() throws {
        #expect(try rejection() == nil)
    }

    @Test func wrongSignature() throws {
        #expect(try rejection(key: TestKeys.attacker) == .idTokenRejected(.invalidSignature))
    }

    @Test func tamperedClaims() throws {
        let harness = Harness()
        let error = try signInError(harness) { flow in
            let good = harness.idp.signedIDToken(nonce: flow.nonce)
            let parts = good.split(separator: ".").map(String.init)
            var claims = harness.idp.idTokenClaims(nonce: flow.nonce)
            claims["sub"] = "someone-else"
            return parts[0] + "." + Base64URL.encode(JSONValue.serialize(claims)) + "." + parts[2]
        }
        #expect(error == .idTokenRejected(.invalidSignature))
    }

    @Test func algNone() throws {
        let harness = Harness()
        let error = try signInError(harness) { flow in
            Self.compact(header: ["alg": "none", "typ": "JWT"], claims: harness.idp.idTokenClaims(nonce: flow.nonce), signature: [])
        }
        #expect(error == .idTokenRejected(.unsupportedAlgorithm("none")))
    }

    @Test func hs256SignedWithThePublicKey() throws {
        let harness = Harness()
        let error = try signInError(harness) { flow in
            // The classic key-confusion forgery: HMAC keyed with the provider's public key.
            let header: [String: JSONValue] = ["alg": "HS256", "typ": "JWT", "kid": "key-1"]
            let claims = harness.idp.idTokenClaims(nonce: flow.nonce)
            let signingInput = Base64URL.encode(JSONValue.serialize(header)) + "." + Base64URL.encode(JSONValue.serialize(claims))
            let publicPEM = try! TestKeys.primary.publicKeyPEM()
            return signingInput + "." + Base64URL.encode(Digest.hmacSHA256(key: Array(publicPEM.utf8), message: Array(signingInput.utf8)))
        }
        #expect(error == .idTokenRejected(.unsupportedAlgorithm("HS256")))
    }

    @Test func criticalHeaderExtensionsAreRefused() throws {
        let harness = Harness()
        #expect(try signInError(harness) { flow in
            try! JWT.sign(header: ["kid": "key-1", "crit": ["exp"], "exp": 1], claims: harness.idp.idTokenClaims(nonce: flow.nonce), with: TestKeys.primary)
        } == .idTokenRejected(.malformed))
    }

    @Test func otherAlgorithmsAndGarbage() throws {
        let harness = Harness()
        #expect(try signInError(harness) { flow in
            Self.compact(header: ["alg": "ES256"], claims: harness.idp.idTokenClaims(nonce: flow.nonce), signature: [1, 2, 3])
        } == .idTokenRejected(.unsupportedAlgorithm("ES256")))
        #expect(try signInError(Harness()) { _ in "not-a-jwt" } == .idTokenRejected(.malformed))
    }

    @Test func wrongIssuer() throws {
        #expect(try rejection(overrides: ["iss": "https://login.microsoftonline.com/evil/v2.0"]) == .idTokenRejected(.issuerMismatch))
        #expect(try rejection(overrides: ["iss": .null]) == .idTokenRejected(.issuerMismatch))
    }

    @Test func wrongAudience() throws {
        #expect(try rejection(overrides: ["aud": "another-client"]) == .idTokenRejected(.audienceMismatch))
        #expect(try rejection(overrides: ["aud": ["another-client", "third"]]) == .idTokenRejected(.audienceMismatch))
    }

    @Test func multipleAudiencesNeedAzp() throws {
        #expect(try rejection(overrides: ["aud": ["client-123", "other-api"]]) == .idTokenRejected(.authorizedPartyMismatch))
        #expect(try rejection(overrides: ["aud": ["client-123", "other-api"], "azp": "other-api"]) == .idTokenRejected(.authorizedPartyMismatch))
        #expect(try rejection(overrides: ["aud": ["client-123", "other-api"], "azp": "client-123"]) == nil)
        #expect(try rejection(overrides: ["azp": "someone-else"]) == .idTokenRejected(.authorizedPartyMismatch))
    }

    @Test func expiredBeyondSkew() throws {
        let harness = Harness()
        let now = harness.clock.epoch
        #expect(try rejection(harness, overrides: ["exp": .integer(now - 301), "iat": .integer(now - 4000), "nbf": .integer(now - 4000)])
            == .idTokenRejected(.expired))
        // Within the default five minutes of skew: accepted.
        #expect(try rejection(Harness(), overrides: ["exp": .integer(now - 200)]) == nil)
        #expect(try rejection(Harness(), overrides: ["exp": .null]) == .idTokenRejected(.missingExpiry))
    }

    @Test func clockSkewIsConfigurable() throws {
        let strict = Harness(clockSkew: 0)
        let now = strict.clock.epoch
        #expect(try rejection(strict, overrides: ["exp": .integer(now)]) == .idTokenRejected(.expired))
        #expect(try rejection(Harness(clockSkew: 0), overrides: ["iat": .integer(now + 1)]) == .idTokenRejected(.issuedInFuture))
        #expect(try rejection(Harness(clockSkew: 0), overrides: ["exp": .integer(now + 1)]) == nil)
        let lenient = Harness(clockSkew: 900)
        #expect(try rejection(lenient, overrides: ["exp": .integer(now - 800)]) == nil)
    }

    @Test func notBeforeAndIssuedAtInTheFuture() throws {
        let now = Harness().clock.epoch
        #expect(try rejection(overrides: ["nbf": .integer(now + 301)]) == .idTokenRejected(.notYetValid))
        #expect(try rejection(overrides: ["iat": .integer(now + 301)]) == .idTokenRejected(.issuedInFuture))
        #expect(try rejection(overrides: ["iat": .integer(now + 200), "nbf": .integer(now + 200)]) == nil, "within skew")
        #expect(try rejection(overrides: ["iat": .null]) == .idTokenRejected(.missingIssuedAt))
    }

    @Test func nonceMismatchOrMissing() throws {
        #expect(try rejection(overrides: ["nonce": "not-the-flow-nonce"]) == .idTokenRejected(.nonceMismatch))
        #expect(try rejection(overrides: ["nonce": .null]) == .idTokenRejected(.missingNonce))
    }

    @Test func missingSubject() throws {
        #expect(try rejection(overrides: ["sub": .null]) == .idTokenRejected(.missingSubject))
        #expect(try rejection(overrides: ["sub": ""]) == .idTokenRejected(.missingSubject))
    }

    @Test func unknownKidIsRefetchedThenRejected() throws {
        let harness = Harness()
        #expect(try rejection(harness, kid: "never-published") == .idTokenRejected(.unknownKeyID("never-published")))
        #expect(harness.idp.requestCount(to: harness.idp.jwksURI) == 2, "initial fetch plus one refetch")
        // The same unknown kid within the minute does not refetch again.
        #expect(try rejection(harness, kid: "never-published") == .idTokenRejected(.unknownKeyID("never-published")))
        #expect(harness.idp.requestCount(to: harness.idp.jwksURI) == 2)
        // Another kid gets its own refetch at once: the limit is per key id (KeyRotationTests).
        #expect(try rejection(harness, kid: "another-unknown") == .idTokenRejected(.unknownKeyID("another-unknown")))
        #expect(harness.idp.requestCount(to: harness.idp.jwksURI) == 3)
        harness.clock.advance(61)
        #expect(try rejection(harness, kid: "another-unknown") == .idTokenRejected(.unknownKeyID("another-unknown")))
        #expect(harness.idp.requestCount(to: harness.idp.jwksURI) == 4)
    }

    @Test func keyRotationIsPickedUpByRefetch() throws {
        let harness = Harness()
        #expect(try rejection(harness) == nil)
        #expect(harness.idp.requestCount(to: harness.idp.jwksURI) == 1)
        // The provider rotates to a new key; our cached JWKS only knows key-1.
        harness.idp.publishedKeys = [.init(key: TestKeys.secondary, kid: "key-2")]
        #expect(try rejection(harness, key: TestKeys.secondary, kid: "key-2") == nil)
        #expect(harness.idp.requestCount(to: harness.idp.jwksURI) == 2)
        // The new keys are now cached: no further fetch.
        #expect(try rejection(harness, key: TestKeys.secondary, kid: "key-2") == nil)
        #expect(harness.idp.requestCount(to: harness.idp.jwksURI) == 2)
    }

    @Test func singleKeyWithoutKidIsAccepted() throws {
        let harness = Harness()
        harness.idp.publishedKeys = [.init(key: TestKeys.primary, kid: nil)]
        #expect(try rejection(harness, kid: nil) == nil)
    }

    @Test func severalKeysWithoutKidTriesEachKey() throws {
        let harness = Harness()
        harness.idp.publishedKeys = [.init(key: TestKeys.secondary, kid: "a"), .init(key: TestKeys.primary, kid: "b")]
        #expect(try rejection(harness, key: TestKeys.primary, kid: nil) == nil, "the second key verifies")
        #expect(try rejection(harness, key: TestKeys.attacker, kid: nil) == .idTokenRejected(.invalidSignature))
    }

    @Test func multiTenantIssuerUsesTheTokensTid() throws {
        // Any tenant on purpose (ALLOWED_TENANTS=*); TenantRestrictionTests cover the lists.
        let harness = Harness(tenant: "common", tenants: .anyTenant)
        #expect(harness.idp.issuer == "https://login.microsoftonline.com/{tenantid}/v2.0")
        #expect(try rejection(harness) == nil)
        // The issuer must name the same tenant as tid.
        #expect(try rejection(harness, overrides: ["tid": "11111111-1111-1111-1111-111111111111"]) == .idTokenRejected(.issuerMismatch))
        #expect(try rejection(harness, overrides: ["tid": .null]) == .idTokenRejected(.missingTenantID))
        let organizations = Harness(tenant: "organizations", tenants: .anyTenant)
        let tid = "22222222-2222-2222-2222-222222222222"
        #expect(try rejection(organizations, overrides: ["tid": .string(tid), "iss": .string("https://login.microsoftonline.com/\(tid)/v2.0")]) == nil)
    }

    @Test func rejectionReasonsHaveLogNames() {
        #expect(OIDCError.idTokenRejected(.nonceMismatch).logReason == "id_token_rejected.nonce_mismatch")
        #expect(OIDCError.idTokenRejected(.unsupportedAlgorithm("none")).logReason == "id_token_rejected.unsupported_alg(none)")
    }
}
