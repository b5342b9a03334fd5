import CryptoSupport
import Foundation
import TestSupport
import Glibc
@testable import SessionStore

/// A session store in a fresh temporary directory, with a hand-moved clock, a captured log
/// and a fault-injecting file system. Tests call `remove()` in a `defer`.
final class Fixture: Sendable {
    /// The temporary directory (removed by `remove()`).
    let root: String
    /// The session directory inside it (created by the store).
    let directory: String
    let clock: TestClock
    let log = LogCapture()
    let fileSystem = FaultyFileSystem()
    let policy: SessionPolicy
    let store: FileSessionStore

    init(policy: SessionPolicy = SessionPolicy(), root: String? = nil, backgroundCapacity: Int = 1024) throws {
        let root = try root ?? Self.makeTemporaryDirectory()
        self.root = root
        self.directory = root + "/sessions"
        self.policy = policy
        self.clock = TestClock()
        self.store = try FileSessionStore(
            directory: directory, policy: policy, random: OpenSSLRandom(), clock: clock.clock,
            logger: log.logger, fileSystem: fileSystem, backgroundCapacity: backgroundCapacity
        )
    }

    /// Another instance on the same directory and the same fault-injecting file system, with
    /// nothing decoded yet (a restarted process).
    func restartedStore() throws -> FileSessionStore {
        try FileSessionStore(directory: directory, policy: policy, random: OpenSSLRandom(), clock: clock.clock,
                             logger: log.logger, fileSystem: fileSystem)
    }

    /// Waits for the touches and quarantines reads handed to the store's background worker.
    func settle() {
        store.finishBackgroundWrites()
    }

    /// Another store on the same directory, as a second process would open it.
    func secondStore() throws -> FileSessionStore {
        try FileSessionStore(directory: directory, policy: policy, clock: clock.clock, logger: log.logger)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The names in the session directory, sorted.
    func entries() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// The session file's name: the hex SHA-256 of the handle's id part.
    func fileName(_ handle: SessionHandle) -> String {
        Digest.hex(Digest.sha256(String(handle.cookieValue.prefix(43))))
    }

    func path(_ handle: SessionHandle) -> String {
        directory + "/" + fileName(handle)
    }

    /// `stat` of the session file of `handle`, nil when missing.
    func status(_ handle: SessionHandle) -> stat? {
        var info = stat()
        return lstat(path(handle), &info) == 0 ? info : nil
    }

    /// Every byte of every file in the session directory, concatenated.
    func directoryBytes() -> [UInt8] {
        entries().flatMap { (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0)))) ?? [] }
    }

    func exists(_ name: String) -> Bool {
        access(directory + "/" + name, F_OK) == 0
    }

    static func makeTemporaryDirectory() throws -> String {
        let base = FileManager.default.temporaryDirectory.path
        var template = Array("\(base)/session-tests-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        return String(cString: made)
    }
}

/// A well-formed handle that no store issued.
func unknownHandle() -> SessionHandle {
    SessionHandle.generate(using: OpenSSLRandom())
}

/// True when `needle` occurs in `haystack`.
func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
    let pattern = Array(needle.utf8)
    guard !pattern.isEmpty, haystack.count >= pattern.count else { return false }
    return (0...(haystack.count - pattern.count)).contains { start in haystack[start..<start + pattern.count].elementsEqual(pattern) }
}
