import CryptoSupport
import Encodings
import Foundation
import Glibc
@testable import SessionStore
import Testing

/// Creating, loading, updating and deleting sessions, and what ends up on disk.
@Suite struct RoundTripTests {
    @Test func everythingSurvivesTheDisk() throws {
        let f = try Fixture()
        defer { f.remove() }
        let claims: [String: JSONValue] = [
            "sub": .string("AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ"),
            "name": .string("Zoë Ñandú 日本"),
            "exp": .integer(1_700_000_000),
            "email_verified": .bool(true),
            "roles": .array([.string("Admin"), .string("Reader")]),
            "nested": .object(["a": .null, "b": .number(1.5)]),
        ]
        let created = try f.store.create { session in
            session.claims = claims
            session.tokenCache = #"{"AccessToken":{}}"#
            session.attributes["returnTo"] = "/profile"
        }
        #expect(SessionHandle(cookieValue: created.handle.cookieValue) == created.handle)
        #expect(created.version == 1)
        #expect(created.createdAt == f.clock.now)
        #expect(created.isSignedIn)

        // A fresh instance reads it from disk, not from memory.
        let loaded = try #require(try f.secondStore().load(created.handle))
        #expect(loaded == created)
        #expect(loaded.claims["roles"]?.stringArrayValue == ["Admin", "Reader"])
        #expect(loaded.claims["exp"]?.numberValue == 1_700_000_000)
    }

    @Test func filesArePrivateAndNamedByHash() throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create { $0.attributes["k"] = "v" }

        var info = stat()
        #expect(lstat(f.directory, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
        let file = try #require(f.status(session.handle))
        #expect(file.st_mode & 0o777 == 0o600)
        #expect(f.entries() == [f.fileName(session.handle)])

        // Neither the name nor the content reveals the id or the secret, nor the attribute.
        let content = f.directoryBytes()
        let parts = session.handle.cookieValue.split(separator: ".").map(String.init)
        #expect(parts.count == 2)
        for secret in parts + ["\"k\"", "\"v\""] {
            #expect(!contains(content, secret))
            #expect(!f.entries().joined().contains(secret))
        }
    }

    @Test func unknownIdIsNoSessionAndCreatesNothing() throws {
        let f = try Fixture()
        defer { f.remove() }
        let id = unknownHandle()
        #expect(try f.store.load(id) == nil)
        #expect(try f.store.update(id) { $0.attributes["x"] = "y" } == nil)
        #expect(try f.store.rotate(id) { _, _ in } == nil)
        try f.store.delete(id)
        #expect(f.entries().isEmpty, "no lock file for a forged id")
    }

    @Test func updateWritesOnlyWhenSomethingChanged() throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create { $0.attributes["n"] = "1" }
        let before = try #require(f.status(session.handle))

        f.clock.advance(10)
        let same = try f.store.update(session.handle) { $0.attributes["n"] = "1" }
        #expect(same == session)
        let unchanged = try #require(f.status(session.handle))
        #expect(unchanged.st_ino == before.st_ino, "no write for an update that changed nothing")

        let changed = try #require(try f.store.update(session.handle) { $0.attributes["n"] = "2" })
        #expect(changed.attributes["n"] == "2")
        #expect(changed.version == session.version + 1, "every write counts")
        #expect(changed.lastSeen == f.clock.now, "a write records activity")
        #expect(try #require(f.status(session.handle)).st_ino != before.st_ino)
        #expect(try f.store.load(session.handle) == changed)
    }

    @Test func anErrorInTheUpdateBodyWritesNothing() throws {
        struct Stop: Error {}
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create { $0.attributes["n"] = "1" }
        #expect(throws: Stop.self) {
            try f.store.update(session.handle) { s in
                s.attributes["n"] = "2"
                throw Stop()
            }
        }
        #expect(try f.store.load(session.handle)?.attributes["n"] == "1")
    }

    @Test func deleteRemovesTheFileAndItsLock() throws {
        let f = try Fixture()
        defer { f.remove() }
        let session = try f.store.create()
        _ = try f.store.update(session.handle) { $0.attributes["a"] = "b" }
        #expect(f.exists(f.fileName(session.handle) + ".lock"))
        try f.store.delete(session.handle)
        #expect(try f.store.load(session.handle) == nil)
        #expect(f.entries().isEmpty)
        try f.store.delete(session.handle) // twice is fine
    }

    @Test func rotateIssuesANewIdCarryingOnlyWhatIsAskedFor() throws {
        let f = try Fixture()
        defer { f.remove() }
        let old = try f.store.create { s in
            s.attributes["returnTo"] = "/after"
            s.attributes["attacker"] = "planted"
        }
        f.clock.advance(30)
        let new = try #require(try f.store.rotate(old.handle) { old, new in
            new.attributes["returnTo"] = old.attributes["returnTo"]
            new.claims = ["sub": .string("user")]
        })
        #expect(new.handle != old.handle)
        #expect(new.attributes == ["returnTo": "/after"])
        #expect(new.tokenCache == nil && new.claims == ["sub": .string("user")])
        #expect(new.createdAt == f.clock.now, "a new session starts a new absolute lifetime")
        #expect(try f.store.load(old.handle) == nil)
        #expect(try f.store.load(new.handle) == new)
        #expect(f.entries() == [f.fileName(new.handle)], "old file and its lock file are gone")
    }
}
