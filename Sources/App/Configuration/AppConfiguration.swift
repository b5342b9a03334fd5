import Encodings
import FoundationEssentials
import HTTPServer
import Logging
import OIDC

/// The app's settings, read from the environment and `.env` (the environment wins) and
/// checked once at start-up so a bad value stops the process with a message naming the key.
public struct AppConfiguration: Sendable {
    // Identity provider
    public var clientID: String?
    public var clientSecret: String?
    /// Entra authority, e.g. https://login.microsoftonline.com/<tenant>.
    public var authority: String?
    /// Issuer of any standard OpenID provider (used instead of AUTHORITY).
    public var oidcAuthority: String?
    /// ALLOWED_TENANTS: the Entra directories whose users may sign in (nil: not set).
    public var allowedTenants: TenantRestriction?
    /// Absolute redirect URI; when unset it is derived from the address the server binds.
    public var redirectURI: URL?
    public var scopes: [String]
    /// The Graph resource `/graph` shows; nil means Microsoft Graph's `/me` (or the
    /// development provider's when that is on). https, or http on loopback: it receives
    /// the user's access token.
    public var graphEndpoint: URL?
    public var adminRole: String
    public var clientCertificatePath: String?
    public var clientPrivateKeyPath: String?
    /// client_secret_post (default) or client_secret_basic.
    public var tokenAuthMethod: String
    /// The federated token sent as the client assertion (workload identity federation):
    /// CLIENT_ASSERTION_FILE, or AZURE_FEDERATED_TOKEN_FILE when no other credential is set.
    public var clientAssertion: ClientAssertionFile?
    /// AZURE_FEDERATED_TOKEN_FILE as set (by the AKS workload identity webhook), used or not.
    public var federatedTokenFile: String?
    public var devIdentityProvider: Bool

    // Sessions
    /// SESSION_STORE: files in `sessionDirectory`, or Redis.
    public var sessionStore: SessionStoreSetting
    public var sessionDirectory: String
    public var sessionIdleTimeout: TimeInterval
    public var sessionLifetime: TimeInterval
    /// SESSION_SECRET: the server's secret for what it seals for browsers (sign-ins in
    /// progress); nil: generated into the session directory (single machine only).
    public var sessionSecret: SessionSecret?
    /// True when the session store is shared with other instances (other machines): then
    /// SESSION_SECRET is required (`SessionSecret.resolve`). The file store in one directory
    /// on one machine is not; Redis is.
    public var sessionStoreIsShared: Bool { sessionStore != .file }

    // Server
    public var host: String
    public var port: Int
    public var trustedProxies: [String]
    public var headTimeout: TimeInterval
    public var idleTimeout: TimeInterval
    public var maxConnections: Int
    /// Open connections one client address may have; nil: 256, or a quarter of
    /// `maxConnections` when that is smaller.
    public var maxConnectionsPerClient: Int?
    public var logLevel: Logger.Level

    // Outbound calls
    /// CA_BUNDLE: the only CAs outbound TLS trusts.
    public var caBundle: String?
    /// SSL_CERT_FILE, the conventional OpenSSL variable for a CA file, used without CA_BUNDLE.
    public var sslCertFile: String?
    /// SSL_CERT_DIR, its counterpart for directories of hashed CA certificates.
    public var sslCertDirectory: String?

    // Files
    public var templatesDirectory: String
    public var publicDirectory: String

