import Foundation
import HTTPClient
import OIDC
import Testing

/// Silent token acquisition: cache hits, refresh with rotation, refresh_in, invalid_grant,
/// single-flight refresh for concurrent requests of one session.
@Suite struct SilentTokenTests {
    /// A signed-in session: harness, cache and account.
    private func signedIn(refreshIn: Int64? = nil) throws -> (Harness, TokenCache, TokenCache.Account) {
        let harness = Harness()
        var cache = TokenCache()
        let result = try harness.signIn(cache: &cache, refreshIn: refreshIn)
        return (harness, cache, result.account)
    }

    /// Makes the token endpoint answer refreshes with numbered, rotated tokens.
    private func serveRefreshes(_ harness: Harness, delay: TimeInterval = 0, idToken: (@Sendable () -> String?)? = nil) -> LockedCounter {
        let counter = LockedCounter()
        let idp = harness.idp
        idp.onToken { form, _ throws(TransportError) in
            guard form["grant_type"] == "refresh_token" else { return FakeIdentityProvider.json(400, ["error": "unsupported_grant_type"]) }
            counter.increment()
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            let n = counter.value
            return idp.tokenResponse(idToken: idToken?(), accessToken: "access-r\(n)", refreshToken: "refresh-r\(n)")
        }
        return counter
    }

    @Test func returnsCachedTokenWithEnoughLifeLeft() throws {
        var (harness, cache, account) = try signedIn()
        let before = harness.idp.tokenRequests.count
        harness.clock.advance(3600 - 301)
        let result = try harness.client.acquireTokenSilently(account: account, cache: &cache)
        #expect(result.accessToken == "access-1")
        #expect(result.source == .cache)
        #expect(harness.idp.tokenRequests.count == before)
    }

    @Test func refreshesWhenLessThanFiveMinutesLeftAndKeepsTheRotatedRefreshToken() throws {
        var (harness, cache, account) = try signedIn()
        let refreshes = serveRefreshes(harness)
        harness.clock.advance(3600 - 299)
        let first = try harness.client.acquireTokenSilently(account: account, cache: &cache)
        #expect(first.accessToken == "access-r1")
        #expect(first.source == .refresh)
        let form = try #require(harness.idp.tokenRequests.last)
        #expect(form["grant_type"] == "refresh_token")
        #expect(form["refresh_token"] == "refresh-1")
        #expect(form["scope"] == "openid profile offline_access User.Read")
        #expect(form["client_secret"] == "s3cret value&=")
        #expect(cache.refreshTokens.values.map(\.secret) == ["refresh-r1"], "rotated token replaced the old one")

        harness.clock.advance(3600)
        let second = try harness.client.acquireTokenSilently(account: account, cache: &cache)
        #expect(second.accessToken == "access-r2")
        #expect(harness.idp.tokenRequests.last?["refresh_token"] == "refresh-r1")
        #expect(refreshes.value == 2)
        #expect(cache.refreshTokens.values.map(\.secret) == ["refresh-r2"])
    }

    @Test func invalidGrantMeansInteractiveSignInAndDropsTheRefreshToken() throws {
        var (harness, cache, account) = try signedIn()
        harness.idp.onToken { _, _ throws(TransportError) in
            FakeIdentityProvider.json(400, ["error": "invalid_grant", "error_description": "AADSTS700082: The refresh token has expired",
                                            "error_codes": [700082]])
        }
        harness.clock.advance(4000)
        do {
            _ = try harness.client.acquireTokenSilently(account: account, cache: &cache)
            Issue.record("expected interaction required")
        } catch {
            guard case .interactionRequired(let body) = error else { Issue.record("got \(error)"); return }
            #expect(body?.errorCodes == [700082])
        }
        #expect(cache.refreshTokens.isEmpty)
        #expect(throws: OIDCError.interactionRequired(nil)) { try harness.client.acquireTokenSilently(account: account, cache: &cache) }
    }

