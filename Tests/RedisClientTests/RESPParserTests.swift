import RedisClient
import Testing

/// Every reply in `text`, fed in reads of `readSize` bytes, and the error that stopped
/// the parser, if any.
func parse(_ bytes: [UInt8], limits: RESPLimits = RESPLimits(), readSize: Int = .max) -> (replies: [RESPValue], error: RESPParseError?) {
    var parser = RESPParser(limits: limits)
    var replies: [RESPValue] = []
    var offset = 0
    repeat {
        let end = min(bytes.count, offset + max(1, min(readSize, bytes.count)))
        parser.feed(Array(bytes[offset..<end]))
        offset = end
        do {
            while let reply = try parser.next() { replies.append(reply) }
        } catch {
            return (replies, error)
        }
    } while offset < bytes.count
    return (replies, nil)
}

/// The same for text.
func parse(_ text: String, limits: RESPLimits = RESPLimits(), readSize: Int = .max) -> (replies: [RESPValue], error: RESPParseError?) {
    parse(Array(text.utf8), limits: limits, readSize: readSize)
}

/// The reply parser: every RESP2 type, replies split at every byte, and refusal, with a
/// reason, of everything malformed or over a limit, before anything is allocated for it.
@Suite struct RESPParserTests {
    @Test func everyType() {
        let text = "+OK\r\n-ERR wrong\r\n:42\r\n:-7\r\n$5\r\nhello\r\n$0\r\n\r\n$-1\r\n*-1\r\n*0\r\n*2\r\n:1\r\n*1\r\n$1\r\nx\r\n"
        let result = parse(text)
        #expect(result.error == nil)
        #expect(result.replies == [
            .simpleString("OK"), .error("ERR wrong"), .integer(42), .integer(-7), .bulkString(Array("hello".utf8)),
            .bulkString([]), .null, .null, .array([]), .array([.integer(1), .array([.bulkString([UInt8(ascii: "x")])])]),
        ])
    }

    @Test func bulkStringsAreBinarySafe() {
        let payload = (0...255).map(UInt8.init) + Array("\r\n$3\r\n".utf8)
        let result = parse(Array("$\(payload.count)\r\n".utf8) + payload + [13, 10])
        #expect(result.replies == [.bulkString(payload)])
    }

    @Test func int64Extremes() {
        #expect(parse(":9223372036854775807\r\n:-9223372036854775808\r\n").replies == [.integer(.max), .integer(.min)])
        #expect(parse(":9223372036854775808\r\n").error?.reason == "integer out of range")
        #expect(parse(":-9223372036854775809\r\n").error?.reason == "integer out of range")
    }

    @Test(arguments: [1, 2, 3, 7])
    func readsSplitAnywhereGiveTheSameReplies(readSize: Int) {
        let text = "*3\r\n$12\r\nhello\r\nworld\r\n:-12\r\n*2\r\n+PONG\r\n$-1\r\n-NOSCRIPT x\r\n"
        #expect(parse(text, readSize: readSize).replies == parse(text).replies)
        #expect(parse(text).replies.count == 2)
    }

    @Test func incompleteReplyWaitsForMoreBytes() throws {
        var parser = RESPParser()
        parser.feed(Array("*2\r\n$3\r\nab".utf8))
        #expect(try parser.next() == nil)
        #expect(!parser.isIdle)
        parser.feed(Array("c\r\n:1".utf8))
        #expect(try parser.next() == nil)
        parser.feed(Array("\r\n".utf8))
        #expect(try parser.next() == .array([.bulkString(Array("abc".utf8)), .integer(1)]))
        #expect(parser.isIdle)
    }

    @Test(arguments: [
        ("$5\r\nhelloXY", "bulk string of 5 bytes not followed by CRLF"),
        ("+OK\n", "line feed without carriage return"),
        ("+OK\rX\n", "carriage return without line feed"),
        (":12a\r\n", "malformed integer"),
        (":\r\n", "malformed integer"),
        ("$-2\r\n", "negative bulk length -2"),
        ("*-5\r\n", "negative array length -5"),
        ("$+5\r\n", "malformed bulk length"),
        ("%1\r\n", "RESP3 reply type '%' on a RESP2 connection"),
        ("_\r\n", "RESP3 reply type '_' on a RESP2 connection"),
        ("HTTP/1.1 400 Bad Request\r\n", "byte 0x48 ('H') where a reply starts: not a Redis server?"),
        ("\u{16}\u{03}\u{01}", "byte 0x16 where a reply starts: not a Redis server?"),
    ])
    func malformedInputIsRefused(input: String, reason: String) {
        let result = parse(input)
        #expect(result.replies.isEmpty)
        #expect(result.error?.reason == reason)
        // Byte by byte, the same verdict.
        #expect(parse(input, readSize: 1).error?.reason == reason)
    }

    @Test func errorIsSticky() throws {
        var parser = RESPParser()
        parser.feed(Array("?\r\n".utf8))
        #expect(throws: RESPParseError.self) { try parser.next() }
        parser.feed(Array("+OK\r\n".utf8))
        #expect(throws: RESPParseError.self) { try parser.next() }
    }
}
