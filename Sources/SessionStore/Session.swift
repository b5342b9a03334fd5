// What the server keeps for one browser: the signed-in user's claims and tokens, pending
// sign-ins, and app-defined attributes.
import Encodings
import FoundationEssentials

/// One session. The store owns `id`, `createdAt` and `lastSeen`; everything else is the
/// app's to change inside `SessionStore.update`.
///
/// The store knows nothing about OpenID Connect: the token cache and pending sign-in flows
/// are opaque strings the OIDC module serializes and parses.
public struct Session: Sendable, Equatable {
    /// The session id, which is also the cookie value. Never log it.
    public let id: String
    /// When the session was created; the absolute lifetime counts from here.
    public let createdAt: Date
    /// The last time a request used the session, as recorded on disk (refreshed at most every
    /// `SessionPolicy.touchInterval` by reads, and on every write).
    public internal(set) var lastSeen: Date

    /// Claims of the signed-in user's ID token, kept as JSON values so that any claim
    /// survives the round trip. Empty while nobody is signed in.
    public var claims: [String: JSONValue]
    /// The raw ID token (the `id_token_hint` for sign-out).
    public var idToken: String?
    /// The serialized token cache of the OIDC module.
    public var tokenCache: String?
    /// Sign-ins started but not finished, as serialized by the OIDC module, keyed by its
    /// choice (typically the `state` parameter) so that several tabs can sign in at once.
    public var pendingFlows: [String: String]
    /// Anything else the app needs (flash messages, the page to return to after sign-in).
    public var attributes: [String: String]

    /// True when a user is signed in to this session.
    public var isSignedIn: Bool { !claims.isEmpty }

    public init(
        id: String,
        createdAt: Date,
        lastSeen: Date,
        claims: [String: JSONValue] = [:],
        idToken: String? = nil,
        tokenCache: String? = nil,
        pendingFlows: [String: String] = [:],
        attributes: [String: String] = [:]
    ) {
        self.id = id
        self.createdAt = createdAt
        self.lastSeen = lastSeen
        self.claims = claims
        self.idToken = idToken
        self.tokenCache = tokenCache
        self.pendingFlows = pendingFlows
        self.attributes = attributes
    }
}