    @Test func scopesNotInTheCacheTriggerARefreshForThoseScopes() throws {
        var (harness, cache, account) = try signedIn()
        _ = serveRefreshes(harness)
        harness.idp.onToken { [idp = harness.idp] form, _ throws(TransportError) in
            idp.tokenResponse(idToken: nil, accessToken: "mail-token", refreshToken: "refresh-mail", scope: "Mail.Read openid profile")
        }
        let result = try harness.client.acquireTokenSilently(scopes: ["Mail.Read"], account: account, cache: &cache)
        #expect(result.accessToken == "mail-token")
        #expect(harness.idp.tokenRequests.last?["scope"] == "openid profile offline_access Mail.Read")
        #expect(try harness.client.acquireTokenSilently(scopes: ["Mail.Read"], account: account, cache: &cache).source == .cache)
        #expect(try harness.client.acquireTokenSilently(scopes: ["User.Read"], account: account, cache: &cache).accessToken == "access-1")
    }

    @Test func refreshInTriggersEarlyRefreshWithFallback() throws {
        var (harness, cache, account) = try signedIn(refreshIn: 1800)
        #expect(cache.accessTokens.values.first?.refreshOn == String(harness.clock.epoch + 1800))
        harness.clock.advance(1801)
        // The provider is down: the still-valid cached token is returned.
        harness.idp.onToken { _, _ throws(TransportError) in throw .timedOut }
        let fallback = try harness.client.acquireTokenSilently(account: account, cache: &cache)
        #expect(fallback.accessToken == "access-1")
        #expect(fallback.source == .cache)
        // The provider is back: the early refresh happens.
        _ = serveRefreshes(harness)
        let refreshed = try harness.client.acquireTokenSilently(account: account, cache: &cache)
        #expect(refreshed.accessToken == "access-r1")
    }

