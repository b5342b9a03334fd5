import Encodings

/// RP-initiated sign-out: the provider's end-session URL, or nil for a local sign-out when
/// the provider has no end_session_endpoint.
extension OIDCClient {
    /// The URL to send the browser to after clearing the session, or nil when the provider
    /// offers no end-session endpoint (then sign out locally and return to "/").
    public func endSessionURL(postLogoutRedirectURI: String, idTokenClaims: IDTokenClaims?) throws(OIDCError) -> String? {
        let metadata = try metadataStore.metadata()
        guard let endpoint = metadata.endSessionEndpoint, !endpoint.isEmpty else { return nil }
        var parameters: [(String, String)] = [("post_logout_redirect_uri", postLogoutRedirectURI)]
        // Entra's login_hint claim lets it sign out the right account without asking.
        if let hint = idTokenClaims?.loginHint, !hint.isEmpty { parameters.append(("logout_hint", hint)) }
        // Generic providers need client_id to accept post_logout_redirect_uri without an
        // id_token_hint (OIDC RP-Initiated Logout 1.0); we never put tokens in URLs.
        if !configuration.authority.isEntra { parameters.append(("client_id", configuration.clientID)) }
        return FormURLEncoding.append(parameters, to: endpoint)
    }
}
