import Foundation
@testable import SessionStore
import Testing

/// Cookie values that are not handles never reach the file system, and handles the store
/// never issued make it create nothing.
@Suite struct MalformedIDTests {
    static let hostile = [
        "../x", "%2e%2e", "..", "/", "/etc/passwd", "x\0y", "\0",
        String(repeating: "A", count: 86) + "\0",
        "../" + String(repeating: "A", count: 84),
        String(repeating: "a", count: 64), // looks like a file name, is not a handle
        String(repeating: "A", count: 43) + "." + String(repeating: "A", count: 43) + "/..",
        String(repeating: "A", count: 10_000),
    ]

    @Test(arguments: hostile)
    func neverBecomesAHandle(_ value: String) {
        #expect(SessionHandle(cookieValue: value) == nil)
        #expect(SessionCookie(secure: false).sessionHandle(fromCookieHeader: "session=" + value) == nil)
    }

    @Test func anUnknownHandleOnlyLooksAndCreatesNothing() throws {
        let f = try Fixture()
        defer { f.remove() }
        let live = try f.store.create()
        let before = f.entries()
        f.fileSystem.resetCalls()

        let stranger = unknownHandle()
        #expect(try f.store.load(stranger) == nil)
        #expect(try f.store.update(stranger) { $0.attributes["x"] = "y" } == nil)
        #expect(try f.store.rotate(stranger) { _, _ in } == nil)
        try f.store.delete(stranger)
        f.settle()

        #expect(Set(f.fileSystem.calls) == [.stat], "lookups only")
        #expect(f.entries() == before)
        #expect(try f.store.load(live.handle) != nil)
    }
}
