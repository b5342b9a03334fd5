import CryptoSupport
import Encodings
import FoundationEssentials
import Glibc
import HTTPServer
import JOSE

/// The token endpoint: redeems a code (checking client secret, redirect URI, single use
/// and the PKCE verifier) or a refresh token (rotating it), and issues RS256 tokens.
extension DevIdentityProvider {
    func token(_ request: HTTPRequest, tenant: String, endpoints: DevEndpoints) -> HTTPResponse {
        let form = Dictionary(FormURLEncoding.decode(String(decoding: request.body, as: UTF8.self)).map { ($0.name, $0.value) },
                              uniquingKeysWith: { first, _ in first })
        if faults.withLock({ $0.tokenEndpointFailing }) {
            return tokenError("temporarily_unavailable", "AADSTS90033: A transient error has occurred. Please try again.",
                              code: 90033, status: .serviceUnavailable)
        }
        if let refusal = clientAuthenticationFailure(request, form: form) { return refusal }
        switch form["grant_type"] {
        case "authorization_code":
            return redeemCode(form, endpoints: endpoints)
        case "refresh_token":
            return redeemRefreshToken(form, endpoints: endpoints)
        default:
            return tokenError("unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.", code: 70003)
        }
    }

    private func redeemCode(_ form: [String: String], endpoints: DevEndpoints) -> HTTPResponse {
        guard let code = form["code"], let grant = grants.withLock({ $0.redeemCode(code) }) else {
            return tokenError("invalid_grant", "AADSTS54005: OAuth2 Authorization code was already redeemed or is unknown.", code: 54005)
        }
        guard grant.expiresAt > clock() else {
            return tokenError("invalid_grant", "AADSTS70008: The provided authorization code has expired.", code: 70008)
        }
        guard form["redirect_uri"] == grant.redirectURI else {
            return tokenError("invalid_grant", "AADSTS50011: The redirect URI does not match the one the code was issued for.", code: 50011)
        }
        guard let verifier = form["code_verifier"], PKCE.isValidVerifier(verifier),
              ConstantTime.equals(PKCE.challenge(forVerifier: verifier), grant.codeChallenge)
        else {
            return tokenError("invalid_grant", "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.", code: 501481)
        }
        counters.withLock { $0.codesRedeemed += 1 }
        return issueTokens(user: grant.user, scopes: grant.scopes, nonce: grant.nonce,
                           clientInfo: grant.wantsClientInfo || form["client_info"] == "1",
                           satisfiesClaimsChallenge: grant.claimsRequest != nil, endpoints: endpoints)
    }

    private func redeemRefreshToken(_ form: [String: String], endpoints: DevEndpoints) -> HTTPResponse {
        guard !faults.withLock({ $0.rejectRefreshTokens }),
              let token = form["refresh_token"], let grant = grants.withLock({ $0.redeemRefreshToken(token) })
        else {
            return tokenError("invalid_grant", "AADSTS700082: The refresh token has expired due to inactivity.", code: 700082)
        }
        counters.withLock { $0.refreshTokensRedeemed += 1 }
        let requested = (form["scope"] ?? "").split(separator: " ").map(String.init)
        return issueTokens(user: grant.user, scopes: requested.isEmpty ? grant.scopes : requested, nonce: nil,
                           clientInfo: form["client_info"] == "1", satisfiesClaimsChallenge: false, endpoints: endpoints)
    }

    /// The error answer when the client did not prove who it is; nil when it did.
    private func clientAuthenticationFailure(_ request: HTTPRequest, form: [String: String]) -> HTTPResponse? {
        if let federatedCredential {
            return federatedAssertionFailure(form, credential: federatedCredential)
        }
        guard authenticatesClient(request, form: form) else {
            return tokenError("invalid_client", "AADSTS7000215: Invalid client secret provided.", code: 7000215, status: .unauthorized)
        }
        return nil
    }

    /// A federated `client_assertion` for this client, checked against the registered
    /// federated identity credential; a secret is not accepted in its place.
    private func federatedAssertionFailure(_ form: [String: String], credential: DevFederatedCredential) -> HTTPResponse? {
        guard form["client_id"].map({ ConstantTime.equals($0, clientID) }) == true,
              form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
              let assertion = form["client_assertion"]
        else {
            logger.notice("Token request refused: no federated client assertion", metadata: ["secret_presented": "\(form["client_secret"] != nil)"])
            return tokenError("invalid_client", "AADSTS7000218: The request body must contain the following parameter: 'client_assertion'.",
                              code: 7000218, status: .unauthorized)
        }
        do {
            try credential.check(assertion, now: clock())
            return nil
        } catch {
            logger.notice("Token request refused: federated client assertion rejected", metadata: ["reason": "\(error.reason)"])
            return tokenError("invalid_client", error.description, code: error.code, status: .unauthorized)
        }
    }

    /// client_secret_post or client_secret_basic, compared in constant time.
    private func authenticatesClient(_ request: HTTPRequest, form: [String: String]) -> Bool {
        var presentedID = form["client_id"]
        var presentedSecret = form["client_secret"]
        if let authorization = request.headers["Authorization"], authorization.hasPrefix("Basic "),
           let decoded = Data(base64Encoded: String(authorization.dropFirst(6))),
           let pair = String(data: decoded, encoding: .utf8), let colon = pair.firstIndex(of: ":")
        {
            presentedID = FormURLEncoding.percentDecode(pair[..<colon], plusAsSpace: true)
            presentedSecret = FormURLEncoding.percentDecode(pair[pair.index(after: colon)...], plusAsSpace: true)
        }
        guard let presentedID, let presentedSecret else { return false }
        return ConstantTime.equals(presentedID, clientID) && ConstantTime.equals(presentedSecret, clientSecret)
    }

