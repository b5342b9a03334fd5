import OIDC
import SessionStore
import Synchronization
import ThreadSupport

/// The token caches decoded lately, by session, so that `/graph` parses a session's cache
/// (several KB of JSON, the largest part of that page's cost) once per change instead of
/// once per request. An entry is used only while the session still holds exactly the text
/// it was decoded from, so a refresh on this or any other instance is seen at once; a
/// sign-out forgets it. At most `capacity` entries: a full table drops one to make room.
final class DecodedTokenCaches: Sendable {
    /// One session's cache, with the text it was decoded from.
    private struct Entry {
        let text: String
        let tokens: SignedInTokens
    }

    /// Enough for the sessions active at once on a busy instance; each entry is the
    /// cache's text and its decoded form, some 10 KB.
    static let defaultCapacity = 256

    private let capacity: Int
    /// Shared by the workers: a `Locked`, which sleeps rather than spins when contended.
    private let entries = Locked<[String: Entry]>([:])
    private let decodes = Atomic<Int>(0)

    init(capacity: Int = DecodedTokenCaches.defaultCapacity) {
        self.capacity = capacity
    }

    /// `session`'s tokens, decoded now unless the same text was decoded before; nil when
    /// the session holds no usable cache.
    func tokens(of session: Session) -> SignedInTokens? {
        guard let text = session.tokenCache else { return nil }
        let key = session.handle.storageKey
        if let hit = entries.withLock({ $0[key] }), hit.text == text { return hit.tokens }
        decodes.add(1, ordering: .relaxed)
        guard let tokens = session.signedInTokens() else { return nil }
        entries.withLock { entries in
            if entries[key] == nil, entries.count >= capacity { entries.remove(at: entries.startIndex) }
            entries[key] = Entry(text: text, tokens: tokens)
        }
        return tokens
    }

    /// Drops what was decoded for `handle` (its session ended).
    func forget(_ handle: SessionHandle) {
        _ = entries.withLock { $0.removeValue(forKey: handle.storageKey) }
    }

    /// How many sessions have an entry (tests).
    var count: Int { entries.withLock { $0.count } }

    /// How many caches were decoded so far (tests).
    var decodeCount: Int { decodes.load(ordering: .relaxed) }
}
