import CryptoSupport
import Foundation
@testable import SessionStore
import Testing

/// The Set-Cookie values for http and https, and reading the id back from a Cookie header.
@Suite struct SessionCookieTests {
    let id = SessionID.generate(using: OpenSSLRandom())

    private func attributes(_ header: String) -> [String] {
        header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test func httpsCookieIsHostPrefixedAndSecure() {
        let cookie = SessionCookie(secure: true)
        let header = cookie.setCookie(id: id, maxAge: 3600)
        let parts = attributes(header)
        #expect(parts[0] == "__Host-session=\(id)")
        #expect(Set(parts.dropFirst()) == ["Max-Age=3600", "Path=/", "HttpOnly", "SameSite=Lax", "Secure"])
        #expect(!header.lowercased().contains("domain"))
    }

    @Test func httpCookieIsPlainAndNotSecure() {
        let cookie = SessionCookie(secure: false)
        let parts = attributes(cookie.setCookie(id: id, maxAge: 60))
        #expect(parts[0] == "session=\(id)")
        #expect(Set(parts.dropFirst()) == ["Max-Age=60", "Path=/", "HttpOnly", "SameSite=Lax"])
    }

    @Test func maxAgeNeverExceedsTheAbsoluteLifetime() {
        let policy = SessionPolicy(absoluteLifetime: 7200)
        let cookie = SessionCookie(secure: true, policy: policy)
        #expect(cookie.setCookie(id: id, maxAge: 1_000_000).contains("Max-Age=7200;"))
        #expect(cookie.setCookie(id: id, maxAge: -5).contains("Max-Age=0;"))

        // For a session, the cookie lives exactly as long as the session can.
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        let session = Session(id: id, createdAt: created, lastSeen: created)
        #expect(cookie.setCookie(for: session, now: created).contains("Max-Age=7200;"))
        #expect(cookie.setCookie(for: session, now: created.addingTimeInterval(7000.5)).contains("Max-Age=199;"))
        #expect(cookie.setCookie(for: session, now: created.addingTimeInterval(9000)).contains("Max-Age=0;"))
    }

    @Test(arguments: [true, false])
    func signOutCookieExpiresImmediately(secure: Bool) {
        let cookie = SessionCookie(secure: secure)
        let parts = attributes(cookie.expiredCookie())
        #expect(parts[0] == "\(cookie.name)=")
        #expect(parts.contains("Max-Age=0"))
        #expect(parts.contains("Path=/"))
        #expect(parts.contains("HttpOnly"))
        #expect(parts.contains("SameSite=Lax"))
        #expect(parts.contains("Secure") == secure)
    }

    @Test func parsesTheIdFromACookieHeader() {
        let cookie = SessionCookie(secure: true)
        #expect(cookie.sessionID(fromCookieHeader: "__Host-session=\(id)") == id)
        #expect(cookie.sessionID(fromCookieHeader: "theme=dark; __Host-session=\(id); lang=en") == id)
        #expect(cookie.sessionID(fromCookieHeader: "theme=dark;__Host-session=\"\(id)\"") == id)
        // The plain name is not accepted where the prefixed one is expected.
        #expect(cookie.sessionID(fromCookieHeader: "session=\(id)") == nil)
        #expect(SessionCookie(secure: false).sessionID(fromCookieHeader: "session=\(id)") == id)
        // A malformed first cookie does not hide a good second one.
        #expect(cookie.sessionID(fromCookieHeader: "__Host-session=junk; __Host-session=\(id)") == id)
    }

    @Test(arguments: [
        "", "__Host-session", "__Host-session=", "__Host-session=../x", "__Host-session=%2e%2e",
        "__Host-session=abc\0def", "__Host-session=" + String(repeating: "A", count: 100_000),
        "x__Host-session=" + String(repeating: "A", count: 43),
    ])
    func ignoresMalformedCookieValues(_ header: String) {
        #expect(SessionCookie(secure: true).sessionID(fromCookieHeader: header) == nil)
    }

    @Test func validatesABareCookieValue() {
        #expect(SessionCookie.sessionID(fromCookieValue: id) == id)
        #expect(SessionCookie.sessionID(fromCookieValue: id + "A") == nil)
        #expect(SessionCookie.sessionID(fromCookieValue: "../x") == nil)
    }
}
