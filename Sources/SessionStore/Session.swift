// What the server keeps for one browser: the signed-in user's claims and tokens, and
// app-defined attributes.
import Encodings
import FoundationEssentials

/// One session. The store owns `handle`, `createdAt`, `lastSeen` and `version`; everything
/// else is the app's to change inside `SessionStore.update`.
///
/// The store knows nothing about OpenID Connect: the token cache is an opaque string the
/// OIDC module serializes and parses (the app decodes it once per request that uses
/// tokens). It, the claims and the attributes are sealed at rest; only the times and the
/// version are stored readable. Sign-ins in progress are not kept here: the browser carries
/// them until someone has signed in.
public struct Session: Sendable, Equatable {
    /// The browser's handle on this session, which the cookie carries. Opaque; never logged.
    public let handle: SessionHandle
    /// When the session was created; the absolute lifetime counts from here.
    public let createdAt: Date
    /// The last time a request used the session, as stored (refreshed at most every
    /// `SessionPolicy.touchInterval` by reads, and on every write).
    public package(set) var lastSeen: Date
    /// Counts the writes of this session: 1 when created, one more for every write. Every
    /// write is a compare-and-set on it, so a write based on an older copy never lands.
    public package(set) var version: UInt64

    /// Claims of the signed-in user's ID token, kept as JSON values so that any claim
    /// survives the round trip. Empty while nobody is signed in.
    public var claims: [String: JSONValue]
    /// The serialized token cache of the OIDC module.
    public var tokenCache: String?
    /// Anything else the app needs (flash messages, the account the tokens belong to).
    public var attributes: [String: String]

    /// True when a user is signed in to this session.
    public var isSignedIn: Bool { !claims.isEmpty }

    /// A session value; stores make them, tests and tools may too.
    public init(
        handle: SessionHandle,
        createdAt: Date,
        lastSeen: Date,
        version: UInt64 = 1,
        claims: [String: JSONValue] = [:],
        tokenCache: String? = nil,
        attributes: [String: String] = [:]
    ) {
        self.handle = handle
        self.createdAt = createdAt
        self.lastSeen = lastSeen
        self.version = version
        self.claims = claims
        self.tokenCache = tokenCache
        self.attributes = attributes
    }

    /// This session as its next write stores it: one version more, last used at `now`
    /// (never earlier than it already was).
    package func nextWrite(at now: Date) -> Session {
        var next = self
        next.lastSeen = max(now, lastSeen)
        next.version = version + 1
        return next
    }

    /// True when the parts the app controls are the same (times and version aside): whether
    /// an update changed anything worth writing.
    package func hasSameContent(as other: Session) -> Bool {
        claims == other.claims && tokenCache == other.tokenCache && attributes == other.attributes
    }
}
