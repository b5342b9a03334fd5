/// The app: configuration, templates and routes assembled into the responder the server runs.
import Foundation
import HTTPServer
import Logging

public struct WebApp: Sendable {
    public let configuration: AppConfiguration
    public let responder: any HTTPResponder
    let pages: PageRenderer

    /// Templates every route relies on; checked at start-up so a missing file fails fast.
    static let requiredTemplates = ["layout", "index", "configuration", "error", "not-found"]

    public init(configuration: AppConfiguration, logger: Logger) throws(ConfigurationError) {
        let pages = try PageRenderer(directory: configuration.templatesDirectory,
                                     devIdentityProvider: configuration.devIdentityProvider)
        for name in Self.requiredTemplates where !pages.has(name) {
            throw ConfigurationError(key: "TEMPLATES_DIR", reason: "has no \(name).mustache")
        }
        guard FileManager.default.fileExists(atPath: configuration.publicDirectory) else {
            throw ConfigurationError(key: "PUBLIC_DIR", reason: "\(configuration.publicDirectory) does not exist")
        }
        self.configuration = configuration
        self.pages = pages

        let router = Router()
        router.setNotFound { _ in pages.render("not-found", status: .notFound) }
        router.mount("/static/", StaticFiles(directory: configuration.publicDirectory, prefix: "/static/"))
        HealthRoutes.register(on: router)
        IndexRoutes(configuration: configuration, pages: pages).register(on: router)
        self.responder = ErrorBoundary(inner: router, pages: pages, logger: logger)
    }
}
