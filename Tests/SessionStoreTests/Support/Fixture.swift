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

    init(policy: SessionPolicy = SessionPolicy(), root: String? = nil) throws {
        let root = try root ?? Self.makeTemporaryDirectory()
        self.root = root
        self.directory = root + "/sessions"
        self.policy = policy
        self.clock = TestClock()
        self.store = try FileSessionStore(
            directory: directory, policy: policy, random: OpenSSLRandom(), clock: clock.clock,
            logger: log.logger, fileSystem: fileSystem
        )
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

    func fileName(_ id: String) -> String {
        Digest.hex(Digest.sha256(id))
    }

    func path(_ id: String) -> String {
        directory + "/" + fileName(id)
    }

    /// `stat` of the session file of `id`, nil when missing.
    func status(_ id: String) -> stat? {
        var info = stat()
        return lstat(path(id), &info) == 0 ? info : nil
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

/// A well-formed id that no store issued.
func unknownID() -> String {
    OpenSSLRandom().token(byteCount: 32)
}
