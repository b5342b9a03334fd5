import CryptoSupport
import Encodings
import FoundationEssentials
import HTTPClient
import HTTPCore
import Logging

/// Calls the token endpoint (authorization_code and refresh_token grants) with the
/// configured client credential, and turns every kind of answer into a TokenResponse or
/// a distinct OIDCError.
struct TokenEndpointClient: Sendable {
    let configuration: OIDCConfiguration
    let transport: any HTTPTransport
    let random: any RandomSource
    let logger: Logger

    func redeemCode(_ code: String, flow: PendingFlow, tokenEndpoint: String, now: Date) throws(OIDCError) -> TokenResponse {
        var form: [(String, String)] = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", flow.redirectURI),
            ("code_verifier", flow.codeVerifier),
            ("scope", flow.scopes.joined(separator: " ")),
        ]
        if configuration.authority.isEntra { form.append(("client_info", "1")) }
        return try post(form, to: tokenEndpoint, grant: "authorization_code", now: now)
    }

    func redeemRefreshToken(_ refreshToken: String, scopes: [String], tokenEndpoint: String, now: Date) throws(OIDCError) -> TokenResponse {
        var form: [(String, String)] = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refreshToken),
            ("scope", scopes.joined(separator: " ")),
        ]
        if configuration.authority.isEntra { form.append(("client_info", "1")) }
        return try post(form, to: tokenEndpoint, grant: "refresh_token", now: now)
    }

    private func post(_ grantForm: [(String, String)], to tokenEndpoint: String, grant: String, now: Date) throws(OIDCError) -> TokenResponse {
        var form = grantForm
        var headers: HTTPHeaders = [
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        ]
        switch configuration.credential {
        case .secret(let secret, .post):
            form.append(("client_id", configuration.clientID))
            form.append(("client_secret", secret))
        case .secret(let secret, .basic):
            // RFC 6749 2.3.1: id and secret are form-encoded before base64.
            let pair = FormURLEncoding.percentEncode(configuration.clientID) + ":" + FormURLEncoding.percentEncode(secret)
            headers.add("Authorization", "Basic " + Base64Standard.encode(Array(pair.utf8)))
        case .certificate(let privateKey, let certificate):
            let assertion: String
            do {
                assertion = try ClientAssertion.make(clientID: configuration.clientID, audience: tokenEndpoint,
                                                     privateKey: privateKey, certificate: certificate, now: now, random: random)
            } catch {
                logger.error("Client assertion unavailable", metadata: ["grant": "\(grant)", "reason": "could not sign it with the certificate's key"])
                throw .credentialFailure("could not sign the client assertion")
            }
            form += Self.assertionFields(clientID: configuration.clientID, assertion: assertion)
        case .assertionFile(let file):
            let assertion: String
            do {
                assertion = try file.read()
            } catch {
                // The setting and the path, for the operator; never the file's content.
                logger.error("Client assertion unavailable", metadata: ["grant": "\(grant)", "setting": "\(file.setting)", "reason": "\(error.reason)"])
                throw .credentialFailure("\(file.setting) \(error.reason)")
            }
            form += Self.assertionFields(clientID: configuration.clientID, assertion: assertion)
        case .none:
            form.append(("client_id", configuration.clientID))
        }

        let request = OutboundRequest(method: .POST, url: tokenEndpoint, headers: headers, body: Array(FormURLEncoding.encode(form).utf8))
        let response: OutboundResponse
        do {
            response = try transport.send(request)
        } catch {
            logger.warning("Token endpoint unreachable", metadata: ["grant": "\(grant)", "reason": "\(TransportErrorName.of(error))"])
            throw .transport(error, endpoint: .token)
        }
        return try interpret(response, grant: grant)
    }

    /// RFC 7523 client authentication: a JWT bearer assertion instead of a secret.
    private static func assertionFields(clientID: String, assertion: String) -> [(String, String)] {
        [("client_id", clientID), ("client_assertion_type", ClientAssertion.type), ("client_assertion", assertion)]
    }

    private func interpret(_ response: OutboundResponse, grant: String) throws(OIDCError) -> TokenResponse {
        let object = JSONValue.parseObject(response.body)
        if response.status == 200 {
            guard let object else { throw .invalidResponse(endpoint: .token, status: 200, reason: "the body is not JSON") }
            guard let tokens = TokenResponse.parse(object) else {
                throw .invalidResponse(endpoint: .token, status: 200, reason: "no access_token in the response")
            }
            return tokens
        }
        let body = ProviderErrorResponse.parse(status: response.status, body: response.body)
        if let body {
            logger.notice("Token endpoint returned an error", metadata: [
                "grant": "\(grant)", "status": "\(response.status)", "error": "\(LogSafe.token(body.error))",
                "error_codes": "\(body.errorCodes.map(String.init).joined(separator: ","))",
                "correlation_id": "\(LogSafe.token(body.correlationID ?? "-"))",
            ])
        } else {
            logger.notice("Token endpoint failed", metadata: ["grant": "\(grant)", "status": "\(response.status)"])
        }
        if response.status >= 500 { throw .providerUnavailable(status: response.status, body) }
        guard let body else {
            throw .invalidResponse(endpoint: .token, status: response.status,
                                   reason: object == nil ? "the body is not JSON" : "no error field in the body")
        }
        if body.requiresInteraction { throw .interactionRequired(body) }
        throw .provider(body)
    }
}
