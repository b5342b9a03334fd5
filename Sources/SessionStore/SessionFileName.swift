/// The kinds of entry in the session directory, told apart by name, so that loads open only
/// exact session names and the sweep knows what each leftover is.
enum SessionFileName: Equatable {
    /// `<64 hex>`: a session.
    case session(String)
    /// `<64 hex>.lock`: the write lock of the session named by the hex part.
    case lock(session: String)
    /// `<64 hex>.refresh`: the token-refresh lock of the session named by the hex part.
    case refreshLock(session: String)
    /// `<64 hex>.claim`: a single-use claim (the hex part hashes the claimed key).
    case claim
    /// `<64 hex>.tmp-…`: a write in progress or left over from a crash.
    case temporary
    /// `<64 hex>.corrupt`: a session file that could not be decoded, moved aside.
    case corrupt
    /// Anything else; never touched.
    case other

    static let lockSuffix = ".lock"
    static let refreshLockSuffix = ".refresh"
    static let claimSuffix = ".claim"
    static let temporaryMarker = ".tmp-"
    static let corruptSuffix = ".corrupt"

    init(classifying entry: String) {
        let utf8 = entry.utf8
        guard utf8.count >= 64, utf8.prefix(64).allSatisfy(Self.isLowercaseHex) else {
            self = .other
            return
        }
        let hash = String(entry.prefix(64))
        let rest = entry.dropFirst(64)
        if rest.isEmpty {
            self = .session(hash)
        } else if rest == Self.lockSuffix {
            self = .lock(session: hash)
        } else if rest == Self.refreshLockSuffix {
            self = .refreshLock(session: hash)
        } else if rest == Self.claimSuffix {
            self = .claim
        } else if rest.hasPrefix(Self.temporaryMarker) {
            self = .temporary
        } else if rest == Self.corruptSuffix {
            self = .corrupt
        } else {
            self = .other
        }
    }

    private static func isLowercaseHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    /// What logs may show of a session file name: a prefix of the hash, enough to find the
    /// file, useless for finding the id.
    static func logPrefix(_ name: String) -> String {
        String(name.prefix(12))
    }
}
