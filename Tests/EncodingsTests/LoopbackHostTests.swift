import Encodings
import Testing

/// The one loopback rule: literal loopback addresses and `localhost` only, nothing a
/// resolver or a URL parser could turn into another address.
@Suite struct LoopbackHostTests {
    @Test func literalLoopbackAddressesAndLocalhost() {
        for host in ["127.0.0.1", "127.45.0.1", "127.255.255.255", "127.0.0.0", "::1", "[::1]", "0:0:0:0:0:0:0:1",
                     "[0:0:0:0:0:0:0:1]", "localhost", "LOCALHOST", "LocalHost"] {
            #expect(LoopbackHost.isLoopback(host), "\(host)")
        }
    }

    @Test func namesThatOnlyLookLocalAreRefused() {
        for host in ["127.example.com", "127.0.0.1.example.com", "localhost.evil.com", "evil-localhost", "localhost.",
                     "127.0.0.1.", "my127.0.0.1", "localhost:5000"] {
            #expect(!LoopbackHost.isLoopback(host), "\(host)")
        }
    }

    @Test func percentEncodedAndOtherSpellingsAreRefused() {
        // A URL parser or inet_aton would read some of these as 127.0.0.1; as written they are
        // not a loopback literal, and they are never trusted as one.
        for host in ["127.0.0.%31", "local%68ost", "%6c%6f%63%61%6c%68%6f%73%74", "127%2e0%2e0%2e1", "[%3a%3a1]",
                     "0177.0.0.1", "127.0.0.01", "127.000.0.1", "0x7f.0.0.1", "2130706433", "127.1", "127.0.1",
                     "127.0.0.256", "127.0.0.-1", "127.0.0.1/8", "::1%lo", "[::1%25lo]", "::ffff:127.0.0.1", "0.0.0.0", "::",
                     "128.0.0.1", "10.0.0.1", "", "[]", " 127.0.0.1", "127.0.0.1 ", "１２７.0.0.1"] {
            #expect(!LoopbackHost.isLoopback(host), "\(host)")
        }
    }

    @Test func hostHeaders() {
        for header in ["127.0.0.1:5000", "localhost:8080", "localhost", "[::1]:5000", "[::1]"] {
            #expect(LoopbackHost.isLoopback(hostHeader: header), "\(header)")
        }
        for header in ["127.example.com:5000", "localhost.evil.com", "evil.example:127", "[::1.evil]:80", "[::1", "::1", ""] {
            #expect(!LoopbackHost.isLoopback(hostHeader: header), "\(header)")
        }
        #expect(LoopbackHost.name(ofHostHeader: "[::1]:5000") == "[::1]")
        #expect(LoopbackHost.name(ofHostHeader: "app.example:443") == "app.example")
    }
}
