import FuzzSupport
import HTTPCore

/// One fuzz iteration: the input is parsed under two sets of limits (the server's defaults,
/// and tiny ones so that every limit is within reach of short inputs), each in every
/// chunking. Each run must satisfy the request invariants, all chunkings must agree, and
/// every accepted request must survive a round trip.
enum ParserFuzz {
    static let limitSets: [(name: String, limits: HTTPParseLimits)] = [
        ("default limits", HTTPParseLimits()),
        ("tiny limits", HTTPParseLimits(maxRequestLine: 48, maxHeaderBytes: 96, maxHeaderCount: 4, maxBodyBytes: 24)),
    ]

    static func check(_ data: UnsafeBufferPointer<UInt8>) {
        for (name, limits) in limitSets {
            Failure.context = (name, "whole")
            let reference = ParserRun.run(data, limits: limits, chunking: .whole)
            checkTranscript(reference, limits: limits)
            for chunking in Chunking.allCases where chunking != .whole {
                Failure.context = (name, chunking.name)
                let other = ParserRun.run(data, limits: limits, chunking: chunking)
                checkTranscript(other, limits: limits)
                compare(reference, other)
            }
            Failure.context = (name, "round trip")
            for request in reference.requests { RoundTrip.check(request, limits: limits) }
        }
    }

    private static func checkTranscript(_ t: Transcript, limits: HTTPParseLimits) {
        for (request, continued) in zip(t.requests, t.continues) {
            RequestInvariants.check(request, continued: continued, limits: limits)
        }
    }

    /// Chunkings must give the same requests and the same ending. The one allowed difference:
    /// a limit is judged on a line still arriving, so a read that ends mid-line can bring a
    /// 413/414/431 before a syntax error later on that same line is seen.
    private static func compare(_ reference: Transcript, _ other: Transcript) {
        invariant(reference.requests == other.requests, "requests differ from the whole-input run:\nwhole:\n\(reference)\nthis:\n\(other)")
        if reference.ending == other.ending { return }
        if let a = reference.ending.status, let b = other.ending.status, isLimit(a) || isLimit(b) { return }
        invariant(false, "ending differs from the whole-input run:\nwhole:\n\(reference)\nthis:\n\(other)")
    }

    private static func isLimit(_ status: Int) -> Bool { [413, 414, 431].contains(status) }
}
