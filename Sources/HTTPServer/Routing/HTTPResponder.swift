// The contract between the server and the code that answers requests.

/// Answers requests. The server calls `respond(to:)` on its event-loop thread unless
/// `mayBlock(_:)` says the answer may wait on something slow (an upstream HTTP call, a
/// lock held by another process), in which case it runs on a worker pool so other
/// connections are never stalled.
public protocol HTTPResponder: Sendable {
    func mayBlock(_ request: HTTPRequest) -> Bool
    func respond(to request: HTTPRequest) throws -> HTTPResponse
}

extension HTTPResponder {
    public func mayBlock(_ request: HTTPRequest) -> Bool { false }
}
