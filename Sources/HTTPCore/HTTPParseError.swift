// Why a request could not be parsed, and the status to answer with before closing.

/// A request the server refuses to parse. The connection is always closed after the error
/// response: once framing is in doubt, nothing that follows on the wire can be trusted.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: HTTPStatus
    /// A short, fixed explanation for logs (never includes request bytes).
    public let reason: String

    public init(_ status: HTTPStatus, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status.code) \(reason)" }

    static func bad(_ reason: String) -> HTTPParseError { HTTPParseError(.badRequest, reason) }
}
