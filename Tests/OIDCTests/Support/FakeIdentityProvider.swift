import CryptoSupport
import Encodings
import Foundation
import HTTPClient
import JOSE
import OIDC
import TestSupport

/// An in-memory identity provider behind the HTTPTransport protocol: serves discovery and
/// JWKS, answers the token endpoint with a scripted handler, records every request, and
/// mints ID tokens with keys made at test time.
final class FakeIdentityProvider: HTTPTransport, @unchecked Sendable {
    struct SigningKey {
        var key: RSAKey
        var kid: String?
    }

    typealias TokenHandler = @Sendable (_ form: [String: String], _ request: OutboundRequest) throws(TransportError) -> OutboundResponse

    let authorityURL: String
    let issuer: String
    let clientID: String
    let clock: TestClock
    let isEntra: Bool

    private let lock = NSLock()
    private var _publishedKeys: [SigningKey]
    private var _requests: [OutboundRequest] = []
    private var _tokenHandler: TokenHandler?
    /// Answers to code redemptions by their PKCE verifier: concurrent sign-ins each get
    /// their own (one handler for all would hand one sign-in another's nonce).
    private var _answersByVerifier: [String: OutboundResponse] = [:]
    private var _endSessionEndpoint: String?
    private var _metadataDelay: TimeInterval = 0

    var metadataURL: String { isEntra ? authorityURL + "/v2.0/.well-known/openid-configuration" : authorityURL + "/.well-known/openid-configuration" }
    var tokenEndpoint: String { isEntra ? authorityURL + "/oauth2/v2.0/token" : authorityURL + "/token" }
    var authorizationEndpoint: String { isEntra ? authorityURL + "/oauth2/v2.0/authorize" : authorityURL + "/authorize" }
    var jwksURI: String { isEntra ? authorityURL + "/discovery/v2.0/keys" : authorityURL + "/jwks" }

    /// An Entra-like provider for `tenant` (a GUID, or common/organizations for the
    /// `{tenantid}` issuer template).
    init(entraTenant tenant: String = "9188040d-6c67-4c5b-b112-36a304b66dad", clientID: String = "client-123", clock: TestClock) {
        authorityURL = "https://login.microsoftonline.com/\(tenant)"
        let issuerTenant = (tenant == "common" || tenant == "organizations") ? "{tenantid}" : tenant
        issuer = "https://login.microsoftonline.com/\(issuerTenant)/v2.0"
        self.clientID = clientID
        self.clock = clock
        isEntra = true
        _publishedKeys = [SigningKey(key: TestKeys.primary, kid: "key-1")]
        _endSessionEndpoint = authorityURL + "/oauth2/v2.0/logout"
    }

    /// A generic OpenID provider whose issuer is `issuer`.
    init(genericIssuer issuer: String, clientID: String = "client-123", clock: TestClock) {
        authorityURL = issuer
        self.issuer = issuer
        self.clientID = clientID
        self.clock = clock
        isEntra = false
        _publishedKeys = [SigningKey(key: TestKeys.primary, kid: "key-1")]
        _endSessionEndpoint = nil
    }

    var publishedKeys: [SigningKey] {
        get { lock.withLock { _publishedKeys } }
        set { lock.withLock { _publishedKeys = newValue } }
    }

    var endSessionEndpoint: String? {
        get { lock.withLock { _endSessionEndpoint } }
        set { lock.withLock { _endSessionEndpoint = newValue } }
    }

    /// Makes discovery slow so concurrent callers overlap.
    var metadataDelay: TimeInterval {
        get { lock.withLock { _metadataDelay } }
        set { lock.withLock { _metadataDelay = newValue } }
    }

    func onToken(_ handler: @escaping TokenHandler) {
        lock.withLock { _tokenHandler = handler }
    }

    /// Answers the code redemption that presents `verifier` with `response`, before any
    /// handler is asked.
    func onCodeRedemption(verifier: String, answer response: OutboundResponse) {
        lock.withLock { _answersByVerifier[verifier] = response }
    }

    var requests: [OutboundRequest] { lock.withLock { _requests } }

    func requestCount(to url: String) -> Int {
        requests.filter { $0.url == url }.count
    }

    var tokenRequests: [[String: String]] {
        requests.filter { $0.url == tokenEndpoint }.map { FakeIdentityProvider.decodeForm($0.body) }
    }

    // MARK: HTTPTransport