    /// Every key the app reads, with a one-line description; `.env.example` mirrors this list.
    public static let keys: [(key: String, help: String)] = [
        ("CLIENT_ID", "Application (client) ID of the Entra app registration"),
        ("CLIENT_SECRET", "Client secret of the app registration (or use a certificate)"),
        ("AUTHORITY", "https://login.microsoftonline.com/<tenant id or domain>"),
        ("OIDC_AUTHORITY", "Issuer URL of any other OpenID provider, used instead of AUTHORITY"),
        ("ALLOWED_TENANTS", "Comma-separated directory (tenant) ids that may sign in; required with common or organizations; * for any"),
        ("REDIRECT_URI", "Absolute redirect URI registered in Entra, ending in /getAToken"),
        ("SCOPE", "Space-separated API scopes to request besides openid profile offline_access"),
        ("GRAPH_ENDPOINT", "The Graph resource /graph shows"),
        ("ADMIN_ROLE", "App role that may open /admin"),
        ("CLIENT_CERTIFICATE_PATH", "PEM certificate for private_key_jwt (instead of a secret)"),
        ("CLIENT_PRIVATE_KEY_PATH", "PEM private key of that certificate"),
        ("TOKEN_AUTH_METHOD", "client_secret_post or client_secret_basic"),
        ("CLIENT_ASSERTION_FILE", "File holding a federated token (workload identity) sent as the client assertion, read on every token request"),
        ("AZURE_FEDERATED_TOKEN_FILE", "Set by AKS workload identity: the same, used when no other credential is set"),
        ("AZURE_CLIENT_ID", "Set by AKS workload identity: CLIENT_ID when that is unset and the credential is AZURE_FEDERATED_TOKEN_FILE"),
        ("AZURE_TENANT_ID", "Set by AKS workload identity: the tenant of AUTHORITY when that is unset, likewise"),
        ("AZURE_AUTHORITY_HOST", "Set by AKS workload identity: the host of that AUTHORITY (default https://login.microsoftonline.com/)"),
        ("DEV_IDP", "1 to start the embedded development identity provider"),
        ("SESSION_STORE", "file (sessions in SESSION_DIR, one machine) or a redis:// or rediss:// URL shared by several instances"),
        ("REDIS_PASSWORD", "Password for the Redis of SESSION_STORE (instead of putting it in the URL)"),
        ("REDIS_CA_FILE", "PEM file of the CA certificates to trust for rediss:// (default: the system's)"),
        ("SESSION_KEY_PREFIX", "What every Redis key of this app starts with, so several apps can share one Redis"),
        ("SESSION_DIR", "Directory of the server-side session files"),
        ("SESSION_IDLE_TIMEOUT", "Seconds of inactivity before a session ends"),
        ("SESSION_LIFETIME", "Seconds after sign-in before a session ends regardless"),
        ("SESSION_SECRET", "At least 32 random bytes, hex or base64 (openssl rand -base64 32); the same on every instance; generated into SESSION_DIR/secret when unset on one machine"),
        ("HOST", "Address to listen on (127.0.0.1, 0.0.0.0, ::1, ::)"),
        ("PORT", "Port to listen on; 0 lets the system pick one"),
        ("TRUSTED_PROXIES", "Comma-separated proxy addresses or CIDRs whose X-Forwarded-* headers are honoured"),
        ("HEAD_TIMEOUT", "Seconds a client has to send a request head; a body gets this long again plus its size at 8 KB/s"),
        ("IDLE_TIMEOUT", "Seconds an idle keep-alive connection is kept"),
        ("MAX_CONNECTIONS", "Open connections beyond which new ones get 503"),
        ("MAX_CONNECTIONS_PER_CLIENT", "Open connections one client address (IPv6: one /64) may have (default 256, or MAX_CONNECTIONS/4 if smaller); trusted proxies are exempt"),
        ("LOG_LEVEL", "trace, debug, info, notice, warning, error or critical"),
        ("CA_BUNDLE", "PEM file of the only CAs trusted for outbound calls (provider, Graph), e.g. a corporate or private CA"),
        ("SSL_CERT_FILE", "Conventional PEM CA file, used when CA_BUNDLE is unset"),
        ("SSL_CERT_DIR", "Conventional directory of hashed CA certificates, used when CA_BUNDLE is unset"),
        ("TEMPLATES_DIR", "Directory of the Mustache templates"),
        ("PUBLIC_DIR", "Directory served under /static/"),
    ]

