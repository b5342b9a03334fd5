import FoundationEssentials

/// One sign-in attempt waiting for its callback: the secrets sent on the authorize request
/// that the callback must prove knowledge of. Codable so the session store can keep it.
public struct PendingFlow: Sendable, Equatable, Codable {
    public var state: String
    public var nonce: String
    public var codeVerifier: String
    public var redirectURI: String
    /// All scopes requested, including openid, profile and offline_access.
    public var scopes: [String]
    /// The local path to go back to after sign-in.
    public var returnPath: String
    public var createdAt: Date

    public init(state: String, nonce: String, codeVerifier: String, redirectURI: String, scopes: [String], returnPath: String, createdAt: Date) {
        self.state = state
        self.nonce = nonce
        self.codeVerifier = codeVerifier
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.returnPath = returnPath
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case state, nonce, scopes
        case codeVerifier = "code_verifier"
        case redirectURI = "redirect_uri"
        case returnPath = "return_path"
        case createdAt = "created_at"
    }

    // createdAt is stored as epoch seconds so the record reads the same whatever date
    // strategy the session store's encoder uses.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        state = try container.decode(String.self, forKey: .state)
        nonce = try container.decode(String.self, forKey: .nonce)
        codeVerifier = try container.decode(String.self, forKey: .codeVerifier)
        redirectURI = try container.decode(String.self, forKey: .redirectURI)
        scopes = try container.decode([String].self, forKey: .scopes)
        returnPath = try container.decode(String.self, forKey: .returnPath)
        createdAt = Date(timeIntervalSince1970: try container.decode(Double.self, forKey: .createdAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state, forKey: .state)
        try container.encode(nonce, forKey: .nonce)
        try container.encode(codeVerifier, forKey: .codeVerifier)
        try container.encode(redirectURI, forKey: .redirectURI)
        try container.encode(scopes, forKey: .scopes)
        try container.encode(returnPath, forKey: .returnPath)
        try container.encode(createdAt.timeIntervalSince1970, forKey: .createdAt)
    }
}
