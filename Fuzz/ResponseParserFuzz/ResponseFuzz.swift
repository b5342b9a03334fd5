import FuzzSupport
import HTTPClient
import HTTPCore

/// One fuzz iteration: the input, as bytes from a provider or Graph, is read as the answer to
/// a GET under the transport's default body limit and as the answer to a HEAD under a tiny
/// one, in every chunking. Every chunking must come to the same outcome, and whatever the
/// parser lets through must hold the promises the transport relies on.
enum ResponseFuzz {
    /// The transport's default limit for a GET, and a tiny one for a HEAD.
    static let runs: [(name: String, method: HTTPMethod, limit: Int)] = [
        ("GET, 1 MB", .GET, 1 << 20),
        ("HEAD, 16 bytes", .HEAD, 16),
    ]

    /// Runs every check on one input.
    static func check(_ data: UnsafeBufferPointer<UInt8>) {
        for (name, method, limit) in runs {
            Failure.context = (name, "whole")
            let reference = ResponseRun.run(data, method: method, limit: limit, chunking: .whole)
            ResponseInvariants.check(reference, method: method, limit: limit)
            for chunking in Chunking.allCases where chunking != .whole {
                Failure.context = (name, chunking.name)
                let other = ResponseRun.run(data, method: method, limit: limit, chunking: chunking)
                invariant(other == reference, "differs from the whole-input run:\nwhole: \(reference)\nthis:  \(other)")
            }
        }
    }
}

/// How one run over an input ended.
struct ResponseOutcome: Equatable {
    /// The parser refused the input, with this failure.
    var failure: ResponseParser.Failure?
    /// A whole response was read (before the input ran out, or at its end).
    var complete = false
    /// Status, headers as `name: value` lines, body, reuse: meaningful when complete.
    var status = 0
    var headers: [String] = []
    var body: [UInt8] = []
    var keepAlive = false
    var leftover = false
}

/// Drives one parser over an input cut into reads, then the end of the connection, the way
/// the transport does: it stops at the first complete response or failure.
enum ResponseRun {
    /// Feeds `data` in `chunking`'s reads.
    static func run(_ data: UnsafeBufferPointer<UInt8>, method: HTTPMethod, limit: Int, chunking: Chunking) -> ResponseOutcome {
        var parser = ResponseParser(bodyLimit: limit, method: method)
        var outcome = ResponseOutcome()
        var offset = 0
        do {
            var complete = false
            for length in chunking.lengths(for: data) where !complete {
                complete = try parser.receive(UnsafeRawBufferPointer(start: data.baseAddress.map { $0 + offset }, count: length))
                offset += length
            }
            if !complete { try parser.receiveEnd() }
        } catch {
            outcome.failure = error
            return outcome
        }
        outcome.complete = parser.isComplete
        outcome.status = parser.status
        outcome.headers = parser.headers.map { "\($0.name): \($0.value)" }
        outcome.body = parser.body
        outcome.keepAlive = parser.keepAlive
        // Leftover bytes depend on where the read that completed the answer ended; the
        // transport only asks whether any are there once the whole input has arrived.
        outcome.leftover = offset < data.count || parser.hasLeftover
        return outcome
    }
}

/// What must hold for every response the parser lets through, checked from the outside.
enum ResponseInvariants {
    /// Checks one outcome of a request of `method` under `limit`.
    static func check(_ outcome: ResponseOutcome, method: HTTPMethod, limit: Int) {
        guard outcome.failure == nil else { return }
        invariant(outcome.complete, "neither complete nor refused at the end of the input")
        invariant((200...999).contains(outcome.status), "status \(outcome.status) let through")
        invariant(outcome.body.count <= limit, "body of \(outcome.body.count) > \(limit)")
        if method == .HEAD { invariant(outcome.body.isEmpty, "a body for HEAD") }
        for line in outcome.headers {
            let bytes = Array(line.utf8)
            invariant(!bytes.contains { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F }, "control character in \(line.debugDescription)")
            guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { Failure.report("no colon in \(line.debugDescription)") }
            invariant(colon > 0, "empty header name in \(line.debugDescription)")
            let value = bytes[(colon + 2)...]
            invariant(value.first != 0x20 && value.first != 0x09 && value.last != 0x20 && value.last != 0x09, "untrimmed value in \(line.debugDescription)")
        }
    }
}
