import CryptoSupport
import Foundation
import RedisSessionStore
import SessionStore
import Testing

/// Reads reuse the session decoded last time only while Redis holds exactly the bytes it was
/// decoded from, and only for the same secret.
@Suite struct DecodedCacheTests {
    @Test func anotherInstancesWriteIsSeenAtOnce() throws {
        let fixture = try StoreFixture()
        let reader = try fixture.store()
        let writer = try fixture.store()
        let session = try reader.create { $0.attributes["v"] = "1" }
        #expect(try reader.load(session.handle)?.attributes["v"] == "1") // decoded and cached
        for value in ["2", "3"] {
            _ = try writer.update(session.handle) { $0.attributes["v"] = value }
            #expect(try reader.load(session.handle)?.attributes["v"] == value)
        }
        try writer.delete(session.handle)
        #expect(try reader.load(session.handle) == nil)
    }

    @Test func aWrongSecretForACachedSessionGetsNothing() throws {
        let fixture = try StoreFixture()
        let store = try fixture.store()
        let session = try store.create { $0.attributes["v"] = "1" }
        #expect(try store.load(session.handle) != nil) // cached now
        let forged = try #require(SessionHandle(cookieValue: session.handle.cookieValue.prefix(43) + "." + OpenSSLRandom().token(byteCount: 32)))
        #expect(try store.load(forged) == nil)
        #expect(try store.update(forged) { $0.attributes["v"] = "forged" } == nil)
        try store.delete(forged)
        #expect(try store.load(session.handle)?.attributes["v"] == "1")
    }
}
