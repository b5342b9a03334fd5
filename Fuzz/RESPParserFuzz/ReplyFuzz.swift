import FuzzSupport
import RedisClient

/// One fuzz iteration: the input, as bytes from a server, is parsed under the client's
/// default limits and under tiny ones (so every limit is within reach of short inputs), in
/// every chunking. Each run must satisfy the reply invariants, all chunkings must give the
/// same replies and the same ending, and every reply must survive a round trip.
enum ReplyFuzz {
    /// The client's defaults, and limits small enough to reach with short inputs.
    static let limitSets: [(name: String, limits: RESPLimits)] = [
        ("default limits", RESPLimits()),
        ("tiny limits", RESPLimits(maxBulkBytes: 16, maxArrayCount: 4, maxDepth: 3, maxLineBytes: 12, maxReplyBytes: 400)),
    ]

    /// Runs every check on one input.
    static func check(_ data: UnsafeBufferPointer<UInt8>) {
        for (name, limits) in limitSets {
            Failure.context = (name, "whole")
            let reference = ReplyRun.run(data, limits: limits, chunking: .whole)
            for reply in reference.replies { ReplyInvariants.check(reply, limits: limits) }
            for chunking in Chunking.allCases where chunking != .whole {
                Failure.context = (name, chunking.name)
                let other = ReplyRun.run(data, limits: limits, chunking: chunking)
                // No limit is judged on a partial read, so the cuts change nothing at all.
                invariant(other == reference, "differs from the whole-input run:\nwhole:\n\(reference)\nthis:\n\(other)")
            }
            Failure.context = (name, "round trip")
            for reply in reference.replies { roundTrip(reply, limits: limits) }
        }
    }

    /// A reply written back in wire form parses to itself, alone, leaving nothing behind.
    /// The limits get room: an invalid UTF-8 byte in a simple string comes back as U+FFFD,
    /// three bytes.
    private static func roundTrip(_ reply: RESPValue, limits: RESPLimits) {
        let roomy = RESPLimits(
            maxBulkBytes: limits.maxBulkBytes, maxArrayCount: limits.maxArrayCount, maxDepth: limits.maxDepth,
            maxLineBytes: limits.maxLineBytes * 3, maxReplyBytes: limits.maxReplyBytes * 3)
        let bytes = reply.serialized
        let again = bytes.withUnsafeBufferPointer { ReplyRun.run($0, limits: roomy, chunking: .whole) }
        invariant(again == ReplyTranscript(replies: [reply], ending: .waiting(idle: true)),
                  "round trip changed the reply:\n  before: \(reply)\n  after:\n\(again)")
    }
}
