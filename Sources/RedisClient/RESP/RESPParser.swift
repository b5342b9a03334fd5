/// An incremental, bounded RESP2 reply parser: bytes go in as they arrive from the socket,
/// whole replies come out. It keeps its place between reads (a long bulk string or a big
/// array is never re-scanned), builds nested arrays with an explicit stack rather than
/// recursion, and checks every declared length against `RESPLimits` before it buffers or
/// allocates anything, so no input can trap it or make it grow past its limits.
public struct RESPParser: Sendable {
    /// An array whose elements are still arriving.
    private struct Frame: Sendable {
        /// Elements still to come.
        var remaining: Int
        /// Elements so far.
        var elements: [RESPValue]
    }

    /// What the bytes at `start` are expected to be.
    private enum Expecting: Sendable {
        /// A type byte and its line (`+OK`, `$5`, `*2`, …).
        case line
        /// The payload of a bulk string of this length, then CRLF.
        case bulk(Int)
    }

    /// The limits every reply is checked against.
    public let limits: RESPLimits
    /// Received bytes; those before `start` are consumed.
    var buffer: [UInt8] = []
    /// Where unconsumed bytes start in `buffer`.
    var start = 0
    /// How far past the type byte the current line is known to hold no CR or LF.
    var scanned = 0
    /// What comes next.
    private var expecting = Expecting.line
    /// Arrays being filled, outermost first.
    private var stack: [Frame] = []
    /// What the reply being parsed has cost so far against `limits.maxReplyBytes`.
    private var replyCost = 0
    /// The first error; every later call repeats it.
    private var failure: RESPParseError?

    /// A parser that enforces `limits`.
    public init(limits: RESPLimits = RESPLimits()) {
        self.limits = limits
    }

    /// Bytes received but not yet part of a returned reply.
    public var bufferedByteCount: Int { buffer.count - start }

    /// True when no reply is partly parsed and no byte is waiting.
    public var isIdle: Bool { bufferedByteCount == 0 && stack.isEmpty }

    /// Appends bytes read from the connection.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Appends bytes read from the connection.
    public mutating func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// The next whole reply, or nil until more bytes arrive.
    public mutating func next() throws(RESPParseError) -> RESPValue? {
        if let failure { throw failure }
        do {
            while let value = try nextValue() {
                if let reply = complete(value) {
                    replyCost = 0
                    return reply
                }
            }
            return nil
        } catch {
            failure = error
            throw error
        }
    }

    /// Drops consumed bytes once they are most of the buffer, so memory follows the unread
    /// part rather than everything ever received.
    private mutating func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 16)
            start = 0
        } else if start >= 4096 && start * 2 >= buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
    }

    /// Adds a finished value to the innermost open array; returns the reply once the
    /// outermost one is complete (or the value itself when no array is open).
    private mutating func complete(_ value: RESPValue) -> RESPValue? {
        var value = value
        while !stack.isEmpty {
            let top = stack.count - 1
            stack[top].elements.append(value)
            stack[top].remaining -= 1
            if stack[top].remaining > 0 { return nil }
            value = .array(stack.removeLast().elements)
        }
        return value
    }

    /// The next scalar, empty array or finished bulk string; opens arrays on the way.
    private mutating func nextValue() throws(RESPParseError) -> RESPValue? {
        while true {
            if case .bulk(let length) = expecting {
                guard bufferedByteCount >= length + 2 else { return nil }
                let end = start + length
                guard buffer[end] == 13 && buffer[end + 1] == 10 else {
                    throw RESPParseError("bulk string of \(length) bytes not followed by CRLF")
                }
                let value = RESPValue.bulkString(Array(buffer[start..<end]))
                start = end + 2
                expecting = .line
                return value
            }
            guard let (type, line) = try nextLine() else { return nil }
            if let value = try value(type: type, line: line) { return value }
        }
    }

    /// Interprets one line; nil when it opened an array or announced a bulk payload.
    private mutating func value(type: UInt8, line: Range<Int>) throws(RESPParseError) -> RESPValue? {
        switch type {
        case UInt8(ascii: "+"):
            try charge(line.count)
            return .simpleString(String(decoding: buffer[line], as: UTF8.self))
        case UInt8(ascii: "-"):
            try charge(line.count)
            return .error(String(decoding: buffer[line], as: UTF8.self))
        case UInt8(ascii: ":"):
            try charge(0)
            return .integer(try integer(line, what: "integer"))
        case UInt8(ascii: "$"):
            let length = try integer(line, what: "bulk length")
            if length == -1 { try charge(0); return .null }
            guard length >= 0 else { throw RESPParseError("negative bulk length \(length)") }
            guard length <= limits.maxBulkBytes else {
                throw RESPParseError("bulk string of \(length) bytes exceeds the limit of \(limits.maxBulkBytes)")
            }
            try charge(Int(length))
            expecting = .bulk(Int(length))
            return nil
        default:
            return try openArray(count: try integer(line, what: "array length"))
        }
    }

    /// Starts an array of `count` elements; the empty and null arrays are values at once.
    private mutating func openArray(count: Int64) throws(RESPParseError) -> RESPValue? {
        if count == -1 { try charge(0); return .null }
        guard count >= 0 else { throw RESPParseError("negative array length \(count)") }
        guard count <= limits.maxArrayCount else {
            throw RESPParseError("array of \(count) elements exceeds the limit of \(limits.maxArrayCount)")
        }
        guard stack.count < limits.maxDepth else {
            throw RESPParseError("arrays nested deeper than \(limits.maxDepth)")
        }
        try charge(0)
        if count == 0 { return .array([]) }
        // Capacity grows with what arrives, not with what the header claims.
        var elements: [RESPValue] = []
        elements.reserveCapacity(min(Int(count), 64))
        stack.append(Frame(remaining: Int(count), elements: elements))
        return nil
    }

    /// Counts a value of `bytes` string bytes against the reply's budget.
    private mutating func charge(_ bytes: Int) throws(RESPParseError) {
        replyCost += bytes + RESPLimits.valueOverhead
        guard replyCost <= limits.maxReplyBytes else {
            throw RESPParseError("reply larger than the limit of \(limits.maxReplyBytes) bytes")
        }
    }
}
