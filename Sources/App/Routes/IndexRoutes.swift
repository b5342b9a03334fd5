import HTTPServer

/// `GET /`: the home page. Signed-out visitors all see the same page, so it is rendered
/// once at start-up; without any identity configuration it explains what to set instead.
/// The signed-in page is prerendered too, and only the user's values are filled in.
struct IndexRoutes {
    let app: AppContext

    func register(on router: Router) {
        let configured = app.configuration.hasIdentityProvider || app.configuration.devIdentityProvider
        let anonymousPage = configured
            ? app.pages.render("index")
            : app.pages.render("configuration", ["missingKeys": app.configuration.missingIdentityKeys])
        // The signed-in page, for admins and for everyone else, prerendered.
        let adminPage = app.prerendered("index", context: ["isAdmin": true])
        let userPage = app.prerendered("index", context: ["isAdmin": false])
        let app = app
        // Reads the session only: blocking exactly when the store says its reads block.
        router.get("/", .blocking(if: app.sessions.store.readsMayBlock)) { request in
            guard let (_, user) = try app.sessions.signedIn(request) else { return anonymousPage }
            let isAdmin = user.hasRole(app.configuration.adminRole)
            if let page = app.page(isAdmin ? adminPage : userPage, user: user) { return page }
            return app.page("index", ["isAdmin": isAdmin], user: user)
        }
    }
}
