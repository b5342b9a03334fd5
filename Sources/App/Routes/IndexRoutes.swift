/// `GET /`: the home page. Signed-out visitors all see the same page, so it is rendered
/// once at start-up; without any identity configuration it explains what to set instead.
import HTTPServer

struct IndexRoutes {
    let configuration: AppConfiguration
    let pages: PageRenderer

    func register(on router: Router) {
        let anonymousPage: HTTPResponse
        if configuration.hasIdentityProvider || configuration.devIdentityProvider {
            anonymousPage = pages.render("index")
        } else {
            anonymousPage = pages.render("configuration", ["missingKeys": configuration.missingIdentityKeys])
        }
        router.get("/") { _ in anonymousPage }
    }
}
