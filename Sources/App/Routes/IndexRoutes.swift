import HTTPServer

/// `GET /`: the home page. Signed-out visitors all see the same page, so it is rendered
/// once at start-up; without any identity configuration it explains what to set instead.
struct IndexRoutes {
    let app: AppContext

    func register(on router: Router) {
        let configured = app.configuration.hasIdentityProvider || app.configuration.devIdentityProvider
        let anonymousPage = configured
            ? app.pages.render("index")
            : app.pages.render("configuration", ["missingKeys": app.configuration.missingIdentityKeys])
        let app = app
        // Reads the session only: blocking exactly when the store says its reads block.
        router.get("/", .blocking(if: app.sessions.store.readsMayBlock)) { request in
            guard let (_, user) = try app.sessions.signedIn(request) else { return anonymousPage }
            return app.page("index", ["isAdmin": user.hasRole(app.configuration.adminRole)], user: user)
        }
    }
}
