@testable import App
import CryptoSupport
import Encodings
import Foundation
import HTTPServer
import OIDC
import Testing

/// The sealed cookie that carries sign-ins in progress: what it holds comes back only from
/// this server's own, unmodified cookie, under the name it was made for, and it stays small.
@Suite struct PendingSignInCookieTests {
    static let secret = SessionSecret(bytes: Array(repeating: 7, count: 32))
    let cookie = PendingSignInCookie(secret: Self.secret)

    func flow(_ state: String, at time: Date = Date(timeIntervalSince1970: 1_800_000_000), returnPath: String = "/") -> PendingFlow {
        PendingFlow(state: state, nonce: String(repeating: "n", count: 43), codeVerifier: String(repeating: "v", count: 43),
                    redirectURI: "https://app.example/getAToken", scopes: ["openid", "profile", "offline_access", "User.Read"],
                    returnPath: returnPath, createdAt: time)
    }

    func flows(_ states: [String]) -> PendingFlows {
        var flows = PendingFlows()
        for (index, state) in states.enumerated() {
            let time = Date(timeIntervalSince1970: 1_800_000_000 + Double(index))
            flows.add(flow(state, at: time), now: time, limit: 100)
        }
        return flows
    }

    /// The value of a `Set-Cookie` line.
    func value(_ setCookie: String) -> String {
        let pair = setCookie.split(separator: ";")[0]
        return String(pair[pair.index(after: pair.firstIndex(of: "=")!)...])
    }

    func request(cookie: String, https: Bool = false) -> HTTPRequest {
        var request = HTTPRequest(method: .GET, path: "/getAToken", headers: ["Cookie": cookie])
        if https { request.scheme = "https" }
        return request
    }

    @Test func whatIsSealedComesBack() {
        let sealed = flows(["tab-1", "tab-2"])
        let line = cookie.setCookie(sealed, maxAge: 600, secure: false)
        #expect(line.hasPrefix("signin=v1.") && line.hasSuffix("; Max-Age=600; Path=/; HttpOnly; SameSite=Lax"))
        #expect(cookie.flows(in: request(cookie: "other=1; signin=\(value(line)); session=x")) == sealed)
        // The state, nonce and verifier are not readable in the value.
        #expect(!value(line).contains("tab-1") && !Data(Base64URL.decode(value(line).dropFirst(3)) ?? []).contains(Data("nnnn".utf8)))
        let secure = cookie.setCookie(sealed, maxAge: 600, secure: true)
        #expect(secure.hasPrefix("__Host-signin=v1.") && secure.hasSuffix("; Path=/; HttpOnly; SameSite=Lax; Secure"))
        #expect(cookie.flows(in: request(cookie: "__Host-signin=\(value(secure))", https: true)) == sealed)
    }

    @Test func aModifiedValueOpensToNothing() throws {
        let line = cookie.setCookie(flows(["s"]), maxAge: 600, secure: false)
        var bytes = try #require(Base64URL.decode(value(line).dropFirst(3)))
        for index in [0, 12, bytes.count / 2, bytes.count - 1] {
            bytes[index] ^= 0x01
            #expect(cookie.flows(in: request(cookie: "signin=v1." + Base64URL.encode(bytes))).isEmpty, "byte \(index)")
            bytes[index] ^= 0x01
        }
        #expect(!cookie.flows(in: request(cookie: "signin=v1." + Base64URL.encode(bytes))).isEmpty, "the unmodified value opens")
        for forged in ["", "v1.", "v2." + Base64URL.encode(bytes), "v1.!!!", "v1." + Base64URL.encode(bytes.prefix(20)), "\"v1.\"",
                       "v1." + Base64URL.encode(Array(repeating: 0, count: 200))] {
            #expect(cookie.flows(in: request(cookie: "signin=\(forged)")).isEmpty, "\(forged.prefix(20))")
        }
    }

    @Test func anotherSecretsCookieOpensToNothing() {
        let other = PendingSignInCookie(secret: SessionSecret(bytes: Array(repeating: 8, count: 32)))
        let line = other.setCookie(flows(["s"]), maxAge: 600, secure: false)
        #expect(cookie.flows(in: request(cookie: "signin=\(value(line))")).isEmpty)
    }

    /// A value made for the http cookie, presented under the https name (or the other way
    /// round), opens to nothing: the name is bound into the seal.
    @Test func aValueMovedToTheOtherNameOpensToNothing() {
        let plain = cookie.setCookie(flows(["s"]), maxAge: 600, secure: false)
        #expect(cookie.flows(in: request(cookie: "__Host-signin=\(value(plain))", https: true)).isEmpty)
        let secure = cookie.setCookie(flows(["s"]), maxAge: 600, secure: true)
        #expect(cookie.flows(in: request(cookie: "signin=\(value(secure))")).isEmpty)
    }

    /// A forged cookie sent first does not hide the real one sent after it.
    @Test func theFirstCookieThatOpensWins() {
        let sealed = flows(["s"])
        let line = cookie.setCookie(sealed, maxAge: 600, secure: false)
        #expect(cookie.flows(in: request(cookie: "signin=v1.forged; signin=\(value(line))")) == sealed)
    }

    @Test func anOversizedValueIsIgnoredUnread() {
        let huge = "v1." + String(repeating: "A", count: PendingSignInCookie.maximumValueLength)
        #expect(cookie.flows(in: request(cookie: "signin=\(huge)")).isEmpty)
    }

    /// Five tabs of long return paths still fit; beyond the budget the oldest flows go.
    @Test func theCookieStaysWithinItsBudget() {
        let five = flows((1...5).map { "state-\($0)-" + String(repeating: "s", count: 36) })
        let line = cookie.setCookie(five, maxAge: 600, secure: true)
        #expect(value(line).utf8.count <= PendingSignInCookie.valueBudget)
        #expect(line.utf8.count < 3200, "\(line.utf8.count) bytes")
        #expect(cookie.flows(in: request(cookie: "__Host-signin=\(value(line))", https: true)) == five)

        var long = PendingFlows()
        for index in 0..<5 {
            let time = Date(timeIntervalSince1970: 1_800_000_000 + Double(index))
            long.add(flow("long-\(index)", at: time, returnPath: "/" + String(repeating: "p", count: 511)), now: time)
        }
        let trimmed = cookie.flows(in: request(cookie: "signin=\(value(cookie.setCookie(long, maxAge: 600, secure: false)))"))
        #expect(!trimmed.isEmpty && trimmed.flows.count < 5)
        #expect(trimmed.flows.map(\.state) == long.flows.suffix(trimmed.flows.count).map(\.state), "the newest are kept")
    }

    @Test func noFlowsLeftDropsTheCookie() {
        #expect(cookie.setCookie(PendingFlows(), maxAge: 600, secure: false)
            == "signin=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax")
    }
}
