import Encodings
import Foundation
@testable import OIDC
import Testing

/// Which cached access token a request gets: only its own account's and client's, one that
/// covers every scope asked for, the longest-lived of those; environment, realm and scopes
/// compare without ASCII case (Entra echoes them in its own casing), anything else exactly.
@Suite struct TokenCacheLookupTests {
    static let adele = TokenCache.Account(homeAccountID: "oid-a.tenant", environment: "login.microsoftonline.com",
                                          realm: "3f8e0d1c-5b7a-4e2f-9c6d-0de70de70de7", localAccountID: "oid-a", username: "adele")

    static func token(_ secret: String, account: String = "oid-a.tenant", environment: String = "login.microsoftonline.com",
                      realm: String = "3f8e0d1c-5b7a-4e2f-9c6d-0de70de70de7", client: String = "client-1",
                      scopes: String = "User.Read profile", expiresOn: Int = 5000) -> TokenCache.AccessToken {
        TokenCache.AccessToken(secret: secret, homeAccountID: account, environment: environment, clientID: client, target: scopes, realm: realm,
                               tokenType: "Bearer", cachedAt: "1000", expiresOn: String(expiresOn), extendedExpiresOn: nil, refreshOn: nil)
    }

    static func cache(_ tokens: TokenCache.AccessToken...) -> TokenCache {
        var cache = TokenCache()
        for (index, token) in tokens.enumerated() { cache.accessTokens["entry-\(index)"] = token }
        return cache
    }

    static func lookup(_ cache: TokenCache, scopes: [String] = ["user.read"], client: String = "client-1") -> String? {
        cache.accessToken(for: adele, clientID: client, scopes: scopes)?.secret
    }

    @Test func anotherAccountsOrClientsTokenIsNeverGiven() {
        let cache = Self.cache(Self.token("bob's", account: "oid-b.tenant"), Self.token("other app's", client: "client-2"),
                               Self.token("case of the id", account: "OID-A.TENANT"))
        #expect(Self.lookup(cache) == nil, "neither bob's token, nor another app's, nor another id's is adele's for client-1")
        #expect(Self.lookup(cache, client: "client-2") == "other app's")
    }

    @Test func casingOfEnvironmentRealmAndScopesDoesNotMatter() {
        let cache = Self.cache(Self.token("mine", environment: "Login.MicrosoftOnline.COM", realm: "3F8E0D1C-5B7A-4E2F-9C6D-0DE70DE70DE7",
                                          scopes: "USER.READ Profile"))
        #expect(Self.lookup(cache, scopes: ["user.read", "PROFILE"]) == "mine")
    }

    @Test func everyScopeAskedForMustBeCovered() {
        let cache = Self.cache(Self.token("narrow", scopes: "User.Read"), Self.token("wide", scopes: "User.Read Mail.Read", expiresOn: 4000))
        #expect(Self.lookup(cache, scopes: ["User.Read", "Mail.Read"]) == "wide")
        #expect(Self.lookup(cache, scopes: ["Calendars.Read"]) == nil)
        #expect(Self.lookup(cache, scopes: ["User"]) == nil, "a scope is matched whole, not as a prefix")
        #expect(Self.lookup(cache, scopes: ["User.Read"]) == "narrow", "of those that cover it, the longest-lived")
    }

    @Test func onlyASCIILettersFoldNothingElse() {
        // Stricter than comparing lowercased(): no two strings match that it would tell apart.
        let accented = TokenCache.Account(homeAccountID: "oid-a.tenant", environment: "login.microsoftonline.com", realm: "r\u{E9}alm",
                                          localAccountID: "oid-a", username: "adele")
        let cache = Self.cache(Self.token("accented", realm: "R\u{C9}ALM"))
        #expect(cache.accessToken(for: accented, clientID: "client-1", scopes: ["User.Read"]) == nil)
        #expect(!"login`microsoftonline.com".equalsIgnoringASCIICase("login@microsoftonline.com"))
        #expect(!"@[\\]^_".equalsIgnoringASCIICase("`{|}\u{7F}"), "bytes 0x20 apart that are not letters")
        #expect("User.Read".equalsIgnoringASCIICase("uSER.rEAD"))
        #expect(!"User.Read".equalsIgnoringASCIICase("User.Rea"))
    }
}
