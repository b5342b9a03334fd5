/// Per-sign-in choices: where to return afterwards and the optional authorize parameters
/// (prompt, login_hint, domain_hint, claims).
public struct SignInOptions: Sendable, Equatable {
    /// The local path to return to after sign-in. Anything that is not a plain local path
    /// becomes "/", so the callback can never be turned into an open redirect.
    public var returnPath: String
    /// `login`, `consent`, `select_account` or `none`.
    public var prompt: String?
    public var loginHint: String?
    /// Entra's `domain_hint` (e.g. `organizations`, `consumers`, or a domain).
    public var domainHint: String?
    /// A JSON `claims` request, e.g. from a Conditional Access claims challenge.
    public var claims: String?
    /// Scopes for this sign-in on top of the configured ones (incremental consent).
    public var extraScopes: [String]

    public init(returnPath: String = "/", prompt: String? = nil, loginHint: String? = nil, domainHint: String? = nil,
                claims: String? = nil, extraScopes: [String] = []) {
        self.returnPath = returnPath
        self.prompt = prompt
        self.loginHint = loginHint
        self.domainHint = domainHint
        self.claims = claims
        self.extraScopes = extraScopes
    }
}

/// Keeps return paths local: one leading slash, no scheme-relative `//`, no backslashes
/// (browsers treat `/\evil` as `//evil`), no control characters.
public enum LocalPath {
    public static func sanitize(_ path: String) -> String {
        guard path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\"),
              !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return "/" }
        return path
    }
}