    private func issueTokens(user: DevUser, scopes: [String], nonce: String?, clientInfo wantsClientInfo: Bool,
                             satisfiesClaimsChallenge: Bool, endpoints: DevEndpoints) -> HTTPResponse {
        let now = Int64(clock().timeIntervalSince1970)
        let faults = faults.withLock { $0 }
        let accessLifetime = Int64(faults.accessTokenLifetime)
        let tenant = faults.tokenTenant ?? Self.tenantID
        var idClaims: [String: JSONValue] = [
            "iss": .string(endpoints.issuer(tenant: tenant)),
            "aud": .string(clientID),
            "sub": .string(Base64URL.encode(Digest.sha256(user.objectID + clientID).prefix(24))),
            "oid": .string(user.objectID),
            "tid": .string(tenant),
            "name": .string(user.name),
            "preferred_username": .string(user.username),
            "login_hint": .string(Base64URL.encode("O.\(user.objectID).\(tenant)")),
            "iat": .integer(now), "nbf": .integer(now), "exp": .integer(now + 3600),
            "ver": "2.0",
            "uti": .string(random.token(byteCount: 16)),
        ]
        if !user.roles.isEmpty { idClaims["roles"] = .array(user.roles.map { .string($0) }) }
        if let nonce { idClaims["nonce"] = .string(nonce) }

        let resourceScopes = scopes.filter { !Self.openIDScopes.contains($0) }
        var accessClaims: [String: JSONValue] = [
            "iss": .string(endpoints.issuer(tenant: tenant)),
            "aud": "00000003-0000-0000-c000-000000000000",
            "oid": .string(user.objectID), "tid": .string(tenant),
            "scp": .string(resourceScopes.joined(separator: " ")),
            "iat": .integer(now), "nbf": .integer(now), "exp": .integer(now + accessLifetime),
        ]
        if satisfiesClaimsChallenge { accessClaims["acrs"] = ["c1"] }

        let signing = signing.withLock { $0 }
        if faults.tokenSigningDelay > .zero {
            let (seconds, attoseconds) = faults.tokenSigningDelay.components
            usleep(UInt32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
        }
        let idKey = faults.badIDTokenSignature ? try? strayKey() : signing.key
        let idKeyID = faults.unpublishedKeyID ?? signing.keyID
        guard let idKey, let idToken = try? JWT.sign(header: ["kid": .string(idKeyID)], claims: idClaims, with: idKey),
              let accessToken = try? JWT.sign(header: ["kid": .string(signing.keyID)], claims: accessClaims, with: signing.key)
        else {
            return tokenError("server_error", "AADSTS50000: The token could not be signed.", code: 50000, status: .internalServerError)
        }
        let refreshToken = random.token(byteCount: 32)
        let issued = DevIssuedAccessToken(objectID: user.objectID, expiresAt: Date(timeIntervalSince1970: TimeInterval(now + accessLifetime)),
                                          satisfiesClaimsChallenge: satisfiesClaimsChallenge)
        let accessHash = Digest.sha256(accessToken)
        grants.withLock { grants in
            grants.issueRefreshToken(refreshToken, for: DevRefreshGrant(user: user, clientID: clientID, scopes: scopes))
            grants.issueAccessToken(hash: accessHash, issued, now: clock())
        }

        var body: [String: JSONValue] = [
            "token_type": "Bearer",
            "scope": .string((resourceScopes + ["openid", "profile"]).joined(separator: " ")),
            "expires_in": .integer(accessLifetime),
            "ext_expires_in": .integer(accessLifetime),
            "access_token": .string(accessToken),
            "refresh_token": .string(refreshToken),
            "id_token": .string(idToken),
        ]
        for (field, value) in faults.lifetimeFields { body[field] = value }
        if wantsClientInfo && !faults.omitClientInfo { body["client_info"] = .string(clientInfo(for: user, tenant: tenant)) }
        return json(body)
    }

    /// Entra's client_info: base64url JSON of the user's object id and tenant id, from
    /// which MSAL builds the account's home_account_id.
    func clientInfo(for user: DevUser, tenant: String = tenantID) -> String {
        Base64URL.encode(JSONValue.serialize(["uid": .string(user.objectID), "utid": .string(tenant)]))
    }

    /// An error body in Entra's shape.
    func tokenError(_ error: String, _ description: String, code: Int, status: HTTPStatus = .badRequest) -> HTTPResponse {
        counters.withLock { $0.tokenErrors += 1 }
        let traceID = UUID().uuidString.lowercased()
        return json([
            "error": .string(error),
            "error_description": .string("\(description)\r\nTrace ID: \(traceID)"),
            "error_codes": [.integer(Int64(code))],
            "timestamp": .string(clock().formatted(.iso8601)),
            "trace_id": .string(traceID),
            "correlation_id": .string(UUID().uuidString.lowercased()),
        ], status: status)
    }
}
