import CryptoSupport
import Foundation
@testable import SessionStore
import Testing

/// Sessions written by versions before sealing (plain JSON, a cookie of one id): the user is
/// simply signed out, nothing crashes, and the file, tokens in clear, is swept at once.
@Suite struct LegacyFormatTests {
    /// A session file exactly as earlier versions wrote it, for the cookie value `id`.
    static func writeLegacySession(_ f: Fixture, id: String, now: Date) throws -> String {
        let ms = Int64(now.timeIntervalSince1970 * 1000)
        let json = #"{"v":1,"createdAt":\#(ms),"lastSeen":\#(ms),"claims":{"sub":"legacy-sub","name":"Legacy Name"},"#
            + #""idToken":"eyJ.legacy-id-token.sig","tokenCache":"{\"RefreshToken\":{}}","pendingFlows":{},"attributes":{}}"#
        let name = Digest.hex(Digest.sha256(id))
        try Data(json.utf8).write(to: URL(fileURLWithPath: f.directory + "/" + name))
        return name
    }

    @Test func anOldCookieIsNoSessionAndItsFileIsSwept() throws {
        let f = try Fixture()
        defer { f.remove() }
        let oldID = OpenSSLRandom().token(byteCount: 32)
        let name = try Self.writeLegacySession(f, id: oldID, now: f.clock.now)
        let live = try f.store.create()

        // The cookie of earlier versions is not a handle at all.
        #expect(SessionCookie(secure: false).sessionHandle(fromCookieHeader: "session=" + oldID) == nil)
        // A handle that happens to name the old file (its id) finds no session either.
        let probing = try #require(SessionHandle(cookieValue: oldID + "." + OpenSSLRandom().token(byteCount: 32)))
        #expect(probing.storageKey == name)
        #expect(try f.store.load(probing) == nil)
        #expect(try f.store.update(probing) { $0.attributes["x"] = "y" } == nil)
        f.settle()
        #expect(f.exists(name), "not moved aside as corrupt: it is just old")
        #expect(f.log.count(containing: "corrupt") == 0)

        let report = try f.store.sweepExpired()
        #expect(report.legacyRemoved == 1)
        #expect(!f.exists(name))
        #expect(try f.store.load(live.handle) != nil, "sealed sessions stay")
    }
}