    /// Reads the settings. `environment` wins over `dotEnv`.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        dotEnv: [String: String] = [:]
    ) throws(ConfigurationError) -> AppConfiguration {
        try OutboundProxy.checkNotOnlyInDotEnv(environment: environment, dotEnv: dotEnv)
        let reader = SettingReader(values: dotEnv.merging(environment) { _, fromEnvironment in fromEnvironment })
        let workload = WorkloadIdentity(reader.string)
        return AppConfiguration(
            clientID: reader.string("CLIENT_ID") ?? workload.defaultClientID,
            clientSecret: reader.string("CLIENT_SECRET"),
            authority: reader.string("AUTHORITY") ?? (reader.string("OIDC_AUTHORITY") == nil ? workload.defaultAuthority : nil),
            oidcAuthority: reader.string("OIDC_AUTHORITY"),
            allowedTenants: try reader.tenants("ALLOWED_TENANTS"),
            redirectURI: try reader.absoluteURL("REDIRECT_URI"),
            scopes: (reader.string("SCOPE") ?? "User.Read").split(separator: " ").map(String.init),
            graphEndpoint: try reader.bearerTokenURL("GRAPH_ENDPOINT"),
            adminRole: reader.string("ADMIN_ROLE") ?? "admin",
            clientCertificatePath: reader.string("CLIENT_CERTIFICATE_PATH"),
            clientPrivateKeyPath: reader.string("CLIENT_PRIVATE_KEY_PATH"),
            tokenAuthMethod: try reader.oneOf("TOKEN_AUTH_METHOD", ["client_secret_post", "client_secret_basic"]) ?? "client_secret_post",
            clientAssertion: workload.assertion,
            federatedTokenFile: reader.string(WorkloadIdentity.webhookTokenKey),
            devIdentityProvider: try reader.flag("DEV_IDP"),
            sessionStore: try SessionStoreSetting.parse(
                store: reader.string("SESSION_STORE"), password: reader.string("REDIS_PASSWORD"),
                caFile: reader.string("REDIS_CA_FILE"), keyPrefix: reader.string("SESSION_KEY_PREFIX")),
            sessionDirectory: reader.string("SESSION_DIR") ?? ".sessions",
            sessionIdleTimeout: try reader.seconds("SESSION_IDLE_TIMEOUT") ?? 3600,
            sessionLifetime: try reader.seconds("SESSION_LIFETIME") ?? 86_400,
            sessionSecret: try reader.secret("SESSION_SECRET"),
            host: reader.string("HOST") ?? "127.0.0.1",
            port: try reader.integer("PORT", in: 0...65_535) ?? 5000,
            trustedProxies: try reader.proxyList("TRUSTED_PROXIES"),
            headTimeout: try reader.seconds("HEAD_TIMEOUT") ?? 10,
            idleTimeout: try reader.seconds("IDLE_TIMEOUT") ?? 60,
            maxConnections: try reader.integer("MAX_CONNECTIONS", in: 1...1_000_000) ?? 10_000,
            maxConnectionsPerClient: try reader.integer("MAX_CONNECTIONS_PER_CLIENT", in: 1...1_000_000),
            logLevel: try reader.oneOf("LOG_LEVEL", Logger.Level.allCases.map(\.rawValue)).flatMap(Logger.Level.init(rawValue:)) ?? .info,
            caBundle: reader.string("CA_BUNDLE"),
            sslCertFile: reader.string("SSL_CERT_FILE"),
            sslCertDirectory: reader.string("SSL_CERT_DIR"),
            templatesDirectory: reader.string("TEMPLATES_DIR") ?? "Templates",
            publicDirectory: reader.string("PUBLIC_DIR") ?? "Public"
        )
    }

    public static let defaultGraphEndpoint = "https://graph.microsoft.com/v1.0/me"

    /// Whether the profile comes from Microsoft Graph: with Entra or the development
    /// provider (which mimics Graph), not with a generic OpenID provider's userinfo.
    public var usesMicrosoftGraph: Bool {
        devIdentityProvider || authority != nil || oidcAuthority == nil
    }

    /// True when an Entra app (or another OpenID provider) is configured.
    public var hasIdentityProvider: Bool {
        clientID != nil && (authority != nil || oidcAuthority != nil)
    }

    /// The settings that say "a server others use": a proxy in front, a redirect URI that is
    /// not plain http on this machine, a listening address that is not loopback.
    public var productionLookingKeys: [String] {
        var keys: [String] = []
        if !redirectURIIsLocal { keys.append("REDIRECT_URI") }
        if !trustedProxies.isEmpty { keys.append("TRUSTED_PROXIES") }
        if !LoopbackHost.isLoopback(host) { keys.append("HOST") }
        return keys
    }

    /// True when REDIRECT_URI is unset (then derived from the listening address) or an http
    /// URL on a loopback host.
    public var redirectURIIsLocal: Bool {
        guard let redirectURI else { return true }
        let components = URLComponents(url: redirectURI, resolvingAgainstBaseURL: false)
        guard components?.scheme?.lowercased() == "http", let host = components?.literalHost else { return false }
        return LoopbackHost.isLoopback(host)
    }

    /// The keys a real provider needs that are not set, for the configuration page.
    public var missingIdentityKeys: [String] {
        var missing: [String] = []
        if clientID == nil { missing.append("CLIENT_ID") }
        if authority == nil && oidcAuthority == nil { missing.append("AUTHORITY") }
        if clientSecret == nil && clientCertificatePath == nil && clientAssertion == nil { missing.append("CLIENT_SECRET") }
        return missing
    }
}

