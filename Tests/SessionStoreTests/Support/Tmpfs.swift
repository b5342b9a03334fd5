import Foundation
import Glibc

/// Small tmpfs mounts for the tests that need a really full or really read-only file system.
/// Only root (CAP_SYS_ADMIN) can mount; elsewhere those tests are skipped.
struct Tmpfs {
    let root: String
    var mountPoint: String { root + "/mnt" }

    /// True when this process may mount file systems (tried once).
    static let available: Bool = {
        guard let probe = try? Tmpfs(size: "64k") else { return false }
        probe.unmount()
        return true
    }()

    /// Mounts a tmpfs of `size` (e.g. "512k") under a fresh temporary directory.
    init(size: String) throws {
        root = try Fixture.makeTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: root + "/mnt", withIntermediateDirectories: false)
        guard Glibc.mount("tmpfs", root + "/mnt", "tmpfs", 0, "size=\(size),mode=0700") == 0 else {
            let code = errno
            try? FileManager.default.removeItem(atPath: root)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EPERM)
        }
    }

    /// Remounts read-only or read-write, as an operator (or a failing disk) would.
    func remount(readOnly: Bool) throws {
        let flags = UInt(MS_REMOUNT) | (readOnly ? UInt(MS_RDONLY) : 0)
        guard Glibc.mount("tmpfs", mountPoint, "tmpfs", flags, nil) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM)
        }
    }

    func unmount() {
        umount2(mountPoint, Int32(MNT_DETACH))
        try? FileManager.default.removeItem(atPath: root)
    }
}
