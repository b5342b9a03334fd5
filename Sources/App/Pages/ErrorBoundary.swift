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

    public func mayBlock(_ request: HTTPRequest) -> Bool { inner.mayBlock(request) }

    public func respond(to request: HTTPRequest) throws -> HTTPResponse {
        do {
            return try inner.respond(to: request)
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
