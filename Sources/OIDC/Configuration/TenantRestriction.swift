/// Which Entra directories (tenants) may sign in. A tenant-specific authority's issuer
/// already names its one tenant; Entra's `common` and `organizations` metadata has a
/// `{tenantid}` issuer that any tenant's token fills with its own `tid`, so with those an
/// explicit list (or an explicit "any") is what keeps other organisations out.
public enum TenantRestriction: Sendable, Equatable {
    /// The issuer pins the tenant. A `{tenantid}` issuer is then refused outright: nothing
    /// says which tenants may sign in, and failing closed beats letting every tenant in.
    case issuer
    /// Any tenant, on purpose (`ALLOWED_TENANTS=*`).
    case anyTenant
    /// Only these directory ids (GUIDs, compared lowercased), checked against `tid` and so
    /// against the issuer, which must be the metadata issuer with that `tid` filled in.
    case only(Set<String>)

    /// Whether a token of tenant `tid` may sign in; `templatedIssuer` says whether the
    /// metadata issuer had the `{tenantid}` placeholder.
    func permits(_ tid: String?, templatedIssuer: Bool) -> Bool {
        switch self {
        case .issuer: return !templatedIssuer
        case .anyTenant: return true
        case .only(let allowed):
            guard let tid, !tid.isEmpty else { return false }
            return allowed.contains(tid.lowercased())
        }
    }
}
