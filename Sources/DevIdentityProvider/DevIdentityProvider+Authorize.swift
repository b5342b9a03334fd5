import Encodings
import FoundationEssentials
import HTTPServer

/// The authorize endpoint: a page where the developer picks a demo user, then a redirect
/// back to the app with a single-use code (or `error=access_denied` on cancel).
extension DevIdentityProvider {
    /// The parameters of an authorization request that the page carries into its form.
    static let forwardedParameters = [
        "client_id", "redirect_uri", "response_type", "response_mode", "scope", "state", "nonce",
        "code_challenge", "code_challenge_method", "client_info", "prompt", "login_hint", "domain_hint", "claims",
    ]

    func authorizePage(_ request: HTTPRequest, tenant: String, endpoints: DevEndpoints) -> HTTPResponse {
        let parameters = Dictionary(request.queryItems.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        if let problem = clientProblem(parameters, endpoints: endpoints) { return problem }
        if let error = requestError(parameters) {
            return redirectToApp(endpoints.redirectURI, [("error", "invalid_request"), ("error_description", error)], state: parameters["state"])
        }
        let fields = Self.forwardedParameters.compactMap { name in parameters[name].map { (name: name, value: $0) } }
        var page = pages.authorize(DevAuthorizePage(action: "\(Self.pathPrefix)\(tenant)/oauth2/v2.0/authorize", fields: fields, users: users))
        // The page carries the request's state and nonce: never kept by a cache.
        page.headers["Cache-Control"] = "no-store"
        return page
    }

    func authorizeDecision(_ request: HTTPRequest, tenant: String, endpoints: DevEndpoints) -> HTTPResponse {
        let form = Dictionary(FormURLEncoding.decode(String(decoding: request.body, as: UTF8.self)).map { ($0.name, $0.value) },
                              uniquingKeysWith: { first, _ in first })
        if let problem = clientProblem(form, endpoints: endpoints) { return problem }
        if let error = requestError(form) {
            return redirectToApp(endpoints.redirectURI, [("error", "invalid_request"), ("error_description", error)], state: form["state"])
        }
        guard let userID = form["user"], userID != "cancel", let user = users.first(where: { $0.id == userID }) else {
            return redirectToApp(endpoints.redirectURI, [
                ("error", "access_denied"),
                ("error_description", "AADSTS65004: The user declined to consent to access the app."),
            ], state: form["state"])
        }
        let code = random.token(byteCount: 32)
        let grant = DevGrant(
            user: user, clientID: clientID, redirectURI: endpoints.redirectURI,
            scopes: (form["scope"] ?? "").split(separator: " ").map(String.init),
            nonce: form["nonce"], codeChallenge: form["code_challenge"] ?? "",
            wantsClientInfo: form["client_info"] == "1", claimsRequest: form["claims"],
            expiresAt: clock().addingTimeInterval(300))
        grants.withLock { $0.issueCode(code, for: grant, now: clock()) }
        var parameters = [("code", code)]
        if grant.wantsClientInfo { parameters.append(("client_info", clientInfo(for: user))) }
        return redirectToApp(endpoints.redirectURI, parameters, state: form["state"])
    }

    /// An unknown client or a redirect URI that is not the registered one must never get
    /// a redirect: that would turn the provider into an open redirector.
    private func clientProblem(_ parameters: [String: String], endpoints: DevEndpoints) -> HTTPResponse? {
        guard parameters["client_id"] == clientID else {
            return pages.message("Unknown application",
                                 "AADSTS700016: The client_id is not registered with the development identity provider.", .badRequest)
        }
        guard parameters["redirect_uri"] == endpoints.redirectURI else {
            return pages.message("Redirect URI mismatch",
                                 "AADSTS50011: The redirect URI in the request does not match the one registered for the application.",
                                 .badRequest)
        }
        return nil
    }

    /// What Entra would refuse in an otherwise well-addressed request.
    private func requestError(_ parameters: [String: String]) -> String? {
        if parameters["response_type"] != "code" { return "AADSTS900144: response_type must be code." }
        if !(parameters["scope"] ?? "").split(separator: " ").contains("openid") { return "AADSTS900144: scope must include openid." }
        if parameters["code_challenge_method"] != "S256" || (parameters["code_challenge"] ?? "").count < 43 {
            return "AADSTS9002325: Proof Key for Code Exchange (S256) is required."
        }
        return nil
    }

    private func redirectToApp(_ redirectURI: String, _ parameters: [(String, String)], state: String?) -> HTTPResponse {
        var all = parameters
        if let state { all.append(("state", state)) }
        let separator = redirectURI.contains("?") ? "&" : "?"
        var response = HTTPResponse.redirect(to: redirectURI + separator + FormURLEncoding.encode(all))
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
    }
}