    @Test func refreshedIDTokenMustDescribeTheSameUser() throws {
        var (harness, cache, account) = try signedIn()
        let idp = harness.idp
        _ = serveRefreshes(harness) { idp.signedIDToken(nonce: nil, overrides: ["sub": "someone-else"]) }
        harness.clock.advance(4000)
        #expect(throws: OIDCError.idTokenRejected(.identityChanged("sub"))) {
            try harness.client.acquireTokenSilently(account: account, cache: &cache)
        }
        #expect(cache.accessTokens.values.map(\.secret) == ["access-1"], "nothing from the rejected response was stored")
    }

    @Test func refreshedIDTokenWithSameIdentityIsValidatedAndStored() throws {
        var (harness, cache, account) = try signedIn()
        let idp = harness.idp
        _ = serveRefreshes(harness) { idp.signedIDToken(nonce: nil, overrides: ["name": "Ada King"]) }
        harness.clock.advance(4000)
        let result = try harness.client.acquireTokenSilently(account: account, cache: &cache)
        #expect(result.refreshedIDTokenClaims?.name == "Ada King")
        #expect(cache.idToken(for: account, clientID: "client-123")?.claims?.name == "Ada King")
    }

    @Test func concurrentRequestsOfOneSessionShareOneRefresh() throws {
        let (harness, cache, account) = try signedIn()
        let refreshes = serveRefreshes(harness, delay: 0.3)
        harness.clock.advance(4000)
        // Each request loaded its own copy of the session's cache, as a server would.
        let results = ResultBox()
        let group = DispatchGroup()
        for _ in 0..<4 {
            DispatchQueue.global().async(group: group) {
                var copy = cache
                let token = try? harness.client.acquireTokenSilently(account: account, cache: &copy)
                results.append(token?.accessToken, copy.refreshTokens.values.first?.secret)
            }
        }
        group.wait()
        #expect(refreshes.value == 1)
        #expect(results.tokens == Array(repeating: "access-r1", count: 4))
        #expect(results.refreshTokens == Array(repeating: "refresh-r1", count: 4))
    }

    @Test func lateRequestWithTheOldRefreshTokenGetsTheSharedResult() throws {
        var (harness, cache, account) = try signedIn()
        let staleCopy = cache
        let refreshes = serveRefreshes(harness)
        harness.clock.advance(4000)
        _ = try harness.client.acquireTokenSilently(account: account, cache: &cache)
        var stale = staleCopy
        let late = try harness.client.acquireTokenSilently(account: account, cache: &stale)
        #expect(late.accessToken == "access-r1")
        #expect(refreshes.value == 1)
    }

    /// Signs in through `harness` with a token response that grants `grantedScope`.
    private func signedIn(_ harness: Harness, grantedScope: String) throws -> (TokenCache, TokenCache.Account) {
        var flows = PendingFlows()
        let (query, flow) = try harness.begin(&flows)
        let response = harness.idp.tokenResponse(idToken: harness.idp.signedIDToken(nonce: flow.nonce), scope: grantedScope)
        harness.idp.onToken { _, _ throws(TransportError) in response }
        var cache = TokenCache()
        let result = try harness.client.completeSignIn(AuthorizationResponse(code: "auth-code", state: query["state"]), flows: &flows, cache: &cache)
        return (cache, result.account)
    }

    /// RFC 6749 section 6: oidc-provider-mock grants "openid profile User.Read" for a request
    /// that included offline_access, and answers invalid_scope to a refresh asking for it.
    @Test func genericProviderRefreshLeavesOutReservedScopesThatWereNotGranted() throws {
        let harness = Harness(genericIssuer: "https://idp.example.com")
        var (cache, account) = try signedIn(harness, grantedScope: "openid profile User.Read")
        // Like the mock: grants what a refresh asks for, rotating nothing.
        harness.idp.onToken { [idp = harness.idp] form, _ throws(TransportError) in
            idp.tokenResponse(idToken: nil, accessToken: "access-r", refreshToken: nil, scope: form["scope"] ?? "")
        }
        harness.clock.advance(4000)
        #expect(try harness.client.acquireTokenSilently(account: account, cache: &cache).accessToken == "access-r")
        #expect(harness.idp.tokenRequests.last?["scope"] == "openid profile User.Read")
        // The caller's own scopes are sent as asked: only the provider can say no to them.
        _ = try harness.client.acquireTokenSilently(scopes: ["Mail.Read"], account: account, cache: &cache)
        #expect(harness.idp.tokenRequests.last?["scope"] == "openid profile Mail.Read")
    }

    @Test func genericProviderThatGrantedOfflineAccessIsAskedForItAgain() throws {
        let harness = Harness(genericIssuer: "https://idp.example.com")
        var (cache, account) = try signedIn(harness, grantedScope: "openid profile offline_access User.Read")
        _ = serveRefreshes(harness)
        harness.clock.advance(4000)
        _ = try harness.client.acquireTokenSilently(account: account, cache: &cache)
        #expect(harness.idp.tokenRequests.last?["scope"] == "openid profile offline_access User.Read")
    }

    /// Entra does not list offline_access in `scope` yet expects it on refresh, as MSAL sends it.
    @Test func entraRefreshAlwaysAsksForTheReservedScopes() throws {
        let harness = Harness()
        var (cache, account) = try signedIn(harness, grantedScope: "openid profile User.Read")
        _ = serveRefreshes(harness)
        harness.clock.advance(4000)
        _ = try harness.client.acquireTokenSilently(account: account, cache: &cache)
        #expect(harness.idp.tokenRequests.last?["scope"] == "openid profile offline_access User.Read")
    }

    @Test func forceRefresh() throws {
        var (harness, cache, account) = try signedIn()
        _ = serveRefreshes(harness)
        #expect(try harness.client.acquireTokenSilently(account: account, cache: &cache, forceRefresh: true).source == .refresh)
    }

    /// What `/graph` checks without any lock: the cached token when it would be returned as
    /// it is, nil when a refresh is due (expiring, or past Entra's refresh_in).
    @Test func theCachedTokenIsOfferedOnlyWhileNoRefreshIsDue() throws {
        let (harness, cache, account) = try signedIn(refreshIn: 1800)
        #expect(harness.client.cachedAccessToken(account: account, cache: cache)?.accessToken == "access-1")
        #expect(harness.client.cachedAccessToken(account: account, cache: cache)?.source == .cache)
        harness.clock.advance(1800)
        #expect(harness.client.cachedAccessToken(account: account, cache: cache) == nil, "refresh_in reached")
        let (later, laterCache, laterAccount) = try signedIn()
        later.clock.advance(3600 - 299)
        #expect(later.client.cachedAccessToken(account: laterAccount, cache: laterCache) == nil, "less than five minutes left")
        #expect(later.client.cachedAccessToken(scopes: ["Mail.Read"], account: laterAccount, cache: laterCache) == nil, "other scopes")
        #expect(harness.idp.tokenRequests.count == 1 && later.idp.tokenRequests.count == 1, "never a network call")
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var tokens: [String?] = []
    private(set) var refreshTokens: [String?] = []
    func append(_ token: String?, _ refresh: String?) {
        lock.withLock {
            tokens.append(token)
            refreshTokens.append(refresh)
        }
    }

}
