import FoundationEssentials

/// The JWKS refetches that unknown key ids caused recently, one entry per key id. A key id
/// not seen before gets its refetch at once (a real rotation signs people in at the first
/// attempt, even right after a glitch named some other kid); the same kid again within the
/// interval does not, and neither does any kid once `limit` refetches happened in it. Only
/// kids that caused a refetch are kept, so the table never holds more than `limit` entries.
struct UnknownKeyRefetches: Sendable {
    /// Why a refetch was refused, for the log.
    enum Refusal: String, Sendable {
        case sameKeyID = "this kid caused a refetch recently"
        case limitReached = "too many refetches for unknown kids recently"
    }

    /// Longer key ids are cut here: the table keys on what an attacker sends.
    static let keyIDLimit = 128

    /// When each key id caused its refetch, within the last interval.
    private var refetchedAt: [String: Date] = [:]

    /// Records a refetch for `kid` and returns nil, or returns why there must be none.
    mutating func claim(_ kid: String, now: Date, interval: TimeInterval, limit: Int) -> Refusal? {
        refetchedAt = refetchedAt.filter { now.timeIntervalSince($0.value) < interval }
        let key = String(kid.prefix(Self.keyIDLimit))
        if refetchedAt[key] != nil { return .sameKeyID }
        if refetchedAt.count >= limit { return .limitReached }
        refetchedAt[key] = now
        return nil
    }
}
