import Encodings
import FoundationEssentials
import HTTPServer
import Logging
import OIDC

/// What every route shares: settings, pages, sessions, the browser's sign-ins in progress,
/// the identity provider, the logger, and the few page shapes they all use (signed-in
/// pages, error pages, the way to sign-in).
struct AppContext: Sendable {
    let configuration: AppConfiguration
    let pages: PageRenderer
    let sessions: SessionAccess
    /// The cookie that carries the sign-ins this browser has started.
    let pendingSignIns: PendingSignInCookie
    let identitySlot: IdentitySlot
    let logger: Logger

    var identity: Identity? { identitySlot.current }

    /// A page with the user in the layout's header; pages showing a user are never cached.
    func page(_ template: String, _ context: [String: Any] = [:], user: SignedInUser?, status: HTTPStatus = .ok) -> HTTPResponse {
        var context = context
        if let user { context["user"] = user.templateContext }
        return pages.render(template, context, status: status, private: user != nil)
    }

    /// `template` for signed-in users prerendered (`PrerenderedPage`): the user's values
    /// (`SignedInUser.slotNames`) and `slots` filled in per request, `context` fixed; nil
    /// when the page does not fit (then `page(_:_:user:status:)` renders it).
    func prerendered(_ template: String, slots: [String] = [], rows: (key: String, slots: [String])? = nil,
                     context: [String: Any] = [:]) -> PrerenderedPage? {
        PrerenderedPage(pages: pages, template: template, slots: SignedInUser.slotNames + slots, rows: rows) { marker in
            var page = context
            page["user"] = Dictionary(uniqueKeysWithValues: SignedInUser.slotNames.map { ($0, marker($0)) })
            for slot in slots { page[slot] = marker(slot) }
            return page
        }
    }

    /// A signed-in page from its prerendered form, with the user's and the page's `values`
    /// and `rows`; nil when it has none or declines these values (then render it with
    /// `page(_:_:user:status:)`).
    func page(_ prerendered: PrerenderedPage?, values: [String] = [], rows: [[String]] = [], user: SignedInUser) -> HTTPResponse? {
        prerendered?.body(user.slotValues + values, rows: rows).map { pages.response(body: $0, status: .ok, private: true) }
    }

    /// The error page: a plain-words heading and message, optional details (provider error
    /// codes, correlation ids) and a link to try again. Every value is escaped by the template.
    func errorPage(heading: String, message: String, details: [(String, String)] = [], retryURL: String? = nil,
                   retryLabel: String = "Try again", user: SignedInUser? = nil, status: HTTPStatus) -> HTTPResponse {
        var context: [String: Any] = ["heading": heading, "message": message]
        if !details.isEmpty {
            context["details"] = ["items": details.map { ["name": $0.0, "value": $0.1] }]
        }
        if let retryURL {
            context["retryURL"] = retryURL
            context["retryLabel"] = retryLabel
        }
        return page("error", context, user: user, status: status)
    }

    /// The answer of a protected page when nobody (or nobody it still trusts) is signed
    /// in: a browser's top-level navigation goes straight to the identity provider and comes
    /// back to `next` (asking for `claims` when a claims challenge wants more); a script's or
    /// API client's call gets a 401 with JSON (`APICaller`).
    func signInRequired(_ request: HTTPRequest, next: String, claims: String? = nil) -> HTTPResponse {
        var response: HTTPResponse
        if APICaller.isAPICall(request) {
            response = APICaller.unauthenticated(signIn: SignInRoutes.loginPath(next: next), cookieName: sessions.cookie(for: request).name)
        } else {
            response = SignInRoutes.start(request, app: self, options: SignInOptions(returnPath: next, claims: claims))
        }
        response.headers["Vary"] = APICaller.varyHeaders
        return response
    }

    /// The page shown when no identity provider is configured.
    func configurationPage() -> HTTPResponse {
        pages.render("configuration", ["missingKeys": configuration.missingIdentityKeys], status: .serviceUnavailable)
    }
}
