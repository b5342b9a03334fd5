import Encodings

/// A successful token endpoint response (RFC 6749 section 5.1 plus OIDC and Entra fields).
/// Lifetimes are always within 0 seconds to one year (`Lifetime`), whatever was sent.
public struct TokenResponse: Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String
    public private(set) var expiresIn: Int64
    public private(set) var extendedExpiresIn: Int64?
    /// Entra's hint to refresh before expiry (seconds).
    public private(set) var refreshIn: Int64?
    public var refreshToken: String?
    public var idToken: String?
    /// Granted scopes; nil when the provider did not say (then the requested ones apply).
    public var scope: [String]?
    public var clientInfo: String?
    /// Family of client ids (FOCI) marker, kept for MSAL compatibility.
    public var familyID: String?

    public init(accessToken: String, tokenType: String = "Bearer", expiresIn: Int64, extendedExpiresIn: Int64? = nil,
                refreshIn: Int64? = nil, refreshToken: String? = nil, idToken: String? = nil, scope: [String]? = nil,
                clientInfo: String? = nil, familyID: String? = nil) {
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.expiresIn = Lifetime.clamp(expiresIn)
        self.extendedExpiresIn = extendedExpiresIn.map(Lifetime.clamp)
        self.refreshIn = refreshIn.map(Lifetime.clamp)
        self.refreshToken = refreshToken
        self.idToken = idToken
        self.scope = scope
        self.clientInfo = clientInfo
        self.familyID = familyID
    }

    /// Parses a JSON body; nil when required fields are missing.
    static func parse(_ object: [String: JSONValue]) -> TokenResponse? {
        guard let accessToken = object["access_token"]?.stringValue, !accessToken.isEmpty else { return nil }
        // RFC 6749 makes expires_in optional; MSAL assumes 600 s when absent, and so do we.
        let expiresIn = Lifetime.seconds(object["expires_in"]) ?? 600
        return TokenResponse(
            accessToken: accessToken,
            tokenType: object["token_type"]?.stringValue ?? "Bearer",
            expiresIn: expiresIn,
            extendedExpiresIn: Lifetime.seconds(object["ext_expires_in"]),
            refreshIn: Lifetime.seconds(object["refresh_in"]),
            refreshToken: object["refresh_token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
            idToken: object["id_token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
            scope: object["scope"]?.stringValue.map { $0.split(separator: " ").map(String.init) },
            clientInfo: object["client_info"]?.stringValue,
            familyID: object["foci"]?.stringValue)
    }
}
