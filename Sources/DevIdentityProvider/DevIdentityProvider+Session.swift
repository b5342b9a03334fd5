import CryptoSupport
import Encodings
import FoundationEssentials
import HTTPServer
import JOSE

/// End-session and the Graph-like `/me`: sign-out returns only to the app's own origin,
/// and `/me` answers only to a valid access token the provider issued.
extension DevIdentityProvider {
    func logout(_ request: HTTPRequest, endpoints: DevEndpoints) -> HTTPResponse {
        // Like Entra, go back only to an address of the registered app, never anywhere asked.
        if let target = request.queryValue("post_logout_redirect_uri"),
           target == endpoints.origin || target.hasPrefix(endpoints.origin + "/")
        {
            return .redirect(to: target)
        }
        return pages.message("Signed out", "You have been signed out of the development identity provider.", .ok)
    }

    func graphMe(_ request: HTTPRequest) -> HTTPResponse {
        guard let authorization = request.headers["Authorization"], authorization.hasPrefix("Bearer "),
              let holder = accessTokenHolder(String(authorization.dropFirst(7))),
              let user = users.first(where: { $0.objectID == holder.objectID })
        else {
            return graphError(status: .unauthorized, code: "InvalidAuthenticationToken", message: "Access token is empty, expired or invalid.",
                              challenge: "Bearer realm=\"\", error=\"invalid_token\"")
        }
        let faults = faults.withLock { $0 }
        if faults.graphClaimsChallenge, !holder.satisfiesClaimsChallenge {
            let claims = Base64URL.encode(#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#)
            return graphError(status: .unauthorized, code: "InvalidAuthenticationToken", message: "Continuous access evaluation resulted in challenge.",
                              challenge: "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", error=\"insufficient_claims\", claims=\"\(claims)\"")
        }
        if let status = faults.graphStatus {
            return graphError(status: HTTPStatus(status, "Graph fault"), code: status == 403 ? "Authorization_RequestDenied" : "ServiceUnavailable",
                              message: status == 403 ? "Insufficient privileges to complete the operation." : "The service is temporarily unavailable.")
        }
        return HTTPResponse(status: .ok, headers: Self.jsonHeaders, body: profiles[user.objectID] ?? Self.profile(of: user))
    }

    /// The Graph `/me` body of `user`, as Graph words it; the same for every call, so made
    /// once per user (`profiles`).
    static func profile(of user: DevUser) -> [UInt8] {
        let nameParts = user.name.split(separator: " ", maxSplits: 1).map(String.init)
        return JSONValue.serialize([
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
            "businessPhones": [],
            "displayName": .string(user.name),
            "givenName": .string(nameParts.first ?? user.name),
            "surname": .string(nameParts.count > 1 ? nameParts[1] : ""),
            "jobTitle": .string(user.jobTitle),
            "mail": .string(user.username),
            "mobilePhone": .null,
            "officeLocation": "Development",
            "preferredLanguage": "en-US",
            "userPrincipalName": .string(user.username),
            "id": .string(user.objectID),
        ])
    }

    /// What the unexpired access token `presented` says, if this provider issued it: looked
    /// up among the tokens it remembers issuing (as a token service that is also the resource
    /// knows its own tokens, without verifying a signature per call), else parsed and its
    /// RS256 signature checked against the current and retired keys.
    private func accessTokenHolder(_ presented: String) -> DevIssuedAccessToken? {
        let now = clock()
        if let issued = grants.withLock({ $0.issuedAccessToken(hash: Digest.sha256(presented)) }) {
            return issued.expiresAt > now ? issued : nil
        }
        guard let token = try? JWT(compact: presented), token.algorithm == "RS256", verifiesOwnToken(token),
              token.claims["aud"]?.stringValue == "00000003-0000-0000-c000-000000000000",
              let expiry = token.claims["exp"]?.integerValue, expiry > Int64(now.timeIntervalSince1970),
              let objectID = token.claims["oid"]?.stringValue
        else { return nil }
        return DevIssuedAccessToken(objectID: objectID, expiresAt: Date(timeIntervalSince1970: TimeInterval(expiry)),
                                    satisfiesClaimsChallenge: token.claims["acrs"] != nil)
    }

    /// True when one of the provider's keys, current or retired, signed `token`.
    private func verifiesOwnToken(_ token: JWT) -> Bool {
        let keys = [signing.withLock { $0.key }] + retiredKeys.withLock { $0 }
        return keys.contains { $0.verifyRS256(signature: token.signature, message: token.signingInput) }
    }

    private func graphError(status: HTTPStatus, code: String, message: String, challenge: String? = nil) -> HTTPResponse {
        json(["error": .object(["code": .string(code), "message": .string(message)])], status: status,
             headers: challenge.map { [("WWW-Authenticate", $0)] } ?? [])
    }
}
