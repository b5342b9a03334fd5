import CryptoSupport
import FoundationEssentials
import HTTPServer
import OIDC
import Synchronization

/// The embedded development identity provider: an OpenID provider that answers like
/// Entra ID's v2.0 endpoints (discovery, JWKS, authorize, token, end-session) plus a
/// Graph-like `/me`, served by the app itself under `/_dev/idp/` so the whole sign-in can
/// be tried and tested without a tenant. The app reaches it over libcurl like any provider.
public final class DevIdentityProvider: Sendable {
    public static let pathPrefix = "/_dev/idp/"
    /// The directory (tenant) id of the demo users.
    public static let tenantID = "3f8e0d1c-5b7a-4e2f-9c6d-0de70de70de7"

    public let clientID: String
    public let clientSecret: String
    public let users: [DevUser]
    /// Misbehaviour switches for tests.
    public let faults = Mutex(DevFaults())
    /// What the token endpoint has done, so tests can tell a refresh from a new sign-in.
    public let counters = Mutex(DevCounters())

    let signingKey: RSAKey
    let keyID: String
    /// Signs the ID tokens of `DevFaults.badIDTokenSignature`; not in the JWKS.
    let strayKey: RSAKey
    let grants = Mutex(DevGrants())
    /// Where the app listens and its redirect URI; known once the server has bound its port.
    let endpoints = Mutex<DevEndpoints?>(nil)
    let pages: PageRenderer
    let random: any RandomSource
    let clock: @Sendable () -> Date

    public init(
        pages: PageRenderer, users: [DevUser] = DevUser.demoUsers, random: any RandomSource = OpenSSLRandom(),
        clock: @escaping @Sendable () -> Date = Date.init
    ) throws {
        self.pages = pages
        self.users = users
        self.random = random
        self.clock = clock
        clientID = "dev-" + random.token(byteCount: 12)
        clientSecret = random.token(byteCount: 32)
        signingKey = try RSAKey.generate(bits: 2048)
        strayKey = try RSAKey.generate(bits: 2048)
        keyID = try signingKey.thumbprint()
    }

    /// Called once the app knows its own origin (`http://127.0.0.1:PORT`) and redirect URI.
    public func configure(origin: String, redirectURI: String) {
        endpoints.withLock { $0 = DevEndpoints(origin: origin, redirectURI: redirectURI) }
    }

    /// The AUTHORITY the app should use: Entra-style, the tenant under the provider's prefix.
    public func authority(origin: String) -> String {
        origin + "/_dev/idp/" + Self.tenantID
    }

    /// The Graph `/me` the provider serves.
    public func graphEndpoint(origin: String) -> String {
        origin + "/_dev/idp/graph/v1.0/me"
    }
}

/// Token endpoint activity.
public struct DevCounters: Sendable, Equatable {
    public var codesRedeemed = 0
    public var refreshTokensRedeemed = 0
    public var tokenErrors = 0
}

/// The addresses the provider hands out, fixed after the server binds.
struct DevEndpoints: Sendable {
    let origin: String
    let redirectURI: String

    func issuer(tenant: String) -> String { "\(origin)/_dev/idp/\(tenant)/v2.0" }
    func base(tenant: String) -> String { "\(origin)/_dev/idp/\(tenant)" }
}
