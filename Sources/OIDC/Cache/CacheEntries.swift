import Encodings
import FoundationEssentials
import JOSE

/// The entries of MSAL's unified token cache schema, with MSAL's field names. Times are
/// epoch seconds stored as strings, as the schema requires. Each entry reads itself from
/// and writes itself to a JSON object (`init(json:)`, `json`): the one mapping between the
/// schema and these types, used for the cache file and for the sealed session alike.
extension TokenCache {
    public struct AccessToken: Sendable, Equatable {
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

        /// The entry in a cache's `AccessToken` section.
        init(json entry: CacheJSON) {
            (secret, homeAccountID, environment, clientID) = entry.credential
            target = entry.string("target") ?? ""
            realm = entry.string("realm") ?? ""
            tokenType = entry.string("token_type") ?? "Bearer"
            cachedAt = entry.string("cached_at") ?? "0"
            expiresOn = entry.string("expires_on") ?? "0"
            extendedExpiresOn = entry.string("extended_expires_on")
            refreshOn = entry.string("refresh_on")
        }

        /// The entry as the schema writes it.
        var json: JSONValue {
            CacheJSON.credential(credentialType, secret, homeAccountID, environment, clientID, [
                ("target", target), ("realm", realm), ("token_type", tokenType), ("cached_at", cachedAt), ("expires_on", expiresOn),
                ("extended_expires_on", extendedExpiresOn), ("refresh_on", refreshOn),
            ])
        }

        public var scopes: [String] { target.utf8.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) } }
        public var expiresOnDate: Date { Date(timeIntervalSince1970: TimeInterval(Int64(expiresOn) ?? 0)) }
        public var refreshOnDate: Date? { refreshOn.flatMap { Int64($0) }.map { Date(timeIntervalSince1970: TimeInterval($0)) } }
    }

    public struct RefreshToken: Sendable, Equatable {
        public var credentialType = "RefreshToken"
        public var secret: String
        public var homeAccountID: String
        public var environment: String
        public var clientID: String
        public var target: String
        public var lastModificationTime: String?
        public var familyID: String?


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

        /// The entry in a cache's `RefreshToken` section.
        init(json entry: CacheJSON) {
            (secret, homeAccountID, environment, clientID) = entry.credential
            target = entry.string("target") ?? ""
            lastModificationTime = entry.string("last_modification_time")
            familyID = entry.string("family_id")
        }

        /// The entry as the schema writes it.
        var json: JSONValue {
            CacheJSON.credential(credentialType, secret, homeAccountID, environment, clientID, [
                ("target", target), ("last_modification_time", lastModificationTime), ("family_id", familyID),
            ])
        }
    }

    public struct IDToken: Sendable, Equatable {
        public var credentialType = "IdToken"
        public var secret: String
        public var homeAccountID: String
        public var environment: String
        public var realm: String
        public var clientID: String


        public init(secret: String, homeAccountID: String, environment: String, realm: String, clientID: String) {
            self.secret = secret
            self.homeAccountID = homeAccountID
            self.environment = environment
            self.realm = realm
            self.clientID = clientID
        }

        /// The entry in a cache's `IdToken` section.
        init(json entry: CacheJSON) {
            (secret, homeAccountID, environment, clientID) = entry.credential
            realm = entry.string("realm") ?? ""
        }

        /// The entry as the schema writes it.
        var json: JSONValue {
            CacheJSON.credential(credentialType, secret, homeAccountID, environment, clientID, [("realm", realm)])
        }

        /// The claims, decoded without verification: the token was validated when it was
        /// received (or, for a cache written by MSAL, is trusted as that cache is).
        public var claims: IDTokenClaims? { JWT.unverifiedClaims(of: secret).map(IDTokenClaims.init(raw:)) }
    }

    public struct Account: Sendable, Equatable {
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

        /// The entry in a cache's `Account` section.
        init(json entry: CacheJSON) {
            homeAccountID = entry.string("home_account_id") ?? ""
            environment = entry.string("environment") ?? ""
            realm = entry.string("realm") ?? ""
            localAccountID = entry.string("local_account_id") ?? ""
            username = entry.string("username") ?? ""
            authorityType = entry.string("authority_type") ?? "MSSTS"
            accountSource = entry.string("account_source")
        }

        /// The entry as the schema writes it.
        var json: JSONValue {
            CacheJSON.object([
                ("home_account_id", homeAccountID), ("environment", environment), ("realm", realm),
                ("local_account_id", localAccountID), ("username", username), ("authority_type", authorityType),
                ("account_source", accountSource),
            ])
        }
    }

    public struct AppMetadata: Sendable, Equatable {
        public var clientID: String
        public var environment: String
        public var familyID: String?


        public init(clientID: String, environment: String, familyID: String? = nil) {
            self.clientID = clientID
            self.environment = environment
            self.familyID = familyID
        }

        /// The entry in a cache's `AppMetadata` section.
        init(json entry: CacheJSON) {
            clientID = entry.string("client_id") ?? ""
            environment = entry.string("environment") ?? ""
            familyID = entry.string("family_id")
        }

        /// The entry as the schema writes it.
        var json: JSONValue {
            CacheJSON.object([("client_id", clientID), ("environment", environment), ("family_id", familyID)])
        }
    }
}
