@testable import HTTPCore
import Testing

// What the parser tests share: feeding bytes and reading events, and the check that a
// refused input stays refused.

/// Every event the parser takes out of `raw`, fed at once.
func parse(_ raw: String, limits: HTTPParseLimits = HTTPParseLimits()) throws(HTTPParseError) -> [HTTPParseEvent] {
    var parser = HTTPRequestParser(limits: limits)
    parser.feed(raw)
    var events: [HTTPParseEvent] = []
    while let event = try parser.next() { events.append(event) }
    return events
}

/// The requests in `raw`, each with whether the client keeps the connection open.
func requests(_ raw: String) throws -> [(HTTPRequest, Bool)] {
    try parse(raw).compactMap {
        if case .request(let r, let k) = $0 { return (r, k) }
        return nil
    }
}

/// Feeds `raw` and expects the parser to refuse it with `status`, and to insist on closing.
func expectRejected(
    _ raw: [UInt8], _ status: HTTPStatus, limits: HTTPParseLimits = HTTPParseLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    var parser = HTTPRequestParser(limits: limits)
    parser.feed(raw)
    do {
        while try parser.next() != nil {}
        Issue.record("accepted a request that should be refused with \(status.code)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.status == status, sourceLocation: sourceLocation)
        #expect(parser.mustClose, sourceLocation: sourceLocation)
        // Once failed, the parser stays failed: nothing after the bad bytes is trusted.
        parser.feed(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.self, sourceLocation: sourceLocation) { try parser.next() }
    }
}

/// The same for a string's bytes.
func expectRejected(
    _ raw: String, _ status: HTTPStatus, limits: HTTPParseLimits = HTTPParseLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    expectRejected(Array(raw.utf8), status, limits: limits, sourceLocation: sourceLocation)
}

/// Events compare by kind, path and keep-alive: what the parser tests look at.
extension HTTPParseEvent: Equatable {
    /// Same kind, and for requests the same path and keep-alive.
    public static func == (a: HTTPParseEvent, b: HTTPParseEvent) -> Bool {
        switch (a, b) {
        case (.expectContinue, .expectContinue): return true
        case (.request(let x, let kx), .request(let y, let ky)): return x.path == y.path && kx == ky
        default: return false
        }
    }
}
