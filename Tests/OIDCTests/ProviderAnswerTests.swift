import Encodings
import Foundation
import HTTPClient
import OIDC
import Testing

/// Whatever the provider answers cannot trap the process or pick the account: absurd
/// lifetimes are clamped to 0 s...1 year before any arithmetic, transport details stay out
/// of what pages show, and the callback URL's client_info is never the account key.
@Suite struct ProviderAnswerTests {
    static let year: Int64 = 365 * 24 * 3600

    /// Signs in with a token response whose lifetime fields are `fields` (raw JSON text).
    func signIn(lifetimes fields: String, clientInfo: Bool = true) throws -> (Harness, Result<TokenCache, OIDCError>) {
        let harness = Harness()
        var flows = PendingFlows()
        let (query, flow) = try harness.begin(&flows)
        let idToken = harness.idp.signedIDToken(nonce: flow.nonce)
        let info = clientInfo ? #","client_info":"\#(FakeIdentityProvider.clientInfo)""# : ""
        let body = #"{"token_type":"Bearer","access_token":"access-1","refresh_token":"refresh-1","id_token":"\#(idToken)"\#(info),\#(fields)}"#
        harness.idp.onToken { _, _ throws(TransportError) in OutboundResponse(status: 200, body: Array(body.utf8)) }
        var cache = TokenCache()
        let result = Result { () throws(OIDCError) -> TokenCache in
            _ = try harness.client.completeSignIn(AuthorizationResponse(code: "c", state: query["state"]), flows: &flows, cache: &cache)
            return cache
        }
        return (harness, result)
    }

    /// expires_on, extended_expires_on and refresh_on of the cached access token, as offsets from now.
    func offsets(_ harness: Harness, _ cache: TokenCache) throws -> (Int64, Int64?, Int64?) {
        let entry = try #require(cache.accessTokens.values.first)
        let now = harness.clock.epoch
        return (Int64(entry.expiresOn)! - now, entry.extendedExpiresOn.flatMap { Int64($0) }.map { $0 - now },
                entry.refreshOn.flatMap { Int64($0) }.map { $0 - now })
    }

    @Test func hugeLifetimesAreClampedToAYear() throws {
        let huge = String(repeating: "9", count: 5000)
        let cases = [
            #""expires_in":9223372036854775807,"ext_expires_in":9223372036854775807,"refresh_in":9223372036854775807"#,
            #""expires_in":"9223372036854775807","ext_expires_in":"1e309","refresh_in":"\#(huge)""#,
            #""expires_in":1e300,"ext_expires_in":"inf","refresh_in":18446744073709551616"#,
        ]
        for fields in cases {
            let (harness, result) = try signIn(lifetimes: fields)
            let cache = try result.get()
            let (expires, extended, refresh) = try offsets(harness, cache)
            #expect(expires == Self.year, "\(fields)")
            #expect(extended == Self.year, "\(fields)")
            #expect(refresh == Self.year, "\(fields)")
        }
    }

