import Encodings

/// The parameters the provider sends back to the redirect URI.
public struct AuthorizationResponse: Sendable, Equatable {
    public var code: String?
    public var state: String?
    public var error: String?
    public var errorDescription: String?
    /// Entra's base64url JSON with uid and utid.
    public var clientInfo: String?

    public init(code: String? = nil, state: String? = nil, error: String? = nil, errorDescription: String? = nil, clientInfo: String? = nil) {
        self.code = code
        self.state = state
        self.error = error
        self.errorDescription = errorDescription
        self.clientInfo = clientInfo
    }

    /// From already-decoded query parameters.
    public init(parameters: [String: String]) {
        self.init(code: parameters["code"], state: parameters["state"], error: parameters["error"],
                  errorDescription: parameters["error_description"], clientInfo: parameters["client_info"])
    }

    /// From a raw query string (without the leading `?`).
    public init(query: String) {
        self.init(parameters: FormURLEncoding.firstValues(query))
    }
}
