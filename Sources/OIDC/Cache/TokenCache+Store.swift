import FoundationEssentials

/// Adding a token response to the cache the way MSAL Python's TokenCache.add does, so the
/// entries match what MSAL itself would have written for the same response.
extension TokenCache {
    /// Where a token response came from and for whom.
    struct Context {
        var homeAccountID: String
        var environment: String
        var realm: String
        var clientID: String
        /// Scopes that were requested; used as the target when the response has no `scope`.
        var requestedScopes: [String]
        var grantType: String
        var now: Date
    }

    /// Stores the tokens of `response` and returns the account they belong to.
    @discardableResult
    mutating func add(_ response: TokenResponse, idTokenClaims claims: IDTokenClaims?, context: Context) -> Account {
        let now = Int64(context.now.timeIntervalSince1970)
        // MSAL Python sorts with Python's sorted(): by code point, which Swift's String
        // ordering only matches for ASCII.
        let target = (response.scope ?? context.requestedScopes)
            .sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            .joined(separator: " ")

        let accessToken = AccessToken(
            secret: response.accessToken, homeAccountID: context.homeAccountID, environment: context.environment,
            clientID: context.clientID, target: target, realm: context.realm, tokenType: response.tokenType,
            cachedAt: String(now), expiresOn: String(now + response.expiresIn),
            extendedExpiresOn: String(now + (response.extendedExpiresIn ?? response.expiresIn)),
            refreshOn: response.refreshIn.map { String(now + $0) })
        accessTokens[Key.accessToken(accessToken)] = accessToken

        let previous = accountEntries.values.first { $0.homeAccountID == context.homeAccountID && $0.realm == context.realm }
        let account = Account(
            homeAccountID: context.homeAccountID, environment: context.environment, realm: context.realm,
            localAccountID: claims?.objectID ?? claims?.subject ?? previous?.localAccountID ?? "",
            username: claims?.preferredUsername ?? claims?["upn"]?.stringValue ?? previous?.username ?? "",
            authorityType: "MSSTS",
            // MSAL records the grant that established the account; a refresh keeps it.
            accountSource: context.grantType == "authorization_code" ? "authorization_code" : previous?.accountSource)
        accountEntries[Key.account(account)] = account

        if let idToken = response.idToken {
            let entry = IDToken(secret: idToken, homeAccountID: context.homeAccountID, environment: context.environment,
                                realm: context.realm, clientID: context.clientID)
            idTokens[Key.idToken(entry)] = entry
        }

        if let refreshToken = response.refreshToken {
            // Rotation: the new refresh token replaces the old one for this account.
            refreshTokens = refreshTokens.filter {
                !($0.value.homeAccountID == context.homeAccountID && $0.value.environment == context.environment && $0.value.clientID == context.clientID)
            }
            let entry = RefreshToken(secret: refreshToken, homeAccountID: context.homeAccountID, environment: context.environment,
                                     clientID: context.clientID, target: target, lastModificationTime: String(now),
                                     familyID: response.familyID)
            refreshTokens[Key.refreshToken(entry)] = entry
        }

        let metadata = AppMetadata(clientID: context.clientID, environment: context.environment, familyID: response.familyID)
        appMetadata[Key.appMetadata(metadata)] = metadata
        return account
    }
}