    @Test func aNumberBeyondADoubleMakesTheAnswerUnusableNotACrash() throws {
        // JSON's parser refuses 1e309 outright, so the response is refused as a whole.
        let (_, result) = try signIn(lifetimes: #""expires_in":1e309"#)
        #expect(throws: OIDCError.invalidResponse(endpoint: .token, status: 200, reason: "the body is not JSON")) { try result.get() }
    }

    @Test func negativeLifetimesBecomeZero() throws {
        let (harness, result) = try signIn(lifetimes: #""expires_in":-9223372036854775808,"ext_expires_in":"-5","refresh_in":-1e300"#)
        let (expires, extended, refresh) = try offsets(harness, try result.get())
        #expect(expires == 0 && extended == 0 && refresh == 0)
    }

    @Test func numericStringsAndFractionsAreRead() throws {
        let (harness, result) = try signIn(lifetimes: #""expires_in":"3599","ext_expires_in":7200.9,"refresh_in":" 1800 ""#)
        let (expires, extended, refresh) = try offsets(harness, try result.get())
        #expect(expires == 3599 && extended == 7200 && refresh == 1800)
    }

    @Test func lifetimesThatAreNoNumberFallBackAsIfAbsent() throws {
        // expires_in falls back to MSAL's 600 s; the optional ones are left out.
        let (harness, result) = try signIn(lifetimes: #""expires_in":"nan","ext_expires_in":"soon","refresh_in":{"x":1}"#)
        let (expires, extended, refresh) = try offsets(harness, try result.get())
        #expect(expires == 600 && extended == 600 && refresh == nil)
    }

    @Test func aRefreshWithAnAbsurdLifetimeIsClampedToo() throws {
        let harness = Harness()
        var cache = TokenCache()
        let signIn = try harness.signIn(cache: &cache)
        harness.idp.onToken { _, _ throws(TransportError) in
            OutboundResponse(status: 200, body: Array(#"{"token_type":"Bearer","access_token":"access-2","expires_in":9223372036854775807}"#.utf8))
        }
        harness.clock.advance(3600)
        let token = try harness.client.acquireTokenSilently(account: signIn.account, cache: &cache)
        #expect(token.accessToken == "access-2")
        #expect(Int64(token.expiresOn.timeIntervalSince1970) == harness.clock.epoch + Self.year)
    }

    @Test func aCachedTimeTooLargeForAnIntegerDoesNotTrap() throws {
        let json = #"{"AccessToken":{"k":{"secret":"s","home_account_id":"h","environment":"e","client_id":"c","target":"t","realm":"r","expires_on":1e300,"cached_at":-1e300}}}"#
        let cache = try TokenCache(serialized: Array(json.utf8))
        #expect(cache.accessTokens["k"]?.expiresOn == "0")
        #expect(cache.accessTokens["k"]?.cachedAt == "0")
    }

    @Test func transportDetailsAreForTheLogNotThePage() {
        let errors: [OIDCError] = [
            .transport(.cannotResolveHost(host: "login.internal.example"), endpoint: .metadata),
            .transport(.connectionRefused(host: "10.1.2.3"), endpoint: .token),
            .transport(.tlsFailure("SSL certificate problem: self-signed certificate in chain for login.internal.example"), endpoint: .jwks),
            .transport(.other("Failed to connect to login.internal.example port 443 after 3 ms: Couldn't connect to server"), endpoint: .token),
            .transport(.invalidURL("https://login.internal.example/x"), endpoint: .metadata),
        ]
        for error in errors {
            #expect(!error.description.contains("login.internal.example"), "\(error)")
            #expect(!error.description.contains("10.1.2.3"))
            #expect(error.description.contains("try again"))
            #expect(error.detail != nil, "the log still gets the details")
        }
        #expect(OIDCError.transport(.connectionRefused(host: "10.1.2.3"), endpoint: .token).detail == "token endpoint: connection refused by 10.1.2.3")
    }

    @Test func theCallbacksClientInfoIsNeverTheAccountKey() throws {
        // A forged client_info in the callback URL, naming another account.
        let forged = Base64URL.encode(Array(#"{"uid":"victim-uid","utid":"victim-tenant"}"#.utf8))
        for tokenEndpointSendsOne in [true, false] {
            let harness = Harness()
            var flows = PendingFlows()
            let (query, flow) = try harness.begin(&flows)
            var response = harness.idp.tokenResponse(idToken: harness.idp.signedIDToken(nonce: flow.nonce))
            if !tokenEndpointSendsOne {
                var object = JSONValue.parseObject(response.body)!
                object["client_info"] = nil
                response.body = JSONValue.serialize(object)
            }
            let answer = response
            harness.idp.onToken { _, _ throws(TransportError) in answer }
            var cache = TokenCache()
            let result = try harness.client.completeSignIn(
                AuthorizationResponse(query: "code=c&state=\(query["state"]!)&client_info=\(forged)"), flows: &flows, cache: &cache)
            let expected = tokenEndpointSendsOne ? FakeIdentityProvider.homeAccountID : "subject-abc"
            #expect(result.account.homeAccountID == expected)
            #expect(!String(decoding: cache.serialized(), as: UTF8.self).contains("victim"))
        }
    }
}
