import CryptoSupport
import FoundationEssentials
import HTTPServer
import JOSE
import Logging
import Synchronization

/// The embedded development identity provider: an OpenID provider that answers like
/// Entra ID's v2.0 endpoints (discovery, JWKS, authorize, token, end-session) plus a
/// Graph-like `/me`, served by the app itself under `/_dev/idp/` so the whole sign-in can
/// be tried and tested without a tenant. The app reaches it over libcurl like any provider;
/// nothing here knows the app or its OIDC client. Only this machine may use it
/// (`DevAccessGate`).
public final class DevIdentityProvider: Sendable {
    /// Where the provider is mounted; every endpoint lives below it.
    public static let pathPrefix = "/_dev/idp/"
    /// The directory (tenant) id of the demo users.
    public static let tenantID = "3f8e0d1c-5b7a-4e2f-9c6d-0de70de70de7"
    /// The scopes that are OpenID Connect's own; the others are resource (Graph) scopes,
    /// which go into the access token's `scp`.
    static let openIDScopes: Set<String> = ["openid", "profile", "offline_access"]

    /// The one registered client: the app (random per start).
    public let clientID: String
    /// That client's secret (random per start, never logged).
    public let clientSecret: String
    /// The demo accounts the authorize page offers.
    public let users: [DevUser]
    /// Each user's Graph `/me` body, by object id.
    let profiles: [String: [UInt8]]
    /// The tenant segment of the authority the app is told to use: the demo tenant, or
    /// `organizations` / `common`, whose metadata carries Entra's `{tenantid}` issuer.
    public let authorityTenant: String
    /// When set, the client proves itself with a federated token (workload identity
    /// federation) and its secret is no longer accepted.
    public let federatedCredential: DevFederatedCredential?
    /// Misbehaviour switches for tests.
    @_spi(Testing) public let faults = Mutex(DevFaults())
    /// What the token endpoint has done, so tests can tell a refresh from a new sign-in.
    @_spi(Testing) public let counters = Mutex(DevCounters())

    /// The key tokens are signed with and the JWKS publishes; a test can rotate it.
    let signing: Mutex<DevSigningKey>
    /// Keys that signed earlier tokens, still good for `/me` after a rotation.
    let retiredKeys = Mutex<[RSAKey]>([])
    /// Signs the ID tokens of `DevFaults.badIDTokenSignature`; not in the JWKS. Made on
    /// first use: only that fault needs it, and a 2048-bit key is a good part of start-up.
    private let strayKeyStore = Mutex<RSAKey?>(nil)
    /// Codes and refresh tokens issued and not yet redeemed.
    let grants = Mutex(DevGrants())
    /// Where the app listens and its redirect URI; known once the server has bound its port.
    let endpoints = Mutex<DevEndpoints?>(nil)
    /// How its pages are drawn (by the app).
    let pages: DevPages
    /// Where codes, tokens, client id and secret come from.
    let random: any RandomSource
    /// The time tokens are issued at.
    let clock: @Sendable () -> Date
    /// Where refused requests are logged.
    let logger: Logger
    /// The threads the token endpoint signs on (see `route(for:)`): two, enough for a
    /// developer's sign-ins and the tests' concurrent ones, and a queue that answers 503
    /// rather than growing.
    let signingLane: WorkerLane

    /// - Parameters:
    ///   - authorityTenant: the tenant segment of the authority the app is told to use
    ///     (`organizations` to try multi-tenant sign-in).
    ///   - federatedCredential: the federated identity credential that replaces the
    ///     client secret, if any.
    public init(
        pages: DevPages, users: [DevUser] = DevUser.demoUsers, authorityTenant: String = tenantID,
        federatedCredential: DevFederatedCredential? = nil,
        random: any RandomSource = OpenSSLRandom(), clock: @escaping @Sendable () -> Date = Date.init,
        logger: Logger = Logger(label: "dev-idp")
    ) throws {
        self.pages = pages
        self.users = users
        profiles = Dictionary(users.map { ($0.objectID, Self.profile(of: $0)) }, uniquingKeysWith: { first, _ in first })
        self.authorityTenant = authorityTenant
        self.federatedCredential = federatedCredential
        self.random = random
        self.clock = clock
        self.logger = logger
        signingLane = WorkerLane(name: "dev-idp-sign", threads: 2, capacity: 256, logger: logger)
        clientID = "dev-" + random.token(byteCount: 12)
        clientSecret = random.token(byteCount: 32)
        signing = Mutex(try DevSigningKey.generate())
    }

    /// The key of `DevFaults.badIDTokenSignature`, made the first time it is needed.
    func strayKey() throws -> RSAKey {
        try strayKeyStore.withLock { stored in
            if let stored { return stored }
            let key = try RSAKey.generate(bits: 2048)
            stored = key
            return key
        }
    }

    /// Replaces the signing key with a new one under a new key id, and publishes only that:
    /// a provider's key rotation, seen by an app that cached the old JWKS.
    @_spi(Testing) public func rotateSigningKey() throws {
        let next = try DevSigningKey.generate()
        let previous = signing.withLock { current in
            defer { current = next }
            return current.key
        }
        retiredKeys.withLock { $0.append(previous) }
    }

    /// Lets the signing lane's threads end (the server is stopping).
    public func shutdown() {
        signingLane.shutdown()
    }

    /// Called once the app knows its own origin (`http://127.0.0.1:PORT`) and redirect URI.
    public func configure(origin: String, redirectURI: String) {
        endpoints.withLock { $0 = DevEndpoints(origin: origin, redirectURI: redirectURI) }
    }

    /// The AUTHORITY the app should use: Entra-style, the tenant under the provider's prefix.
    public func authority(origin: String) -> String {
        origin + Self.pathPrefix + authorityTenant
    }

    /// The Graph `/me` the provider serves.
    public func graphEndpoint(origin: String) -> String {
        origin + Self.pathPrefix + "graph/v1.0/me"
    }
}

/// Token endpoint activity.
@_spi(Testing) public struct DevCounters: Sendable, Equatable {
    /// Authorization codes exchanged for tokens.
    public var codesRedeemed = 0
    /// Refresh tokens exchanged for new tokens.
    public var refreshTokensRedeemed = 0
    /// Token requests answered with an error.
    public var tokenErrors = 0
    /// JWKS documents served: how often the app fetched the signing keys.
    public var keySetsServed = 0

    /// Nothing done yet.
    public init() {}
}

/// A signing key and its key id (the RFC 7638 thumbprint).
struct DevSigningKey: Sendable {
    /// The private key.
    let key: RSAKey
    /// Its `kid` in token headers and the JWKS.
    let keyID: String

    /// A new 2048-bit key and its thumbprint.
    static func generate() throws -> DevSigningKey {
        let key = try RSAKey.generate(bits: 2048)
        return DevSigningKey(key: key, keyID: try key.thumbprint())
    }
}

/// The addresses the provider hands out, fixed after the server binds.
struct DevEndpoints: Sendable {
    /// `http://127.0.0.1:PORT`: where the app, and so the provider, listens.
    let origin: String
    /// The app's registered redirect URI, the only one codes are sent to.
    let redirectURI: String

    /// The issuer of `tenant`'s tokens (or the `{tenantid}` template).
    func issuer(tenant: String) -> String { "\(origin)\(DevIdentityProvider.pathPrefix)\(tenant)/v2.0" }
    /// The base URL of `tenant`'s endpoints.
    func base(tenant: String) -> String { "\(origin)\(DevIdentityProvider.pathPrefix)\(tenant)" }
}
