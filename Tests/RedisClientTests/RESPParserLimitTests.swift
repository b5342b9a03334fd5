import RedisClient
import Testing

/// A hostile server announcing huge or deep replies: refused from the header alone, before
/// the parser buffers the payload or reserves room for the elements.
@Suite struct RESPParserLimitTests {
    let small = RESPLimits(maxBulkBytes: 10, maxArrayCount: 3, maxDepth: 2, maxLineBytes: 8, maxReplyBytes: 300)

    @Test func bulkLongerThanTheLimitIsRefusedFromItsHeader() {
        #expect(parse("$10\r\n0123456789\r\n", limits: small).replies == [.bulkString(Array("0123456789".utf8))])
        #expect(parse("$11\r\n", limits: small).error?.reason == "bulk string of 11 bytes exceeds the limit of 10")
        // The default limit: a claimed 512 MB string is refused with nothing buffered.
        #expect(parse("$536870912\r\n").error?.reason == "bulk string of 536870912 bytes exceeds the limit of 16777216")
        #expect(parse("$99999999999999999999\r\n").error?.reason == "malformed bulk length")
    }

    @Test func arrayCountAndDepthLimits() {
        #expect(parse("*3\r\n:1\r\n:2\r\n:3\r\n", limits: small).error == nil)
        #expect(parse("*4\r\n", limits: small).error?.reason == "array of 4 elements exceeds the limit of 3")
        #expect(parse("*1\r\n*1\r\n:1\r\n", limits: small).error == nil)
        #expect(parse("*1\r\n*1\r\n*1\r\n:1\r\n", limits: small).error?.reason == "arrays nested deeper than 2")
        #expect(parse("*1\r\n*1\r\n*0\r\n", limits: small).error?.reason == "arrays nested deeper than 2")
        #expect(parse("*2147483647\r\n").error?.reason == "array of 2147483647 elements exceeds the limit of 1048576")
    }

    @Test func deepNestingIsRefusedWithoutRecursion() {
        let deep = String(repeating: "*1\r\n", count: 200_000) + ":1\r\n"
        #expect(parse(deep).error?.reason == "arrays nested deeper than 16")
    }

    @Test func lineLimit() {
        #expect(parse("+12345678\r\n", limits: small).replies == [.simpleString("12345678")])
        #expect(parse("+123456789\r\n", limits: small).error?.reason == "line longer than the limit of 8 bytes")
        // Without a line end in sight, refused as soon as the limit is passed.
        #expect(parse("-123456789", limits: small, readSize: 1).error?.reason == "line longer than the limit of 8 bytes")
    }

    @Test func wholeReplyBudgetCountsEveryValue() {
        // 3 values: the array and two strings of 10 bytes = 3 * 32 + 20 = 116.
        #expect(parse("*2\r\n$10\r\n0123456789\r\n$10\r\n0123456789\r\n", limits: small).error == nil)
        // Many small values cost more than their bytes: ten integers and their array are
        // 11 * 32 = 352 against the budget, though only 45 bytes on the wire.
        let wide = RESPLimits(maxArrayCount: 100, maxReplyBytes: 300)
        #expect(parse("*10\r\n" + String(repeating: ":0\r\n", count: 10), limits: wide).error?.reason == "reply larger than the limit of 300 bytes")
        // The budget is per reply: the next one starts from zero.
        let two = "*2\r\n$10\r\n0123456789\r\n$10\r\n0123456789\r\n*2\r\n$10\r\n0123456789\r\n$10\r\n0123456789\r\n"
        #expect(parse(two, limits: small).replies.count == 2)
    }

    @Test func consumedBytesAreReleased() throws {
        var parser = RESPParser()
        for _ in 0..<10_000 {
            parser.feed(Array("$100\r\n".utf8) + [UInt8](repeating: 65, count: 100) + [13, 10])
            #expect(try parser.next() != nil)
        }
        #expect(parser.bufferedByteCount == 0)
    }
}
