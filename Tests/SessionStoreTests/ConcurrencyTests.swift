// Concurrent read-modify-write of one session loses nothing: from many threads, from two
// store instances, and from a second process.
import Foundation
@testable import SessionStore
import Synchronization
import Testing
import TestSupport

/// Adds `key` and increments the counter, in one locked read-modify-write.
func increment(_ store: any SessionStore, _ id: SessionHandle, key: String) throws {
    let updated = try store.update(id) { session in
        session.attributes[key] = "1"
        session.attributes["counter"] = String(Int(session.attributes["counter"] ?? "0")! + 1)
    }
    if updated == nil { throw SessionStoreError.unavailable(reason: "session vanished") }
}

@Suite struct ConcurrencyTests {
    @Test func fiftyThreadsLoseNoUpdate() throws {
        let f = try Fixture()
        defer { f.remove() }
        let id = try f.store.create().handle
        let store = f.store
        let errors = onThreads(50) { index in
            for round in 0..<2 { try increment(store, id, key: "t\(index)-\(round)") }
        }
        #expect(errors.isEmpty)
        let session = try #require(try f.store.load(id))
        #expect(session.attributes["counter"] == "100")
        #expect(session.attributes.count == 101)
        #expect(f.entries().filter { $0.contains(".tmp-") }.isEmpty)
    }

    @Test func differentSessionsDoNotWaitForEachOther() throws {
        let f = try Fixture()
        defer { f.remove() }
        let busy = try f.store.create()
        let other = try f.store.create()
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let store = f.store
        let thread = Thread {
            _ = try? store.update(busy.handle) { s in
                s.attributes["x"] = "1"
                entered.signal()
                release.wait() // hold busy's lock
            }
            done.signal()
        }
        thread.start()
        entered.wait()
        // Would deadlock (and the test hang) if other sessions shared the lock.
        #expect(try f.store.update(other.handle) { $0.attributes["y"] = "2" }?.attributes["y"] == "2")
        #expect(try f.store.load(busy.handle) != nil, "reads never wait for the lock")
        release.signal()
        done.wait()
        #expect(try f.store.load(busy.handle)?.attributes["x"] == "1")
    }

    @Test func twoStoreInstancesOnOneDirectoryLoseNoUpdate() throws {
        let f = try Fixture()
        defer { f.remove() }
        let stores: [FileSessionStore] = [f.store, try f.secondStore()]
        let id = try f.store.create().handle
        let errors = onThreads(40) { index in
            for round in 0..<3 { try increment(stores[index % 2], id, key: "s\(index)-\(round)") }
        }
        #expect(errors.isEmpty)
        #expect(try f.store.load(id)?.attributes["counter"] == "120")
    }

    @Test(.enabled(if: BenchExecutable.path != nil, "session-bench is not built next to the tests"))
    func aSecondProcessLosesNoUpdate() throws {
        let f = try Fixture()
        defer { f.remove() }
        let id = try f.store.create().handle
        let perSide = 150

        let process = Process()
        process.executableURL = URL(fileURLWithPath: BenchExecutable.path!)
        process.arguments = ["hammer", f.directory, "--count", "\(perSide)", "--key-prefix", "child"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // The handle goes through a pipe, not the command line, where `ps` would show it.
        input.fileHandleForWriting.write(Data((id.cookieValue + "\n").utf8))
        try input.fileHandleForWriting.close()

        let store = f.store
        let errors = onThreads(4) { index in
            for round in 0..<(perSide / 4) { try increment(store, id, key: "parent\(index)-\(round)") }
        }
        process.waitUntilExit()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(errors.isEmpty)
        #expect(process.terminationStatus == 0, "child said: \(report)")
        let session = try #require(try f.store.load(id))
        let parentWrites = (perSide / 4) * 4
        #expect(session.attributes["counter"] == String(perSide + parentWrites))
        #expect(session.attributes.keys.filter { $0.hasPrefix("child") }.count == perSide)
    }
}

/// Where `swift build` put the session-bench executable (next to the test bundle).
enum BenchExecutable {
    static let path: String? = {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // On Linux the test binary sits directly in the build directory; on macOS it is
        // inside an .xctest bundle.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("session-bench").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()
}
