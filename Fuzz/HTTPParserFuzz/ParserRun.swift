import FuzzSupport
import HTTPCore

/// Drives one parser over an input cut into reads, the way the event loop does (feed, then
/// `next()` until it says "need more"), and records the transcript. Checks the properties of
/// the parser's own state machine along the way.
enum ParserRun {
    static func run(
        _ data: UnsafeBufferPointer<UInt8>, limits: HTTPParseLimits, chunking: Chunking
    ) -> Transcript {
        var parser = HTTPRequestParser(limits: limits)
        var transcript = Transcript()
        var continuePending = false
        var offset = 0
        for length in chunking.lengths(for: data) {
            parser.feed(UnsafeRawBufferPointer(start: data.baseAddress.map { $0 + offset }, count: length))
            offset += length
            if let failure = drain(&parser, into: &transcript, continuePending: &continuePending) {
                transcript.ending = .error(status: failure.status.code, reason: failure.reason)
                checkStaysFailed(&parser, failure)
                return transcript
            }
        }
        // A final `next()` with nothing new must not change anything (the loop calls it
        // again after every write, and on EOF).
        if let failure = drain(&parser, into: &transcript, continuePending: &continuePending) {
            Failure.report("next() failed with no new bytes: \(failure)")
        }
        invariant(!parser.mustClose, "mustClose without an error")
        transcript.trailingContinue = continuePending
        transcript.ending = .waiting(idle: parser.isIdle, inBody: parser.isReadingBody)
        invariant(!(parser.isIdle && parser.isReadingBody), "idle and reading a body at once")
        invariant(!(parser.isIdle && continuePending), "idle right after a 100-continue cue")
        return transcript
    }

    /// Takes out every event the buffered bytes allow; returns the error that stopped it.
    private static func drain(
        _ parser: inout HTTPRequestParser, into transcript: inout Transcript, continuePending: inout Bool
    ) -> HTTPParseError? {
        // Each event consumes bytes, so a run of events is bounded by the input length;
        // this bound only turns an endless loop into a report.
        for _ in 0..<1_000_000 {
            let event: HTTPParseEvent?
            do {
                event = try parser.next()
            } catch {
                return error
            }
            switch event {
            case nil:
                return nil
            case .expectContinue:
                invariant(!continuePending, "two 100-continue cues for one request")
                invariant(parser.isReadingBody, "100-continue cue while not reading a body")
                continuePending = true
            case .request(let request, let keepAlive):
                transcript.requests.append(ParsedRequest(request, keepAlive: keepAlive))
                transcript.continues.append(continuePending)
                continuePending = false
            }
        }
        Failure.report("next() kept producing events")
    }

    /// Once refused, the connection is done: the error repeats and nothing else comes out,
    /// whatever is fed afterwards.
    private static func checkStaysFailed(_ parser: inout HTTPRequestParser, _ failure: HTTPParseError) {
        invariant((400...599).contains(failure.status.code), "parse error with status \(failure.status.code)")
        invariant(!failure.reason.isEmpty, "parse error without a reason")
        invariant(parser.mustClose, "error without mustClose")
        parser.feed(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        do {
            let event = try parser.next()
            Failure.report("parser recovered after \(failure): \(String(describing: event))")
        } catch {
            invariant(error == failure, "a different error after \(failure): \(error)")
        }
    }
}
