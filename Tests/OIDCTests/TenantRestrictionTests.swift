import Encodings
import Foundation
import HTTPClient
import OIDC
import Testing
import TestSupport

/// ALLOWED_TENANTS in the OIDC client: with a `{tenantid}` issuer (common, organizations)
/// only listed tenants sign in, on the first sign-in and on every refresh; without a list
/// such an issuer is refused; a tenant-specific authority needs nothing.
@Suite struct TenantRestrictionTests {
    static let home = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    static let other = "22222222-2222-2222-2222-222222222222"

    /// Claims of a token from `tenant`, with its issuer filled in as Entra would.
    static func from(_ tenant: String) -> [String: JSONValue] {
        ["tid": .string(tenant), "iss": .string("https://login.microsoftonline.com/\(tenant)/v2.0")]
    }

    /// A sign-in with a token carrying `overrides`; nothing may be cached when it fails.
    func signIn(_ harness: Harness, overrides: [String: JSONValue] = [:]) throws -> Result<SignInResult, OIDCError> {
        var cache = TokenCache()
        let result = try harness.signIn(overrides: overrides, cache: &cache)
        if case .failure = result { #expect(cache.isEmpty, "nothing is cached for a refused tenant") }
        return result
    }

    @Test func onlyListedTenantsSignInThroughOrganizations() throws {
        let harness = Harness(tenant: "organizations", tenants: .only([Self.home]))
        #expect(try signIn(harness, overrides: Self.from(Self.home)).get().claims.tenantID == Self.home)
        #expect(throws: OIDCError.idTokenRejected(.tenantNotAllowed(Self.other))) { try signIn(harness, overrides: Self.from(Self.other)).get() }
        // Directory ids are GUIDs: compared without regard to case.
        let upper = Self.home.uppercased()
        #expect(throws: Never.self) { try signIn(harness, overrides: Self.from(upper)).get() }
        // No tid at all cannot match the placeholder.
        #expect(throws: OIDCError.idTokenRejected(.missingTenantID)) { try signIn(harness, overrides: ["tid": .null]).get() }
    }

    @Test func theIssuerMustNameTheSameAllowedTenant() throws {
        // A listed tid with another tenant's issuer, and the other way round.
        let harness = Harness(tenant: "common", tenants: .only([Self.home]))
        #expect(throws: OIDCError.idTokenRejected(.issuerMismatch)) {
            try signIn(harness, overrides: ["tid": .string(Self.home), "iss": .string("https://login.microsoftonline.com/\(Self.other)/v2.0")]).get()
        }
        #expect(throws: OIDCError.idTokenRejected(.issuerMismatch)) {
            try signIn(harness, overrides: ["tid": .string(Self.other), "iss": .string("https://login.microsoftonline.com/\(Self.home)/v2.0")]).get()
        }
    }

    @Test func aTemplatedIssuerWithoutAListIsRefused() throws {
        for tenant in ["common", "organizations"] {
            let harness = Harness(tenant: tenant)
            #expect(throws: OIDCError.idTokenRejected(.tenantNotAllowed(Self.home)), "\(tenant)") {
                try signIn(harness, overrides: Self.from(Self.home)).get()
            }
        }
    }

    @Test func anyTenantOnPurpose() throws {
        let harness = Harness(tenant: "organizations", tenants: .anyTenant)
        #expect(try signIn(harness, overrides: Self.from(Self.other)).get().claims.tenantID == Self.other)
    }

    @Test func aTenantSpecificAuthorityNeedsNoList() throws {
        let harness = Harness(tenant: Self.home)
        #expect(throws: Never.self) { try signIn(harness, overrides: Self.from(Self.home)).get() }
        #expect(throws: OIDCError.idTokenRejected(.issuerMismatch)) { try signIn(harness, overrides: Self.from(Self.other)).get() }
    }

    @Test func aRefreshedIDTokenOfAnotherTenantIsRejected() throws {
        let harness = Harness(tenant: "organizations", tenants: .only([Self.home]))
        var cache = TokenCache()
        let signIn = try harness.signIn(overrides: Self.from(Self.home), cache: &cache).get()
        let idp = harness.idp
        let foreign = idp.signedIDToken(nonce: nil, overrides: Self.from(Self.other))
        idp.onToken { _, _ throws(TransportError) in idp.tokenResponse(idToken: foreign, accessToken: "access-foreign") }
        harness.clock.advance(3600)
        #expect(throws: OIDCError.idTokenRejected(.tenantNotAllowed(Self.other))) {
            try harness.client.acquireTokenSilently(account: signIn.account, cache: &cache)
        }
        #expect(!cache.accessTokens.values.contains { $0.secret == "access-foreign" }, "the foreign tenant's tokens were not kept")
    }

    @Test func theLogNamesTheRejectedTenant() throws {
        let log = LogCapture()
        let harness = Harness(tenant: "organizations", tenants: .only([Self.home]), logger: log.logger)
        _ = try signIn(harness, overrides: Self.from(Self.other))
        #expect(log.count(containing: "tenant_not_allowed(\(Self.other))", level: .warning) == 1)
    }
}
