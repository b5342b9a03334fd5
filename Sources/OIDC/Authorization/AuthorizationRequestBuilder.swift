// Builds the authorize URL and the matching pending-flow record: fresh state, nonce and
// PKCE verifier from the injected random source, S256 challenge, response_mode=query.
import CryptoSupport
import Encodings
import FoundationEssentials

/// An authorize URL to redirect the browser to, and the record the callback needs.
public struct AuthorizationRequest: Sendable {
    public let url: String
    public let flow: PendingFlow
}

struct AuthorizationRequestBuilder: Sendable {
    /// 32 bytes = 256 bits for state and nonce, above the 128-bit minimum.
    static let secretByteCount = 32

    let configuration: OIDCConfiguration
    let random: any RandomSource

    func build(metadata: ProviderMetadata, options: SignInOptions, now: Date) -> AuthorizationRequest {
        let state = random.token(byteCount: Self.secretByteCount)
        let nonce = random.token(byteCount: Self.secretByteCount)
        let verifier = PKCE.makeVerifier(using: random)
        let scopes = configuration.requestScopes(adding: options.extraScopes)

        var parameters: [(String, String)] = [
            ("client_id", configuration.clientID),
            ("response_type", "code"),
            ("redirect_uri", configuration.redirectURI),
            ("scope", scopes.joined(separator: " ")),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", PKCE.challenge(forVerifier: verifier)),
            ("code_challenge_method", "S256"),
            ("response_mode", "query"),
        ]
        if let prompt = options.prompt, !prompt.isEmpty { parameters.append(("prompt", prompt)) }
        if let loginHint = options.loginHint, !loginHint.isEmpty { parameters.append(("login_hint", loginHint)) }
        if let domainHint = options.domainHint, !domainHint.isEmpty { parameters.append(("domain_hint", domainHint)) }
        if let claims = options.claims, !claims.isEmpty { parameters.append(("claims", claims)) }
        // Entra then returns client_info (uid, utid), which MSAL's cache keys accounts by.
        if configuration.authority.isEntra { parameters.append(("client_info", "1")) }

        let flow = PendingFlow(state: state, nonce: nonce, codeVerifier: verifier, redirectURI: configuration.redirectURI,
                               scopes: scopes, returnPath: LocalPath.sanitize(options.returnPath), createdAt: now)
        return AuthorizationRequest(url: FormURLEncoding.append(parameters, to: metadata.authorizationEndpoint), flow: flow)
    }
}
