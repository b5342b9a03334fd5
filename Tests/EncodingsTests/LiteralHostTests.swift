import Encodings
import FoundationEssentials
import Testing

/// The host of a URL as written: no IDNA or percent decoding, IPv6 literals in brackets.
@Suite struct LiteralHostTests {
    private func literalHost(_ url: String) -> String? { URLComponents(string: url)?.literalHost }

    @Test func plainHostsAreUnchanged() {
        #expect(literalHost("https://login.microsoftonline.com/common/v2.0") == "login.microsoftonline.com")
        #expect(literalHost("http://127.0.0.1:5000/getAToken") == "127.0.0.1")
        #expect(literalHost("http://LocalHost/") == "LocalHost")
    }

    @Test func punycodeIsKeptNotDecoded() {
        // `host` would give "bücher.example" here, through ICU.
        #expect(literalHost("https://xn--bcher-kva.example/tenant") == "xn--bcher-kva.example")
    }

    @Test func percentEscapesAreKept() {
        #expect(literalHost("http://127.0.0.%31/") == "127.0.0.%31")
    }

    @Test func ipv6LiteralsKeepTheirBrackets() {
        #expect(literalHost("http://[::1]:5000/") == "[::1]")
    }

    @Test func noHostIsNilOrEmpty() {
        #expect(literalHost("/relative/path") == nil)
        #expect(literalHost("file:///etc/hosts")?.isEmpty ?? true)
    }
}
