import Encodings
import Glibc
import Synchronization
import ThreadSupport

/// The table rows and indented JSON of the Graph profiles shown lately, by the exact bytes
/// Graph sent. `/me` answers the same bytes call after call, so `/graph` parses and lays out
/// a profile once per change of it instead of once per request. The key is the whole body,
/// so a view is only ever the rendering of those very bytes: nothing of one user's profile
/// can reach another user's page. At most `capacity` entries; a full table drops one.
final class ProfileViews: Sendable {
    /// What the page shows of one profile.
    struct View: Sendable {
        /// The table, familiar fields first.
        let rows: [ProfileTable.Row]
        /// The profile as indented JSON.
        let rawJSON: String
    }

    /// Enough for the people using an instance at once; an entry is some 3 KB.
    static let defaultCapacity = 128

    /// A body as a dictionary key, hashed and compared as one run of bytes (an array of
    /// bytes is hashed one element at a time, ten times slower over a profile).
    private struct Body: Hashable, Sendable {
        let bytes: [UInt8]

        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }

        static func == (a: Body, b: Body) -> Bool {
            guard a.bytes.count == b.bytes.count else { return false }
            guard !a.bytes.isEmpty else { return true }
            return a.bytes.withUnsafeBytes { x in b.bytes.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
        }
    }

    private let capacity: Int
    /// Shared by the workers: a `Locked`, which sleeps rather than spins when contended.
    private let views = Locked<[Body: View]>([:])
    private let renders = Atomic<Int>(0)

    /// A table of at most `capacity` views.
    init(capacity: Int = ProfileViews.defaultCapacity) {
        self.capacity = capacity
    }

    /// The view of `body`, laid out now unless the same bytes were seen before; nil when
    /// `body` is not a JSON object.
    func view(of body: [UInt8]) -> View? {
        let key = Body(bytes: body)
        if let seen = views.withLock({ $0[key] }) { return seen }
        guard let profile = JSONValue.parseObject(body) else { return nil }
        renders.add(1, ordering: .relaxed)
        let view = View(rows: ProfileTable.rows(profile), rawJSON: ProfileTable.prettyJSON(profile))
        views.withLock { views in
            if views[key] == nil, views.count >= capacity { views.remove(at: views.startIndex) }
            views[key] = view
        }
        return view
    }

    /// How many views are kept (tests).
    var storedCount: Int { views.withLock { $0.count } }

    /// How many profiles were laid out so far (tests).
    var renderCount: Int { renders.load(ordering: .relaxed) }
}
