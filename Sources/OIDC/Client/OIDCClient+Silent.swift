// Silent token acquisition: a cached access token with enough life left, else one
// refresh-token redemption shared by concurrent requests of the same session.
import CryptoSupport
import FoundationEssentials

/// The validated result of one refresh, shared by every caller that waited for it.
struct RefreshOutcome: Sendable {
    var tokens: TokenResponse
    var claims: IDTokenClaims?
    var requestedScopes: [String]
}

extension OIDCClient {
    /// Returns an access token for `scopes` (default: the configured scopes) from
    /// `cache`, refreshing and updating the cache when needed. Throws
    /// `.interactionRequired` when only a new sign-in can help.
    public func acquireTokenSilently(scopes requested: [String]? = nil, account: TokenCache.Account,
                                     cache: inout TokenCache, forceRefresh: Bool = false) throws(OIDCError) -> AccessTokenResult {
        let scopes = resourceScopes(requested)
        let now = clock()
        let cached = cache.accessToken(for: account, clientID: configuration.clientID, scopes: scopes)

        if !forceRefresh, let cached, hasEnoughLife(cached, now: now) {
            guard isRefreshDue(cached, now: now) else { return result(from: cached) }
            // Entra suggested refreshing early; the cached token is still good, so a failed
            // refresh falls back to it instead of failing the request.
            do {
                return try refresh(scopes: scopes, account: account, cache: &cache)
            } catch {
                logger.notice("Proactive refresh failed; using the cached access token", metadata: ["reason": "\(error.logReason)"])
                return result(from: cached)
            }
        }
        return try refresh(scopes: scopes, account: account, cache: &cache)
    }

    /// The cached access token for `scopes` when `acquireTokenSilently` would return it
    /// as it is: enough life left and no early refresh suggested. Nil when a refresh is
    /// due; then call `acquireTokenSilently` (under whatever lock keeps one refresh per
    /// session). Reads `cache` only, so it needs no lock.
    public func cachedAccessToken(scopes requested: [String]? = nil, account: TokenCache.Account, cache: TokenCache) -> AccessTokenResult? {
        let now = clock()
        guard let cached = cache.accessToken(for: account, clientID: configuration.clientID, scopes: resourceScopes(requested)),
              hasEnoughLife(cached, now: now), !isRefreshDue(cached, now: now)
        else { return nil }
        return result(from: cached)
    }

    /// The scopes asked for (default: the configured ones) without the reserved OpenID ones.
    private func resourceScopes(_ requested: [String]?) -> [String] {
        (requested ?? configuration.scopes).filter { !OIDCConfiguration.reservedScopes.contains($0) }
    }

    /// At least `minimumAccessTokenLifetime` left.
    private func hasEnoughLife(_ entry: TokenCache.AccessToken, now: Date) -> Bool {
        entry.expiresOnDate.timeIntervalSince(now) >= Self.minimumAccessTokenLifetime
    }

    /// The provider suggested refreshing by now (Entra's `refresh_in`).
    private func isRefreshDue(_ entry: TokenCache.AccessToken, now: Date) -> Bool {
        entry.refreshOnDate.map { $0 <= now } ?? false
    }

    private func refresh(scopes: [String], account: TokenCache.Account, cache: inout TokenCache) throws(OIDCError) -> AccessTokenResult {
        guard let refreshToken = cache.refreshToken(for: account, clientID: configuration.clientID) else {
            throw .interactionRequired(nil)
        }
        // As MSAL does: the reserved OpenID scopes plus exactly the scopes asked for.
        var requestScopes = OIDCConfiguration.reservedScopes
        for scope in scopes where !requestScopes.contains(scope) { requestScopes.append(scope) }
        if !configuration.authority.isEntra {
            // RFC 6749 section 6: a refresh must not ask for a scope that was not granted. For
            // Entra we keep sending all reserved scopes, as MSAL does; a generic provider that
            // said it granted less (oidc-provider-mock drops offline_access) answers
            // invalid_scope. So the reserved scopes we add ourselves are limited to those
            // granted; the caller's own scopes are sent as asked. The refresh token's target is
            // the response's `scope`, or, when the provider sent none, what we requested,
            // which RFC 6749 5.1 says was then granted as requested.
            let granted = Set(refreshToken.target.split(separator: " ").map(String.init))
            if !granted.isEmpty {
                requestScopes.removeAll { OIDCConfiguration.reservedScopes.contains($0) && !granted.contains($0) }
            }
        }
        let previousClaims = cache.idToken(for: account, clientID: configuration.clientID)?.claims
        // Keyed by the refresh token itself: two requests of one session hold the same
        // refresh token, so they share one redemption.
        let key = Digest.hex(Digest.sha256(refreshToken.secret)) + "|" + requestScopes.sorted().joined(separator: " ")

        let outcome: RefreshOutcome
        do {
            outcome = try refreshes.run(key: key) { () throws(OIDCError) -> RefreshOutcome in
                try redeem(refreshToken.secret, scopes: requestScopes, previousClaims: previousClaims)
            }
        } catch {
            if case .interactionRequired = error { cache.removeRefreshToken(refreshToken) }
            throw error
        }

        cache.add(outcome.tokens, idTokenClaims: outcome.claims ?? previousClaims, context: cacheContext(
            homeAccountID: account.homeAccountID, requestedScopes: outcome.requestedScopes, grantType: "refresh_token"))
        let expiresOn = clock().addingTimeInterval(TimeInterval(outcome.tokens.expiresIn))
        return AccessTokenResult(accessToken: outcome.tokens.accessToken, tokenType: outcome.tokens.tokenType, expiresOn: expiresOn,
                                 scopes: outcome.tokens.scope ?? outcome.requestedScopes, source: .refresh,
                                 refreshedIDTokenClaims: outcome.claims)
    }

    private func redeem(_ refreshToken: String, scopes: [String], previousClaims: IDTokenClaims?) throws(OIDCError) -> RefreshOutcome {
        let metadata = try metadataStore.metadata()
        let tokens = try tokenEndpointClient.redeemRefreshToken(refreshToken, scopes: scopes, tokenEndpoint: metadata.tokenEndpoint, now: clock())
        var claims: IDTokenClaims?
        if let idToken = tokens.idToken {
            // No nonce on refresh; instead the new token must name the same user and tenant.
            claims = try validateIDToken(idToken, issuer: metadata.issuer, nonce: nil, previous: previousClaims)
        }
        logger.info("Refreshed tokens")
        return RefreshOutcome(tokens: tokens, claims: claims, requestedScopes: scopes)
    }

    private func result(from entry: TokenCache.AccessToken) -> AccessTokenResult {
        AccessTokenResult(accessToken: entry.secret, tokenType: entry.tokenType, expiresOn: entry.expiresOnDate,
                          scopes: entry.scopes, source: .cache, refreshedIDTokenClaims: nil)
    }
}
