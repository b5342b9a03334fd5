import Encodings

/// An OAuth 2.0 error response body (RFC 6749 section 5.2) with Entra's extra fields,
/// which support staff need to trace a failure (correlation_id, trace_id, error_codes).
public struct ProviderErrorResponse: Sendable, Equatable {
    public var status: Int
    public var error: String
    public var errorDescription: String?
    public var errorCodes: [Int]
    public var correlationID: String?
    public var traceID: String?
    public var timestamp: String?

    public init(status: Int, error: String, errorDescription: String? = nil, errorCodes: [Int] = [],
                correlationID: String? = nil, traceID: String? = nil, timestamp: String? = nil) {
        self.status = status
        self.error = error
        self.errorDescription = errorDescription
        self.errorCodes = errorCodes
        self.correlationID = correlationID
        self.traceID = traceID
        self.timestamp = timestamp
    }

    /// Parses an error body; nil when the body is not JSON with a string `error`.
    static func parse(status: Int, body: [UInt8]) -> ProviderErrorResponse? {
        guard let object = JSONValue.parseObject(body), let error = object["error"]?.stringValue else { return nil }
        return ProviderErrorResponse(
            status: status,
            error: error,
            errorDescription: object["error_description"]?.stringValue,
            errorCodes: object["error_codes"]?.arrayValue?.compactMap { $0.integerValue.map(Int.init) } ?? [],
            correlationID: object["correlation_id"]?.stringValue,
            traceID: object["trace_id"]?.stringValue,
            timestamp: object["timestamp"]?.stringValue)
    }

    /// Errors after which only a new interactive sign-in can help.
    var requiresInteraction: Bool {
        ["invalid_grant", "interaction_required", "login_required", "consent_required"].contains(error)
    }

    /// One line for a page: the error, its description and the ids support asks for.
    public var summary: String {
        var parts = [error]
        if let errorDescription, !errorDescription.isEmpty { parts.append(errorDescription) }
        if !errorCodes.isEmpty { parts.append("codes \(errorCodes.map(String.init).joined(separator: ","))") }
        if let correlationID { parts.append("correlation id \(correlationID)") }
        if let traceID { parts.append("trace id \(traceID)") }
        return parts.joined(separator: "; ")
    }
}
