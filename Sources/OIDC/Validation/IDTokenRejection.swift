/// The reasons an ID token is refused, one per check, so a log line can say exactly which
/// rule a token broke.
public enum IDTokenRejection: Sendable, Equatable {
    case malformed
    /// `alg` is not RS256 (none, HS256, ES256, ...). Carries the log-safe alg value.
    case unsupportedAlgorithm(String)
    /// The header's `kid` is not in the JWKS, even after a refetch.
    case unknownKeyID(String)
    /// The JWKS has no RS256 key to try.
    case noUsableKey
    case invalidSignature
    case issuerMismatch
    /// The metadata issuer has `{tenantid}` but the token has no `tid`.
    case missingTenantID
    /// The token's tenant is not one allowed to sign in. Carries the log-safe `tid`.
    case tenantNotAllowed(String)
    case audienceMismatch
    /// Several audiences and no `azp`, or an `azp` that is not this client.
    case authorizedPartyMismatch
    case missingExpiry
    case expired
    case notYetValid
    case missingIssuedAt
    case issuedInFuture
    case missingSubject
    case missingNonce
    case nonceMismatch
    /// A refreshed ID token names a different issuer, subject, audience or tenant than the
    /// one it replaces. Carries the claim name.
    case identityChanged(String)

    /// A stable snake_case name for logs.
    public var logReason: String {
        switch self {
        case .malformed: return "malformed"
        case .unsupportedAlgorithm(let alg): return "unsupported_alg(\(alg))"
        case .unknownKeyID(let kid): return "unknown_kid(\(kid))"
        case .noUsableKey: return "no_usable_key"
        case .invalidSignature: return "invalid_signature"
        case .issuerMismatch: return "issuer_mismatch"
        case .missingTenantID: return "missing_tid"
        case .tenantNotAllowed(let tid): return "tenant_not_allowed(\(tid))"
        case .audienceMismatch: return "audience_mismatch"
        case .authorizedPartyMismatch: return "azp_mismatch"
        case .missingExpiry: return "missing_exp"
        case .expired: return "expired"
        case .notYetValid: return "not_yet_valid"
        case .missingIssuedAt: return "missing_iat"
        case .issuedInFuture: return "iat_in_future"
        case .missingSubject: return "missing_sub"
        case .missingNonce: return "missing_nonce"
        case .nonceMismatch: return "nonce_mismatch"
        case .identityChanged(let claim): return "identity_changed(\(claim))"
        }
    }
}
