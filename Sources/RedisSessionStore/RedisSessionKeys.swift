// Where a session and what goes with it live in Redis. Every key of one session carries the
// session's storage key as its hash tag (`{...}`), so each script touches one slot and the
// layout moves to Redis Cluster unchanged.
//
//   <prefix>{<storage key>}:session   the sealed `SessionRecord`, TTL = time left until expiry
//   <prefix>{<storage key>}:refresh   the token-refresh lock: a random token, a short lease
//   <prefix>{<claim digest>}:claim    a single-use claim, TTL = the claim's
//
// The storage key is the hex SHA-256 of the cookie's id, the claim digest a hex SHA-256 of
// the claimed value: neither reveals what it names.

/// The key names of one store, under its prefix.
public struct RedisSessionKeys: Sendable, Equatable {
    /// What every key starts with, so several apps can share one Redis (default `entra-web:`).
    public let prefix: String

    /// The prefix when none is configured.
    public static let defaultPrefix = "entra-web:"
    /// The longest prefix accepted: keys stay short enough to be cheap.
    public static let maximumPrefixLength = 64

    /// Keys under `prefix`, which must be 1 to 64 letters, digits or `:._-/`. Braces would
    /// change which part of a key Redis Cluster hashes, spaces and control characters make
    /// keys that tools display wrongly: refused, with a reason that reads after the
    /// setting's name.
    public init(prefix: String = RedisSessionKeys.defaultPrefix) throws(InvalidKeyPrefix) {
        guard !prefix.isEmpty, prefix.utf8.count <= Self.maximumPrefixLength else {
            throw InvalidKeyPrefix(reason: "must be 1 to \(Self.maximumPrefixLength) characters long")
        }
        guard prefix.utf8.allSatisfy(Self.isAllowed) else {
            throw InvalidKeyPrefix(reason: "may only contain letters, digits and : . _ - / (no braces, which would break the keys' hash tags)")
        }
        self.prefix = prefix
    }

    /// The sealed session stored under `storageKey`.
    func session(_ storageKey: String) -> String {
        tagged(storageKey) + ":session"
    }

    /// The token-refresh lock of the session stored under `storageKey`.
    func refreshLock(_ storageKey: String) -> String {
        tagged(storageKey) + ":refresh"
    }

    /// The single-use claim with digest `digest`.
    func claim(_ digest: String) -> String {
        tagged(digest) + ":claim"
    }

    /// The glob matching every key of this prefix (for operators' scans and the tests).
    public var pattern: String { prefix + "*" }

    /// `<prefix>{<tag>}`.
    private func tagged(_ tag: String) -> String {
        prefix + "{" + tag + "}"
    }

    /// Letters, digits and `: . _ - /`.
    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }
}

/// A key prefix that cannot be used. Carries only the reason: the app names the setting.
public struct InvalidKeyPrefix: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, phrased to follow the setting's name.
    public let reason: String

    /// The reason alone.
    public var description: String { reason }
}
