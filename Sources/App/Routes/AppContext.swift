import Encodings
import FoundationEssentials
import HTTPServer
import Logging
import OIDC

/// What every route shares: settings, pages, sessions, the identity provider, the logger,
/// and the few page shapes they all use (signed-in pages, error pages, sign-in redirects).
struct AppContext: Sendable {
    let configuration: AppConfiguration
    let pages: PageRenderer
    let sessions: SessionAccess
    let identitySlot: IdentitySlot
    let logger: Logger

    var identity: Identity? { identitySlot.current }

    /// A page with the user in the layout's header; pages showing a user are never cached.
    func page(_ template: String, _ context: [String: Any] = [:], user: SignedInUser?, status: HTTPStatus = .ok) -> HTTPResponse {
        var context = context
        if let user { context["user"] = user.templateContext }
        return pages.render(template, context, status: status, private: user != nil)
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

    /// Sends a signed-out browser to sign in, to come back to `next` afterwards.
    func signInRedirect(next: String) -> HTTPResponse {
        var response = HTTPResponse.redirect(to: "/login?" + FormURLEncoding.encode([("next", LocalPath.sanitize(next))]))
        response.headers["Cache-Control"] = "no-store"
        return response
    }

    /// The page shown when no identity provider is configured.
    func configurationPage() -> HTTPResponse {
        pages.render("configuration", ["missingKeys": configuration.missingIdentityKeys], status: .serviceUnavailable)
    }
}
