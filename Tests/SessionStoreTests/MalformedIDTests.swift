import Foundation
@testable import SessionStore
import Testing

/// Cookie values that are not ids never reach the file system.
@Suite struct MalformedIDTests {
    static let hostile = [
        "../x", "%2e%2e", "..", "/", "/etc/passwd", "x\0y", "\0",
        String(repeating: "A", count: 42) + "\0",
        "../" + String(repeating: "A", count: 40),
        String(repeating: "a", count: 64), // looks like a file name, is not an id
        String(repeating: "A", count: 10_000),
    ]

    @Test(arguments: hostile)
    func touchesNoDisk(_ value: String) throws {
        let f = try Fixture()
        defer { f.remove() }
        let live = try f.store.create()
        let before = f.entries()
        f.fileSystem.resetCalls()

        #expect(try f.store.load(value) == nil)
        #expect(try f.store.update(value) { $0.attributes["x"] = "y" } == nil)
        #expect(try f.store.rotate(value) { _, _ in } == nil)
        try f.store.delete(value)

        #expect(f.fileSystem.calls.isEmpty, "not a single file-system call")
        #expect(f.entries() == before)
        #expect(try f.store.load(live.id) != nil)
    }
}
