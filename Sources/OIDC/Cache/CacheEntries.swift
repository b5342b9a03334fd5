import FoundationEssentials
import JOSE

/// The entries of MSAL's unified token cache schema, with MSAL's field names. Times are
/// epoch seconds stored as strings, as the schema requires.
extension TokenCache {
    public struct AccessToken: Sendable, Equatable, Codable {
        public var credentialType = "AccessToken"
        public var secret: String
        public var homeAccountID: String
        public var environment: String
        public var clientID: String
        /// Space-separated, sorted scopes.
        public var target: String
        public var realm: String
        public var tokenType: String
        public var cachedAt: String
        public var expiresOn: String
        public var extendedExpiresOn: String?
        /// When to refresh proactively (from the response's refresh_in).
        public var refreshOn: String?

        enum CodingKeys: String, CodingKey {
            case credentialType = "credential_type", secret, homeAccountID = "home_account_id", environment
            case clientID = "client_id", target, realm, tokenType = "token_type", cachedAt = "cached_at"
            case expiresOn = "expires_on", extendedExpiresOn = "extended_expires_on", refreshOn = "refresh_on"
        }

        public init(secret: String, homeAccountID: String, environment: String, clientID: String, target: String, realm: String,
                    tokenType: String, cachedAt: String, expiresOn: String, extendedExpiresOn: String?, refreshOn: String?) {
            self.secret = secret
            self.homeAccountID = homeAccountID
            self.environment = environment
            self.clientID = clientID
            self.target = target
            self.realm = realm
            self.tokenType = tokenType
            self.cachedAt = cachedAt
            self.expiresOn = expiresOn
            self.extendedExpiresOn = extendedExpiresOn
            self.refreshOn = refreshOn
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            secret = try c.decodeLenientString(forKey: .secret) ?? ""
            homeAccountID = try c.decodeLenientString(forKey: .homeAccountID) ?? ""
            environment = try c.decodeLenientString(forKey: .environment) ?? ""
            clientID = try c.decodeLenientString(forKey: .clientID) ?? ""
            target = try c.decodeLenientString(forKey: .target) ?? ""
            realm = try c.decodeLenientString(forKey: .realm) ?? ""
            tokenType = try c.decodeLenientString(forKey: .tokenType) ?? "Bearer"
            cachedAt = try c.decodeLenientString(forKey: .cachedAt) ?? "0"
            expiresOn = try c.decodeLenientString(forKey: .expiresOn) ?? "0"
            extendedExpiresOn = try c.decodeLenientString(forKey: .extendedExpiresOn)
            refreshOn = try c.decodeLenientString(forKey: .refreshOn)
        }

        public var scopes: [String] { target.split(separator: " ").map(String.init) }
        public var expiresOnDate: Date { Date(timeIntervalSince1970: TimeInterval(Int64(expiresOn) ?? 0)) }
        public var refreshOnDate: Date? { refreshOn.flatMap { Int64($0) }.map { Date(timeIntervalSince1970: TimeInterval($0)) } }
    }

    public struct RefreshToken: Sendable, Equatable, Codable {
        public var credentialType = "RefreshToken"
        public var secret: String
        public var homeAccountID: String
        public var environment: String
        public var clientID: String
        public var target: String
        public var lastModificationTime: String?
        public var familyID: String?

        enum CodingKeys: String, CodingKey {
            case credentialType = "credential_type", secret, homeAccountID = "home_account_id", environment
            case clientID = "client_id", target, lastModificationTime = "last_modification_time", familyID = "family_id"
        }

        public init(secret: String, homeAccountID: String, environment: String, clientID: String, target: String,
                    lastModificationTime: String?, familyID: String?) {
            self.secret = secret
            self.homeAccountID = homeAccountID
            self.environment = environment
            self.clientID = clientID
            self.target = target
            self.lastModificationTime = lastModificationTime
            self.familyID = familyID
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            secret = try c.decodeLenientString(forKey: .secret) ?? ""
            homeAccountID = try c.decodeLenientString(forKey: .homeAccountID) ?? ""
            environment = try c.decodeLenientString(forKey: .environment) ?? ""
            clientID = try c.decodeLenientString(forKey: .clientID) ?? ""
            target = try c.decodeLenientString(forKey: .target) ?? ""
            lastModificationTime = try c.decodeLenientString(forKey: .lastModificationTime)
            familyID = try c.decodeLenientString(forKey: .familyID)
        }
    }

    public struct IDToken: Sendable, Equatable, Codable {
        public var credentialType = "IdToken"
        public var secret: String
        public var homeAccountID: String
        public var environment: String
        public var realm: String
        public var clientID: String

        enum CodingKeys: String, CodingKey {
            case credentialType = "credential_type", secret, homeAccountID = "home_account_id", environment, realm
            case clientID = "client_id"
        }

        public init(secret: String, homeAccountID: String, environment: String, realm: String, clientID: String) {
            self.secret = secret
            self.homeAccountID = homeAccountID
            self.environment = environment
            self.realm = realm
            self.clientID = clientID
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            secret = try c.decodeLenientString(forKey: .secret) ?? ""
            homeAccountID = try c.decodeLenientString(forKey: .homeAccountID) ?? ""
            environment = try c.decodeLenientString(forKey: .environment) ?? ""
            realm = try c.decodeLenientString(forKey: .realm) ?? ""
            clientID = try c.decodeLenientString(forKey: .clientID) ?? ""
        }

        /// The claims, decoded without verification: the token was validated when it was
        /// received (or, for a cache written by MSAL, is trusted as that cache is).
        public var claims: IDTokenClaims? { JWT.unverifiedClaims(of: secret).map(IDTokenClaims.init(raw:)) }
    }

    public struct Account: Sendable, Equatable, Codable {
        public var homeAccountID: String
        public var environment: String
        public var realm: String
        /// The object id (`oid`) in Entra, else `sub`.
        public var localAccountID: String
        public var username: String
        /// "MSSTS" for Entra and generic providers, "ADFS" for ADFS.
        public var authorityType: String
        /// The grant that created the account, e.g. "authorization_code".
        public var accountSource: String?

        enum CodingKeys: String, CodingKey {
            case homeAccountID = "home_account_id", environment, realm, localAccountID = "local_account_id", username
            case authorityType = "authority_type", accountSource = "account_source"
        }

        public init(homeAccountID: String, environment: String, realm: String, localAccountID: String, username: String,
                    authorityType: String = "MSSTS", accountSource: String? = nil) {
            self.homeAccountID = homeAccountID
            self.environment = environment
            self.realm = realm
            self.localAccountID = localAccountID
            self.username = username
            self.authorityType = authorityType
            self.accountSource = accountSource
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            homeAccountID = try c.decodeLenientString(forKey: .homeAccountID) ?? ""
            environment = try c.decodeLenientString(forKey: .environment) ?? ""
            realm = try c.decodeLenientString(forKey: .realm) ?? ""
            localAccountID = try c.decodeLenientString(forKey: .localAccountID) ?? ""
            username = try c.decodeLenientString(forKey: .username) ?? ""
            authorityType = try c.decodeLenientString(forKey: .authorityType) ?? "MSSTS"
            accountSource = try c.decodeLenientString(forKey: .accountSource)
        }
    }

    public struct AppMetadata: Sendable, Equatable, Codable {
        public var clientID: String
        public var environment: String
        public var familyID: String?

        enum CodingKeys: String, CodingKey {
            case clientID = "client_id", environment, familyID = "family_id"
        }

        public init(clientID: String, environment: String, familyID: String? = nil) {
            self.clientID = clientID
            self.environment = environment
            self.familyID = familyID
        }
    }
}
