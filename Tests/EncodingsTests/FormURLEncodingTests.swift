import Encodings
import Testing

/// Form and query encoding: round trips, plus-as-space, malformed escapes kept, first value wins.
@Suite struct FormURLEncodingTests {
    @Test func encodesOnlyUnreservedCharactersLiterally() {
        #expect(FormURLEncoding.percentEncode("a b&c=d/é~-._") == "a%20b%26c%3Dd%2F%C3%A9~-._")
        #expect(FormURLEncoding.encode([("scope", "openid profile"), ("redirect_uri", "http://x/y?z=1")])
            == "scope=openid%20profile&redirect_uri=http%3A%2F%2Fx%2Fy%3Fz%3D1")
    }

    @Test func decodesPlusAndPercentEscapesInOrder() {
        let items = FormURLEncoding.decode("a=1+2&b=%3Cscript%3E&a=second&flag")
        #expect(items.map(\.name) == ["a", "b", "a", "flag"])
        #expect(items.map(\.value) == ["1 2", "<script>", "second", ""])
    }

    @Test func keepsMalformedEscapesLiterally() {
        #expect(FormURLEncoding.percentDecode("100%zz%4") == "100%zz%4")
        #expect(FormURLEncoding.percentDecode("%2e%2E") == "..")
    }

    @Test func firstValueWins() {
        #expect(FormURLEncoding.firstValues("state=good&state=evil") == ["state": "good"])
    }

    @Test func appendsToAnExistingQuery() {
        #expect(FormURLEncoding.append([("a", "b c")], to: "https://x/logout") == "https://x/logout?a=b%20c")
        #expect(FormURLEncoding.append([("a", "b")], to: "https://x/logout?p=1") == "https://x/logout?p=1&a=b")
    }

    @Test func roundTrips() {
        let pairs = [("näme", "välue with spaces & = + %"), ("empty", "")]
        let decoded = FormURLEncoding.decode(FormURLEncoding.encode(pairs))
        #expect(decoded.map(\.name) == pairs.map(\.0))
        #expect(decoded.map(\.value) == pairs.map(\.1))
    }
}
