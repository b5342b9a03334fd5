/// Comparing text while ignoring the case of ASCII letters, without allocating: for header
/// names, tenant ids, and the case-insensitive parts of MSAL cache entries (environment,
/// realm, scopes), compared on every signed-in request.
extension Collection where Element == UInt8 {
    /// Equal to `other` when ASCII letters are compared without case. Stricter than
    /// comparing `lowercased()` forms: any other byte must match exactly, so it never finds
    /// two texts equal that those forms would tell apart.
    @inlinable
    package func equalsIgnoringASCIICase(_ other: some Collection<UInt8>) -> Bool {
        guard count == other.count else { return false }
        var j = other.startIndex
        for c in self {
            let d = other[j]
            j = other.index(after: j)
            if c == d { continue }
            // Different bytes match only as the two cases of one letter.
            let folded = c | 0x20
            guard folded == d | 0x20, folded >= 0x61, folded <= 0x7A else { return false }
        }
        return true
    }
}

extension String {
    /// `utf8.equalsIgnoringASCIICase(other.utf8)`.
    @inlinable
    package func equalsIgnoringASCIICase(_ other: String) -> Bool {
        utf8.equalsIgnoringASCIICase(other.utf8)
    }
}
