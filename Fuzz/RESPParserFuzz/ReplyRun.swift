import FuzzSupport
import RedisClient

/// What one run of the parser over an input produced: the replies in order, and how it ended.
struct ReplyTranscript: Equatable, CustomStringConvertible {
    /// How feeding stopped.
    enum Ending: Equatable {
        /// Refused, for this reason.
        case error(String)
        /// All bytes used; `idle` = nothing of a next reply buffered.
        case waiting(idle: Bool)
    }

    /// The replies, in order.
    var replies: [RESPValue] = []
    /// How it ended.
    var ending = Ending.waiting(idle: true)

    /// One reply per line, then the ending.
    var description: String {
        (replies.map { "  \($0)" } + ["  -> \(ending)"]).joined(separator: "\n")
    }
}

/// Drives one parser over an input cut into reads, the way a connection does (feed, then
/// `next()` until it says "need more"), checking the parser's own promises on the way.
enum ReplyRun {
    /// Feeds `data` in `chunking`'s reads to a parser with `limits`.
    static func run(_ data: UnsafeBufferPointer<UInt8>, limits: RESPLimits, chunking: Chunking) -> ReplyTranscript {
        var parser = RESPParser(limits: limits)
        var transcript = ReplyTranscript()
        var offset = 0
        for length in chunking.lengths(for: data) {
            parser.feed(UnsafeRawBufferPointer(start: data.baseAddress.map { $0 + offset }, count: length))
            offset += length
            do {
                while let reply = try parser.next() { transcript.replies.append(reply) }
            } catch {
                invariant(!error.reason.isEmpty, "parse error without a reason")
                checkStaysFailed(&parser, error)
                transcript.ending = .error(error.reason)
                return transcript
            }
            checkBuffered(parser, limits: limits)
        }
        transcript.ending = .waiting(idle: parser.isIdle)
        return transcript
    }

    /// Bounded memory: once drained, what stays buffered is one unfinished element at most,
    /// a line (type byte, content, CR) or a bulk payload waiting for its CRLF.
    private static func checkBuffered(_ parser: RESPParser, limits: RESPLimits) {
        let bound = max(limits.maxLineBytes + 2, limits.maxBulkBytes + 1)
        invariant(parser.bufferedByteCount <= bound, "\(parser.bufferedByteCount) bytes buffered after draining, bound \(bound)")
    }

    /// Once refused, the stream is done: the error repeats whatever comes next.
    private static func checkStaysFailed(_ parser: inout RESPParser, _ failure: RESPParseError) {
        parser.feed(Array("+OK\r\n".utf8))
        do {
            let reply = try parser.next()
            Failure.report("parser recovered after \(failure): \(String(describing: reply))")
        } catch {
            invariant(error == failure, "a different error after \(failure): \(error)")
        }
    }
}
