import HTTPServer
import Logging
import SessionStore

/// Turns a handler's thrown error into a page and one log line, so a bug in one page
/// never drops a connection or shows a stack trace: session storage trouble becomes a
/// 503 page, anything else the 500 page.
public struct ErrorBoundary: HTTPResponder {
    public let inner: any HTTPResponder
    public let pages: PageRenderer
    let logger: Logger

    public init(inner: any HTTPResponder, pages: PageRenderer, logger: Logger) {
        self.inner = inner
        self.pages = pages
        self.logger = logger
    }

    /// The inner responder's route, running where it says, with its errors turned into pages.
    public func route(for head: HTTPRequest) -> MatchedRoute {
        var route = inner.route(for: head)
        let handler = route.handler
        route.handler = { request in self.guarded(request, handler) }
        return route
    }

    /// Runs `handler`; a thrown error becomes the 503 or 500 page.
    func guarded(_ request: HTTPRequest, _ handler: MatchedRoute.Handler) -> HTTPResponse {
        do {
            return try handler(request)
        } catch let error as SessionStoreError {
            logger.error("Session storage failed", metadata: ["path": "\(request.path)", "error": "\(error)"])
            var response = pages.render("error", [
                "heading": "Sign-in is unavailable right now",
                "message": "The server cannot read or save sessions at the moment. Nothing you did caused this; please try again in a few minutes.",
            ], status: .serviceUnavailable)
            response.headers["Retry-After"] = "60"
            return response
        } catch {
            // The error's type names the failure without echoing request data into the log.
            logger.error("Handler failed", metadata: ["path": "\(request.path)", "error": "\(type(of: error))"])
            return pages.render("error", [
                "heading": "Something went wrong",
                "message": "The server could not complete this request. It has been logged; please try again.",
            ], status: .internalServerError)
        }
    }
}