/// Typed access to raw string settings; every failure names its key.
private struct SettingReader {
    let values: [String: String]

    func string(_ key: String) -> String? {
        guard let value = values[key]?.trimmingWhitespace, !value.isEmpty else { return nil }
        return String(value)
    }

    func list(_ key: String) -> [String] {
        (string(key) ?? "").split(separator: ",").map { String($0.trimmingWhitespace) }.filter { !$0.isEmpty }
    }

    func proxyList(_ key: String) throws(ConfigurationError) -> [String] {
        let entries = list(key)
        for entry in entries where TrustedProxies.Block(entry) == nil {
            throw ConfigurationError(key: key, reason: "has \"\(entry)\", which is not an IP address or CIDR block")
        }
        return entries
    }

    /// A list of directory (tenant) GUIDs, or `*` alone for any tenant.
    func tenants(_ key: String) throws(ConfigurationError) -> TenantRestriction? {
        let entries = list(key)
        if entries.isEmpty { return nil }
        if entries == ["*"] { return .anyTenant }
        for entry in entries where entry.utf8.count != 36 || UUID(uuidString: entry) == nil {
            throw ConfigurationError(key: key, reason: "has \"\(entry)\", which is not a directory (tenant) id: list GUIDs such as 72f988bf-86f1-41af-91ab-2d7cd011db47, or * alone for any tenant")
        }
        return .only(Set(entries.map { $0.lowercased() }))
    }

    /// A secret of at least 32 bytes; the value itself never goes into the message.
    func secret(_ key: String) throws(ConfigurationError) -> SessionSecret? {
        guard let raw = string(key) else { return nil }
        guard let secret = SessionSecret(encoded: raw) else {
            throw ConfigurationError(key: key, reason: SessionSecret.requirement)
        }
        return secret
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let raw = string(key) else { return nil }
        guard let value = Int(raw), range.contains(value) else {
            throw ConfigurationError(key: key, reason: "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(raw)\"")
        }
        return value
    }

    func seconds(_ key: String) throws(ConfigurationError) -> TimeInterval? {
        guard let raw = string(key) else { return nil }
        guard let value = Double(raw), value > 0, value.isFinite else {
            throw ConfigurationError(key: key, reason: "must be a positive number of seconds, got \"\(raw)\"")
        }
        return value
    }

    func flag(_ key: String) throws(ConfigurationError) -> Bool {
        switch string(key)?.lowercased() {
        case nil, "0", "false", "no", "off": return false
        case "1", "true", "yes", "on": return true
        case let other?: throw ConfigurationError(key: key, reason: "must be 1 or 0, got \"\(other)\"")
        }
    }

    func oneOf(_ key: String, _ allowed: [String]) throws(ConfigurationError) -> String? {
        guard let raw = string(key) else { return nil }
        guard allowed.contains(raw) else {
            throw ConfigurationError(key: key, reason: "must be one of \(allowed.joined(separator: ", ")), got \"\(raw)\"")
        }
        return raw
    }

    func absoluteURL(_ key: String) throws(ConfigurationError) -> URL? {
        guard let raw = string(key) else { return nil }
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = URLComponents(string: raw)?.literalHost, !host.isEmpty
        else {
            throw ConfigurationError(key: key, reason: "must be an absolute http(s) URL, got \"\(raw)\"")
        }
        return url
    }

    /// An absolute URL that may receive a bearer token: https, or http only on loopback
    /// (the same rule as for the provider's own URLs).
    func bearerTokenURL(_ key: String) throws(ConfigurationError) -> URL? {
        guard let url = try absoluteURL(key) else { return nil }
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        if components?.scheme?.lowercased() == "http", !(components?.literalHost.map { LoopbackHost.isLoopback($0) } ?? false) {
            throw ConfigurationError(key: key, reason: "must be an https URL (http only for localhost, 127.0.0.0/8 and ::1): it receives the signed-in user's access token")
        }
        return url
    }
}
