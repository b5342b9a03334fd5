import Encodings

/// The parameters the provider sends back to the redirect URI. Entra's `client_info` there
/// is deliberately not read: the URL is the browser's to write, so the account key comes
/// from the token endpoint's answer or the validated ID token only.
public struct AuthorizationResponse: Sendable, Equatable {
    public var code: String?
    public var state: String?
    public var error: String?
    public var errorDescription: String?

    /// A response with these parameters.
    public init(code: String? = nil, state: String? = nil, error: String? = nil, errorDescription: String? = nil) {
        self.code = code
        self.state = state
        self.error = error
        self.errorDescription = errorDescription
    }

    /// From already-decoded query parameters.
    public init(parameters: [String: String]) {
        self.init(code: parameters["code"], state: parameters["state"], error: parameters["error"],
                  errorDescription: parameters["error_description"])
    }

    /// From a raw query string (without the leading `?`).
    public init(query: String) {
        self.init(parameters: FormURLEncoding.firstValues(query))
    }
}
