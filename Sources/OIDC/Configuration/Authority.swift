import Encodings
import FoundationEssentials

/// Where the identity provider lives: an Entra authority (`AUTHORITY`) or any OpenID
/// provider's issuer (`OIDC_AUTHORITY`), with the rules for which URLs are acceptable.
public struct Authority: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Microsoft Entra ID; `tenant` is a tenant id, a domain, `common` or `organizations`.
        case entra(tenant: String)
        /// Any standard OpenID provider, identified by its issuer.
        case generic
    }

    public let kind: Kind
    /// The configured URL without a trailing slash.
    public let url: String
    /// Lowercased host name (without port): MSAL's cache `environment`.
    public let host: String
    /// The OpenID discovery document's URL.
    public let metadataURL: String

    public var isEntra: Bool {
        if case .entra = kind { return true }
        return false
    }

    /// True for Entra's `common` and `organizations`, whose tokens may come from any tenant
    /// (the metadata issuer is a `{tenantid}` template). `consumers` is not: its issuer is the
    /// one directory of personal Microsoft accounts.
    public var isMultiTenant: Bool {
        guard case .entra(let tenant) = kind else { return false }
        return ["common", "organizations"].contains(tenant.lowercased())
    }

    /// The cache `realm`: as MSAL Python does, the authority's first path segment (the
    /// configured tenant for Entra), or empty when the issuer has no path.
    public var realm: String {
        switch kind {
        case .entra(let tenant): return tenant
        case .generic:
            guard let components = URLComponents(string: url) else { return "" }
            return components.path.split(separator: "/").first.map(String.init) ?? ""
        }
    }

    /// Parses an Entra authority, e.g. `https://login.microsoftonline.com/contoso.onmicrosoft.com`.
    public static func entra(_ value: String) throws(SettingError) -> Authority {
        let (trimmed, components) = try parse(value)
        let segments = components.path.split(separator: "/").map(String.init)
        // The tenant is the last segment. A path before it is allowed (a provider mounted under
        // a prefix, like the development provider's /_dev/idp/<tenant>), but a pasted
        // ".../v2.0" or ".../oauth2/..." would produce a wrong metadata URL that fails far from
        // its cause, so those are refused.
        let endpointSegments: Set<String> = ["v2.0", "oauth2", "discovery", ".well-known", "openid-configuration"]
        guard let tenant = segments.last, !segments.contains(where: { endpointSegments.contains($0.lowercased()) }) else {
            throw SettingError("must be https://<host>/<tenant> (tenant id, domain, common or organizations)")
        }
        return Authority(kind: .entra(tenant: tenant), url: trimmed, host: components.literalHost!.lowercased(),
                         metadataURL: trimmed + "/v2.0/.well-known/openid-configuration")
    }

    /// Parses a generic OpenID provider's issuer URL.
    public static func generic(_ value: String) throws(SettingError) -> Authority {
        let (trimmed, components) = try parse(value)
        return Authority(kind: .generic, url: trimmed, host: components.literalHost!.lowercased(),
                         metadataURL: trimmed + "/.well-known/openid-configuration")
    }

    /// The URL without trailing slashes, and its parts, once the https rule holds.
    private static func parse(_ value: String) throws(SettingError) -> (String, URLComponents) {
        var trimmed = String(value.trimmingWhitespace)
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              let host = components.literalHost, !host.isEmpty
        else { throw SettingError("is not an absolute URL") }
        guard components.query == nil, components.fragment == nil, components.user == nil, components.password == nil else {
            throw SettingError("must not contain a query, fragment or credentials")
        }
        switch scheme {
        case "https": break
        case "http" where LoopbackHost.isLoopback(host): break
        case "http": throw SettingError("must use https (http is allowed only for localhost, 127.0.0.0/8 and ::1)")
        default: throw SettingError("must be an https URL")
        }
        return (trimmed, components)
    }
}
