import FoundationEssentials

/// A serializable token cache in MSAL's unified schema (sections AccessToken,
/// RefreshToken, IdToken, Account, AppMetadata), so MSAL libraries can read what this app
/// writes and the other way round. A plain value the app keeps in the session.
public struct TokenCache: Sendable, Equatable, Codable {
    public internal(set) var accessTokens: [String: AccessToken]
    public internal(set) var refreshTokens: [String: RefreshToken]
    public internal(set) var idTokens: [String: IDToken]
    public internal(set) var accountEntries: [String: Account]
    public internal(set) var appMetadata: [String: AppMetadata]

    enum CodingKeys: String, CodingKey {
        case accessTokens = "AccessToken"
        case refreshTokens = "RefreshToken"
        case idTokens = "IdToken"
        case accountEntries = "Account"
        case appMetadata = "AppMetadata"
    }

    public init() {
        accessTokens = [:]
        refreshTokens = [:]
        idTokens = [:]
        accountEntries = [:]
        appMetadata = [:]
    }

    public init(from decoder: any Decoder) throws {
        // A missing section is an empty one (MSAL writes a section only once it has an entry).
        let c = try decoder.container(keyedBy: CodingKeys.self)
        accessTokens = try c.decodeIfPresent([String: AccessToken].self, forKey: .accessTokens) ?? [:]
        refreshTokens = try c.decodeIfPresent([String: RefreshToken].self, forKey: .refreshTokens) ?? [:]
        idTokens = try c.decodeIfPresent([String: IDToken].self, forKey: .idTokens) ?? [:]
        accountEntries = try c.decodeIfPresent([String: Account].self, forKey: .accountEntries) ?? [:]
        appMetadata = try c.decodeIfPresent([String: AppMetadata].self, forKey: .appMetadata) ?? [:]
    }

    /// Reads a cache serialized by this module or by MSAL (`SerializableTokenCache.serialize()`).
    public init(serialized: [UInt8]) throws {
        self = try JSONDecoder().decode(TokenCache.self, from: Data(serialized))
    }

    /// The cache as MSAL-compatible JSON. It contains tokens: store it like a password.
    public func serialized() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data("{}".utf8))
    }

    public var isEmpty: Bool {
        accessTokens.isEmpty && refreshTokens.isEmpty && idTokens.isEmpty && accountEntries.isEmpty
    }

    /// Every account in the cache.
    public var accounts: [Account] {
        accountEntries.values.sorted { ($0.homeAccountID, $0.realm) < ($1.homeAccountID, $1.realm) }
    }

    // MARK: - Lookups

    /// The access token for `account` that covers all of `scopes` and lives longest.
    /// Scopes compare case-insensitively (Entra echoes them with its own casing).
    public func accessToken(for account: Account, clientID: String, scopes: [String]) -> AccessToken? {
        let wanted = Set(scopes.map { $0.lowercased() })
        return accessTokens.values
            .filter { entry in
                entry.homeAccountID == account.homeAccountID && entry.environment.lowercased() == account.environment.lowercased()
                    && entry.clientID == clientID && entry.realm.lowercased() == account.realm.lowercased()
                    && wanted.isSubset(of: Set(entry.scopes.map { $0.lowercased() }))
            }
            .max { (Int64($0.expiresOn) ?? 0) < (Int64($1.expiresOn) ?? 0) }
    }

    /// The refresh token for `account` (refresh tokens are not tied to a realm).
    public func refreshToken(for account: Account, clientID: String) -> RefreshToken? {
        refreshTokens.values
            .filter { $0.homeAccountID == account.homeAccountID && $0.environment.lowercased() == account.environment.lowercased() && $0.clientID == clientID }
            .max { (Int64($0.lastModificationTime ?? "0") ?? 0) < (Int64($1.lastModificationTime ?? "0") ?? 0) }
    }

    public func idToken(for account: Account, clientID: String) -> IDToken? {
        idTokens.values.first {
            $0.homeAccountID == account.homeAccountID && $0.environment.lowercased() == account.environment.lowercased()
                && $0.clientID == clientID && $0.realm.lowercased() == account.realm.lowercased()
        }
    }

    public func account(homeAccountID: String) -> Account? {
        accounts.first { $0.homeAccountID == homeAccountID }
    }

    // MARK: - Removal

    /// Forgets everything about `account` (sign-out).
    public mutating func remove(_ account: Account) {
        accessTokens = accessTokens.filter { $0.value.homeAccountID != account.homeAccountID }
        refreshTokens = refreshTokens.filter { $0.value.homeAccountID != account.homeAccountID }
        idTokens = idTokens.filter { $0.value.homeAccountID != account.homeAccountID }
        accountEntries = accountEntries.filter { $0.value.homeAccountID != account.homeAccountID }
    }

    /// Drops a refresh token the provider refused, so it is not tried again.
    mutating func removeRefreshToken(_ entry: RefreshToken) {
        refreshTokens.removeValue(forKey: Key.refreshToken(entry))
    }
}
