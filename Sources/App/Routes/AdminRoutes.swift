import Encodings
import HTTPServer

/// `GET /admin`: only for users whose ID token `roles` claim holds ADMIN_ROLE; others get
/// a 403 page naming the missing role (a 403 JSON answer for scripts and API clients).
struct AdminRoutes {
    let app: AppContext

    /// Blocking: a signed-out visit starts a sign-in, which may fetch the provider's metadata.
    func register(on router: Router) {
        let app = app
        let role = app.configuration.adminRole
        router.get("/admin", .blocking) { request in
            guard let (_, user) = try app.sessions.signedIn(request) else { return app.signInRequired(request, next: "/admin") }
            guard user.hasRole(role) else {
                var response = APICaller.isAPICall(request)
                    ? APICaller.forbidden(missingRole: role)
                    : app.page("forbidden", ["role": role], user: user, status: .forbidden)
                response.headers["Vary"] = APICaller.varyHeaders
                return response
            }
            let claims = user.claims.keys.sorted().map { ["name": $0, "value": ProfileTable.text(user.claims[$0]!)] }
            return app.page("admin", ["role": role, "claims": claims], user: user)
        }
    }
}
