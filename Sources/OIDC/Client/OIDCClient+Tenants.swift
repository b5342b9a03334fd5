// Whether a session signed in earlier may stay signed in under today's tenant rules: the
// rules (ALLOWED_TENANTS, AUTHORITY) may have changed since its ID token was validated.
import Encodings
import FoundationEssentials

extension OIDCClient {
    /// The tenant to name in the log when a user signed in with `claims` is no longer
    /// allowed in (ALLOWED_TENANTS no longer lists their directory, or the authority now
    /// names another tenant or issuer); nil while they still are. Cheap and never waits for
    /// the network, so it can run on every request that reads a session: it compares
    /// strings with the configuration and, for an issuer-pinned authority, with the
    /// discovery document only when one has already been fetched.
    public func tenantRefusal(forSignedIn claims: IDTokenClaims) -> String? {
        let admitted: Bool
        switch configuration.tenants {
        case .anyTenant:
            admitted = true
        case .only:
            // The issuer was checked against the `tid` at sign-in; the list is what can change.
            admitted = configuration.tenants.permits(claims.tenantID, templatedIssuer: true)
        case .issuer:
            if let pinned = pinnedTenantID {
                admitted = claims.tenantID?.equalsIgnoringASCIICase(pinned) ?? false
            } else if let issuer = metadataStore.cachedMetadata()?.issuer, !issuer.contains("{tenantid}") {
                admitted = claims.issuer == issuer
            } else {
                admitted = true
            }
        }
        return admitted ? nil : LogSafe.token(claims.tenantID ?? "none")
    }

    /// The directory id an Entra authority names by GUID (lowercased); nil for a domain,
    /// `consumers` or another provider, whose tenant only the discovery document's issuer
    /// reveals.
    static func pinnedTenantID(of authority: Authority) -> String? {
        guard case .entra(let tenant) = authority.kind, tenant.utf8.count == 36, UUID(uuidString: tenant) != nil else { return nil }
        return tenant.lowercased()
    }
}
