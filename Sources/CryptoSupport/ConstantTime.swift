import COpenSSL

/// Comparison of secrets (state, session ids, client secrets, PKCE verifiers) whose running
/// time does not reveal how many leading bytes matched.
public enum ConstantTime {
    /// True when `a` and `b` hold the same bytes. Time depends only on the lengths.
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in CRYPTO_memcmp(pa.baseAddress, pb.baseAddress, a.count) == 0 }
        }
    }

    /// True when the two strings have the same UTF-8 bytes.
    public static func equals(_ a: String, _ b: String) -> Bool {
        equals(Array(a.utf8), Array(b.utf8))
    }
}
