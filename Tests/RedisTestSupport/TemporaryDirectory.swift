import Foundation

/// Per-server directories under one parent, named after the test process; directories
/// left by test processes that no longer exist (killed before they could clean up) are
/// removed whenever a new one is made.
enum TemporaryDirectory {
    /// Where all of them go.
    static let parent = FileManager.default.temporaryDirectory.appendingPathComponent("entra-web-redis").path

    /// A new, empty directory.
    static func make() throws -> String {
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        removeAbandoned()
        let path = parent + "/\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    /// Removes the directories of test processes that are gone.
    private static func removeAbandoned() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] {
            guard let pid = Int32(name.prefix { $0 != "-" }), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: parent + "/" + name)
            }
        }
    }
}
