@testable import HTTPCore
import Testing

/// Unit tests for HTTPRequestParser: no sockets, bytes in, requests or typed errors out.
/// What it accepts, and how it frames and reads it.
@Suite struct ParserAcceptsTests {
    @Test func simpleGet() throws {
        let r = try requests("GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n")
        #expect(r.count == 1)
        let (request, keepAlive) = r[0]
        #expect(request.method == .GET)
        #expect(request.path == "/a/b")
        #expect(request.query == "x=1&y=2")
        #expect(request.headers["host"] == "example.com")
        #expect(request.host == "example.com")
        #expect(request.version == (1, 1) ? true : false)
        #expect(keepAlive)
    }

    @Test func keepAliveRules() throws {
        #expect(try requests("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")[0].1 == false)
        #expect(try requests("GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, Close\r\n\r\n")[0].1 == false)
        #expect(try requests("GET / HTTP/1.0\r\n\r\n")[0].1 == false)
        #expect(try requests("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")[0].1 == true)
    }

    @Test func byteByByteGivesTheSameRequest() throws {
        let raw = Array("POST /submit HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello".utf8)
        var parser = HTTPRequestParser()
        var got: HTTPRequest?
        for byte in raw {
            parser.feed([byte])
            if case .request(let r, _)? = try parser.next() { got = r }
        }
        #expect(got?.method == .POST)
        #expect(got?.body == Array("hello".utf8))
    }

    @Test func anySplitOfTheBytesGivesTheSameRequests() throws {
        let raw = Array(("GET /1?q HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody"
            + "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n1\r\nd\r\n0\r\nT: v\r\n\r\n"
            + "GET /4 HTTP/1.0\r\n\r\n").utf8)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var parser = HTTPRequestParser()
            var got: [(String, [UInt8], Bool)] = []
            var i = 0
            while i < raw.count {
                let n = Int.random(in: 1...12, using: &generator)
                parser.feed(Array(raw[i..<min(raw.count, i + n)]))
                i += n
                while let event = try parser.next() {
                    if case .request(let r, let k) = event { got.append((r.path, r.body, k)) }
                }
            }
            #expect(got.map(\.0) == ["/1", "/2", "/3", "/4"])
            #expect(got.map(\.1) == [[], Array("body".utf8), Array("abcd".utf8), []])
            #expect(got.map(\.2) == [true, true, true, false])
            #expect(parser.isIdle)
        }
    }

    @Test func pipelinedRequestsComeOutInOrder() throws {
        let r = try requests("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(r.map(\.0.path) == ["/1", "/2", "/3"])
    }

    @Test func contentLengthBody() throws {
        let r = try requests("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /next HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(r[0].0.body == Array("abc".utf8))
        #expect(r[1].0.path == "/next")
    }

    @Test func identicalDuplicateContentLengthIsAccepted() throws {
        let r = try requests("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok")
        #expect(r[0].0.body == Array("ok".utf8))
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        let raw = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n"
        let r = try requests(raw)
        #expect(r[0].0.body == Array("hello world".utf8))
    }

    @Test func expectContinueIsSignalledBeforeTheBody() throws {
        var parser = HTTPRequestParser()
        parser.feed("PUT /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        guard case .expectContinue? = try parser.next() else {
            Issue.record("no 100-continue cue")
            return
        }
        #expect(try parser.next() == nil)
        parser.feed("data")
        guard case .request(let r, _)? = try parser.next() else {
            Issue.record("no request")
            return
        }
        #expect(r.body == Array("data".utf8))
    }

    @Test func leadingEmptyLinesAreIgnored() throws {
        #expect(try requests("\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n")[0].0.path == "/x")
    }

    @Test func absoluteFormTargetKeepsPathAndQuery() throws {
        let r = try requests("GET http://example.com/p?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
        #expect(r[0].0.path == "/p")
        #expect(r[0].0.query == "q=1")
    }

    @Test func headerValuesAreTrimmedAndKeepInnerSpaces() throws {
        let r = try requests("GET / HTTP/1.1\r\nHost: a\r\nX-Thing: \t one two \t\r\n\r\n")
        #expect(r[0].0.headers["x-thing"] == "one two")
    }

    @Test func waitsForMoreBytes() throws {
        var parser = HTTPRequestParser()
        parser.feed("GET / HTTP/1.1\r\nHost: a\r\n")
        #expect(try parser.next() == nil)
        #expect(!parser.isIdle)
        parser.feed("\r\n")
        #expect(try parser.next() != nil)
        #expect(parser.isIdle)
    }
}
