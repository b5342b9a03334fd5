import CryptoSupport
import Foundation
@testable import SessionStore
import Testing

/// The Set-Cookie values for http and https, and reading the handle back from a Cookie header.
@Suite struct SessionCookieTests {
    let handle = SessionHandle.generate(using: OpenSSLRandom())
    var id: String { handle.cookieValue }

    private func attributes(_ header: String) -> [String] {
        header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test func httpsCookieIsHostPrefixedAndSecure() {
        let cookie = SessionCookie(secure: true)
        let header = cookie.setCookie(handle: handle, maxAge: 3600)
        let parts = attributes(header)
        #expect(parts[0] == "__Host-session=\(id)")
        #expect(Set(parts.dropFirst()) == ["Max-Age=3600", "Path=/", "HttpOnly", "SameSite=Lax", "Secure"])
        #expect(!header.lowercased().contains("domain"))
    }

    @Test func httpCookieIsPlainAndNotSecure() {
        let cookie = SessionCookie(secure: false)
        let parts = attributes(cookie.setCookie(handle: handle, maxAge: 60))
        #expect(parts[0] == "session=\(id)")
        #expect(Set(parts.dropFirst()) == ["Max-Age=60", "Path=/", "HttpOnly", "SameSite=Lax"])
    }

    @Test func maxAgeNeverExceedsTheAbsoluteLifetime() {
        let policy = SessionPolicy(absoluteLifetime: 7200)
        let cookie = SessionCookie(secure: true, policy: policy)
        #expect(cookie.setCookie(handle: handle, maxAge: 1_000_000).contains("Max-Age=7200;"))
        #expect(cookie.setCookie(handle: handle, maxAge: -5).contains("Max-Age=0;"))

        // For a session, the cookie lives exactly as long as the session can.
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        let session = Session(handle: handle, createdAt: created, lastSeen: created)
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

    @Test func parsesTheHandleFromACookieHeader() {
        let cookie = SessionCookie(secure: true)
        #expect(id.utf8.count == 87)
        #expect(cookie.sessionHandle(fromCookieHeader: "__Host-session=\(id)") == handle)
        #expect(cookie.sessionHandle(fromCookieHeader: "theme=dark; __Host-session=\(id); lang=en") == handle)
        #expect(cookie.sessionHandle(fromCookieHeader: "theme=dark;__Host-session=\"\(id)\"") == handle)
        // The plain name is not accepted where the prefixed one is expected.
        #expect(cookie.sessionHandle(fromCookieHeader: "session=\(id)") == nil)
        #expect(SessionCookie(secure: false).sessionHandle(fromCookieHeader: "session=\(id)") == handle)
        // A malformed first cookie does not hide a good second one.
        #expect(cookie.sessionHandle(fromCookieHeader: "__Host-session=junk; __Host-session=\(id)") == handle)
    }

    @Test(arguments: [
        "", "__Host-session", "__Host-session=", "__Host-session=../x", "__Host-session=%2e%2e",
        "__Host-session=abc\0def", "__Host-session=" + String(repeating: "A", count: 100_000),
        "x__Host-session=" + String(repeating: "A", count: 87),
        // The single 43-character id of earlier versions: those users sign in again.
        "__Host-session=" + OpenSSLRandom().token(byteCount: 32),
    ])
    func ignoresMalformedCookieValues(_ header: String) {
        #expect(SessionCookie(secure: true).sessionHandle(fromCookieHeader: header) == nil)
    }

    @Test func validatesABareCookieValue() {
        #expect(SessionCookie.sessionHandle(fromCookieValue: id) == handle)
        #expect(SessionCookie.sessionHandle(fromCookieValue: id + "A") == nil)
        #expect(SessionCookie.sessionHandle(fromCookieValue: "../x") == nil)
    }
}