    func send(_ request: OutboundRequest) throws(TransportError) -> OutboundResponse {
        let (handler, delay, endSession, keys) = lock.withLock { () -> (TokenHandler?, TimeInterval, String?, [SigningKey]) in
            _requests.append(request)
            return (_tokenHandler, _metadataDelay, _endSessionEndpoint, _publishedKeys)
        }
        switch request.url {
        case metadataURL:
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            var document: [String: JSONValue] = [
                "issuer": .string(issuer),
                "authorization_endpoint": .string(authorizationEndpoint),
                "token_endpoint": .string(tokenEndpoint),
                "jwks_uri": .string(jwksURI),
                "response_types_supported": ["code"],
                "id_token_signing_alg_values_supported": ["RS256"],
            ]
            if let endSession { document["end_session_endpoint"] = .string(endSession) }
            return Self.json(200, document)
        case jwksURI:
            let jwks = keys.map { try! $0.key.publicJWK(kid: $0.kid) }
            let data = try! JSONEncoder().encode(JWKSet(keys: jwks))
            return OutboundResponse(status: 200, headers: ["Content-Type": "application/json"], body: Array(data))
        case tokenEndpoint:
            let form = Self.decodeForm(request.body)
            if let verifier = form["code_verifier"], let answer = lock.withLock({ _answersByVerifier.removeValue(forKey: verifier) }) {
                return answer
            }
            guard let handler else { return Self.json(500, ["error": "no_handler"]) }
            return try handler(form, request)
        default:
            return OutboundResponse(status: 404, body: Array("not found".utf8))
        }
    }

    // MARK: Token minting

    /// Standard, valid ID token claims for this provider; override or remove (with .null
    /// meaning "remove") as a test needs.
    func idTokenClaims(nonce: String?, overrides: [String: JSONValue] = [:]) -> [String: JSONValue] {
        let now = clock.epoch
        let tid = "72f988bf-86f1-41af-91ab-2d7cd011db47"
        var claims: [String: JSONValue] = [
            "iss": .string(issuer.replacingOccurrences(of: "{tenantid}", with: tid)),
            "aud": .string(clientID),
            "sub": "subject-abc",
            "oid": "00000000-0000-0000-66f3-3332eca7ea81",
            "tid": .string(tid),
            "iat": .integer(now - 10),
            "nbf": .integer(now - 10),
            "exp": .integer(now + 3600),
            "name": "Ada Lovelace",
            "preferred_username": "ada@example.com",
            "login_hint": "O.hint-value",
        ]
        if let nonce { claims["nonce"] = .string(nonce) }
        for (name, value) in overrides {
            if value == .null { claims.removeValue(forKey: name) } else { claims[name] = value }
        }
        return claims
    }

    func signedIDToken(nonce: String?, overrides: [String: JSONValue] = [:], key: RSAKey = TestKeys.primary, kid: String? = "key-1") -> String {
        var header: [String: JSONValue] = [:]
        if let kid { header["kid"] = .string(kid) }
        return try! JWT.sign(header: header, claims: idTokenClaims(nonce: nonce, overrides: overrides), with: key)
    }

    static let clientInfo = Base64URL.encode(Array(#"{"uid":"00000000-0000-0000-66f3-3332eca7ea81","utid":"9188040d-6c67-4c5b-b112-36a304b66dad"}"#.utf8))
    static let homeAccountID = "00000000-0000-0000-66f3-3332eca7ea81.9188040d-6c67-4c5b-b112-36a304b66dad"

    /// A successful token response body.
    func tokenResponse(idToken: String?, accessToken: String = "access-1", refreshToken: String? = "refresh-1",
                       expiresIn: Int64 = 3600, refreshIn: Int64? = nil, scope: String = "openid profile offline_access User.Read") -> OutboundResponse {
        var body: [String: JSONValue] = [
            "token_type": "Bearer",
            "scope": .string(scope),
            "expires_in": .integer(expiresIn),
            "ext_expires_in": .integer(expiresIn),
            "access_token": .string(accessToken),
        ]
        if let refreshToken { body["refresh_token"] = .string(refreshToken) }
        if let idToken { body["id_token"] = .string(idToken) }
        if let refreshIn { body["refresh_in"] = .integer(refreshIn) }
        if isEntra { body["client_info"] = .string(Self.clientInfo) }
        return Self.json(200, body)
    }

    static func json(_ status: Int, _ object: [String: JSONValue]) -> OutboundResponse {
        OutboundResponse(status: status, headers: ["Content-Type": "application/json"], body: JSONValue.serialize(object))
    }

    static func decodeForm(_ body: [UInt8]) -> [String: String] {
        var result: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let decode = { (text: String) in text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? text }
            result[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return result
    }
}

extension URLComponents {
    /// Query items as a dictionary (first value wins).
    var queryDictionary: [String: String] {
        var result: [String: String] = [:]
        for item in queryItems ?? [] where result[item.name] == nil { result[item.name] = item.value ?? "" }
        return result
    }
}
