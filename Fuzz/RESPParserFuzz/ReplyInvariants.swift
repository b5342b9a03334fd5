import FuzzSupport
import RedisClient

/// What must hold for every reply the parser lets through, checked from the outside
/// against the limits. Written independently of the parser's code, so as not to share its bugs.
enum ReplyInvariants {
    /// Checks one reply against `limits`.
    static func check(_ reply: RESPValue, limits: RESPLimits) {
        var cost = 0
        walk(reply, depth: 0, limits: limits, cost: &cost)
        invariant(cost <= limits.maxReplyBytes, "reply costing \(cost) > \(limits.maxReplyBytes)")
    }

    /// Checks `value` and everything in it; adds what it costs to `cost`.
    private static func walk(_ value: RESPValue, depth: Int, limits: RESPLimits, cost: inout Int) {
        cost += RESPLimits.valueOverhead
        switch value {
        case .simpleString(let text), .error(let text):
            // Scalars, not UTF-8 bytes: an invalid byte decodes to one U+FFFD of three bytes.
            let scalars = text.unicodeScalars
            invariant(scalars.count <= limits.maxLineBytes, "line of \(scalars.count) > \(limits.maxLineBytes)")
            invariant(!scalars.contains("\r") && !scalars.contains("\n"), "CR or LF in a line: \(text.debugDescription)")
            cost += scalars.count
        case .bulkString(let bytes):
            invariant(bytes.count <= limits.maxBulkBytes, "bulk of \(bytes.count) > \(limits.maxBulkBytes)")
            cost += bytes.count
        case .array(let elements):
            invariant(depth < limits.maxDepth, "array at depth \(depth + 1) > \(limits.maxDepth)")
            invariant(elements.count <= limits.maxArrayCount, "array of \(elements.count) > \(limits.maxArrayCount)")
            for element in elements { walk(element, depth: depth + 1, limits: limits, cost: &cost) }
        case .integer, .null:
            break
        }
    }
}
