import Encodings
import FoundationEssentials

/// A serializable token cache in MSAL's unified schema (sections AccessToken,
/// RefreshToken, IdToken, Account, AppMetadata), so MSAL libraries can read what this app
/// writes and the other way round. A plain value the app keeps in the session (as `json`).
public struct TokenCache: Sendable, Equatable, Codable {
    public internal(set) var accessTokens: [String: AccessToken]
    public internal(set) var refreshTokens: [String: RefreshToken]
    public internal(set) var idTokens: [String: IDToken]
    public internal(set) var accountEntries: [String: Account]
    public internal(set) var appMetadata: [String: AppMetadata]

    /// The section names of the schema.
    private enum Section {
        static let accessTokens = "AccessToken"
        static let refreshTokens = "RefreshToken"
        static let idTokens = "IdToken"
        static let accounts = "Account"
        static let appMetadata = "AppMetadata"
    }

    public init() {
        accessTokens = [:]
        refreshTokens = [:]
        idTokens = [:]
        accountEntries = [:]
        appMetadata = [:]
    }

    /// The cache in a JSON value of MSAL's schema, as `json` writes it or MSAL's
    /// `SerializableTokenCache` serializes it. A missing section is an empty one (MSAL
    /// writes a section only once it has an entry); entries that are not objects are
    /// skipped. Throws when `json` is not an object at all.
    public init(json: JSONValue) throws(TokenCacheFormatError) {
        guard case .object(let sections) = json else { throw TokenCacheFormatError() }
        func section<Entry>(_ name: String, _ make: (CacheJSON) -> Entry) -> [String: Entry] {
            guard case .object(let entries)? = sections[name] else { return [:] }
            var result: [String: Entry] = [:]
            result.reserveCapacity(entries.count)
            for (key, value) in entries {
                if case .object(let fields) = value { result[key] = make(CacheJSON(fields: fields)) }
            }
            return result
        }
        accessTokens = section(Section.accessTokens, AccessToken.init(json:))
        refreshTokens = section(Section.refreshTokens, RefreshToken.init(json:))
        idTokens = section(Section.idTokens, IDToken.init(json:))
        accountEntries = section(Section.accounts, Account.init(json:))
        appMetadata = section(Section.appMetadata, AppMetadata.init(json:))
    }

    /// The cache as a JSON value of MSAL's schema: what the app keeps in the sealed session,
    /// and what `serialized()` writes. Empty sections are left out. It contains tokens.
    public var json: JSONValue {
        var sections: [String: JSONValue] = [:]
        func add<Entry>(_ name: String, _ entries: [String: Entry], _ encode: (Entry) -> JSONValue) {
            if !entries.isEmpty { sections[name] = .object(entries.mapValues(encode)) }
        }
        add(Section.accessTokens, accessTokens, \.json)
        add(Section.refreshTokens, refreshTokens, \.json)
        add(Section.idTokens, idTokens, \.json)
        add(Section.accounts, accountEntries, \.json)
        add(Section.appMetadata, appMetadata, \.json)
        return .object(sections)
    }

    /// Reads the cache from a decoder's JSON: the same as `init(json:)`.
    public init(from decoder: any Decoder) throws {
        try self.init(json: JSONValue(from: decoder))
    }

    /// Writes `json`.
    public func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }

    /// Reads a cache serialized by this module or by MSAL (`SerializableTokenCache.serialize()`).
    public init(serialized: [UInt8]) throws {
        guard let object = JSONValue.parseObject(serialized) else { throw TokenCacheFormatError() }
        try self.init(json: .object(object))
    }

    /// The cache as MSAL-compatible JSON. It contains tokens: store it like a password.
    public func serialized() -> [UInt8] {
        json.serialized(pretty: true)
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
        accessTokens.values
            .filter { entry in
                guard entry.homeAccountID == account.homeAccountID, entry.clientID == clientID,
                      entry.environment.equalsIgnoringASCIICase(account.environment), entry.realm.equalsIgnoringASCIICase(account.realm)
                else { return false }
                let granted = entry.target.utf8.split(separator: UInt8(ascii: " "))
                return scopes.allSatisfy { wanted in granted.contains { $0.equalsIgnoringASCIICase(wanted.utf8) } }
            }
            .max { (Int64($0.expiresOn) ?? 0) < (Int64($1.expiresOn) ?? 0) }
    }

    /// The refresh token for `account` (refresh tokens are not tied to a realm).
    public func refreshToken(for account: Account, clientID: String) -> RefreshToken? {
        refreshTokens.values
            .filter { $0.homeAccountID == account.homeAccountID && $0.environment.equalsIgnoringASCIICase(account.environment) && $0.clientID == clientID }
            .max { (Int64($0.lastModificationTime ?? "0") ?? 0) < (Int64($1.lastModificationTime ?? "0") ?? 0) }
    }

    public func idToken(for account: Account, clientID: String) -> IDToken? {
        idTokens.values.first {
            $0.homeAccountID == account.homeAccountID && $0.environment.equalsIgnoringASCIICase(account.environment)
                && $0.clientID == clientID && $0.realm.equalsIgnoringASCIICase(account.realm)
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

/// The bytes or JSON value given as a token cache are not a JSON object.
public struct TokenCacheFormatError: Error, Sendable, Equatable {
    public init() {}
}
