import CryptoSupport
import FoundationEssentials
import JOSE

/// Validates ID tokens: RS256 signature against the provider's JWKS (with one refetch for
/// an unknown kid), then issuer, audience, authorized party, time and nonce checks.
struct IDTokenValidator: Sendable {
    /// What a valid token must say.
    struct Expectations: Sendable {
        /// The metadata issuer, possibly containing Entra's `{tenantid}` placeholder.
        var issuer: String
        var clientID: String
        var now: Date
        var clockSkew: TimeInterval
        /// The nonce sent on the authorize request; nil for tokens from a refresh, which
        /// carry none.
        var nonce: String?
        /// The ID token being replaced, for tokens from a refresh.
        var previous: IDTokenClaims?
        /// Which tenants may sign in.
        var tenants: TenantRestriction = .issuer
    }

    /// Where verification keys come from.
    struct KeySource {
        var current: () throws(OIDCError) -> JWKSet
        /// Refetches the JWKS because `kid` is unknown; nil when rate-limited.
        var refetch: (_ kid: String) throws(OIDCError) -> JWKSet?
    }

    func validate(_ compact: String, expecting expected: Expectations, keys: KeySource) throws(OIDCError) -> IDTokenClaims {
        let token: JWT
        do { token = try JWT(compact: compact) } catch { throw .idTokenRejected(.malformed) }
        // Checked before any key lookup, so `none` and HMAC tokens never reach a verifier
        // (an HS256 token "signed" with our public key would otherwise be a classic forgery).
        guard let alg = token.algorithm, alg == "RS256" else {
            throw .idTokenRejected(.unsupportedAlgorithm(LogSafe.token(token.algorithm ?? "missing", limit: 16)))
        }
        // RFC 7515 4.1.11: extensions marked critical must be understood; we implement none.
        guard token.header["crit"] == nil else { throw .idTokenRejected(.malformed) }
        try verifySignature(token, keys: keys)
        let claims = IDTokenClaims(raw: token.claims)
        try checkClaims(claims, expected)
        return claims
    }

    private func verifySignature(_ token: JWT, keys: KeySource) throws(OIDCError) {
        var jwks = try keys.current()
        if let kid = token.keyID {
            var candidates = jwks.keys.filter { $0.kid == kid && $0.isRS256SigningKey }
            if candidates.isEmpty {
                // Signing keys rotate: a new kid may be newer than our copy of the JWKS.
                if let refreshed = try keys.refetch(kid) { jwks = refreshed }
                candidates = jwks.keys.filter { $0.kid == kid && $0.isRS256SigningKey }
            }
            guard !candidates.isEmpty else { throw .idTokenRejected(.unknownKeyID(LogSafe.token(kid))) }
            guard candidates.contains(where: { verifies(token, with: $0) }) else { throw .idTokenRejected(.invalidSignature) }
        } else {
            // Without a kid there is no basis to pick one key, so every RS256 key is tried;
            // the token is accepted only if one of them actually verifies it.
            let candidates = jwks.keys.filter(\.isRS256SigningKey)
            guard !candidates.isEmpty else { throw .idTokenRejected(.noUsableKey) }
            guard candidates.contains(where: { verifies(token, with: $0) }) else { throw .idTokenRejected(.invalidSignature) }
        }
    }

    private func verifies(_ token: JWT, with jwk: JWK) -> Bool {
        guard let key = try? jwk.rsaPublicKey() else { return false }
        return key.verifyRS256(signature: token.signature, message: token.signingInput)
    }

    private func checkClaims(_ claims: IDTokenClaims, _ expected: Expectations) throws(OIDCError) {
        guard let issuer = claims.issuer else { throw .idTokenRejected(.issuerMismatch) }
        var expectedIssuer = expected.issuer
        let templatedIssuer = expectedIssuer.contains("{tenantid}")
        if templatedIssuer {
            // Entra's common/organizations metadata cannot name one issuer; the token's own
            // tid fills the placeholder, so the issuer still has to match the tenant it claims.
            guard let tid = claims.tenantID, !tid.isEmpty else { throw .idTokenRejected(.missingTenantID) }
            expectedIssuer = expectedIssuer.replacing("{tenantid}", with: tid)
        }
        guard issuer == expectedIssuer else { throw .idTokenRejected(.issuerMismatch) }
        // After the issuer check, so the issuer's tenant and `tid` are known to agree.
        guard expected.tenants.permits(claims.tenantID, templatedIssuer: templatedIssuer) else {
            throw .idTokenRejected(.tenantNotAllowed(LogSafe.token(claims.tenantID ?? "none")))
        }

        let audiences = claims.audiences
        guard audiences.contains(expected.clientID) else { throw .idTokenRejected(.audienceMismatch) }
        let azp = claims["azp"]?.stringValue
        if audiences.count > 1 && azp == nil { throw .idTokenRejected(.authorizedPartyMismatch) }
        if let azp, azp != expected.clientID { throw .idTokenRejected(.authorizedPartyMismatch) }

        let now = expected.now.timeIntervalSince1970
        let skew = expected.clockSkew
        guard let exp = claims["exp"]?.integerValue else { throw .idTokenRejected(.missingExpiry) }
        guard now < Double(exp) + skew else { throw .idTokenRejected(.expired) }
        if let nbfValue = claims["nbf"] {
            guard let nbf = nbfValue.integerValue, Double(nbf) <= now + skew else { throw .idTokenRejected(.notYetValid) }
        }
        guard let iat = claims["iat"]?.integerValue else { throw .idTokenRejected(.missingIssuedAt) }
        guard Double(iat) <= now + skew else { throw .idTokenRejected(.issuedInFuture) }
        guard let subject = claims.subject, !subject.isEmpty else { throw .idTokenRejected(.missingSubject) }

        if let expectedNonce = expected.nonce {
            guard let nonce = claims.nonce else { throw .idTokenRejected(.missingNonce) }
            guard ConstantTime.equals(nonce, expectedNonce) else { throw .idTokenRejected(.nonceMismatch) }
        }

        if let previous = expected.previous {
            // OIDC Core 12.2: a refreshed ID token must describe the same sign-in.
            if previous.issuer != claims.issuer { throw .idTokenRejected(.identityChanged("iss")) }
            if previous.subject != claims.subject { throw .idTokenRejected(.identityChanged("sub")) }
            if Set(previous.audiences) != Set(claims.audiences) { throw .idTokenRejected(.identityChanged("aud")) }
            if previous.tenantID != claims.tenantID { throw .idTokenRejected(.identityChanged("tid")) }
        }
    }
}
