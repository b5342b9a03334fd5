import Encodings
import HTTPServer

/// `GET /admin`: only for users whose ID token `roles` claim holds ADMIN_ROLE; others get
/// a 403 page naming the missing role.
struct AdminRoutes {
    let app: AppContext

    func register(on router: Router) {
        let app = app
        let role = app.configuration.adminRole
        // Reads the session only: blocking exactly when the store says its reads block.
        router.get("/admin", .blocking(if: app.sessions.store.readsMayBlock)) { request in
            guard let (_, user) = try app.sessions.signedIn(request) else { return app.signInRedirect(next: "/admin") }
            guard user.hasRole(role) else {
                return app.page("forbidden", ["role": role], user: user, status: .forbidden)
            }
            let claims = user.claims.keys.sorted().map { ["name": $0, "value": ProfileTable.text(user.claims[$0]!)] }
            return app.page("admin", ["role": role, "claims": claims], user: user)
        }
    }
}
