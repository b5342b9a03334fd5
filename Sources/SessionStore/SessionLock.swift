// The per-session lock that serializes read-modify-write of one session across threads and
// processes: `flock` on a separate `<name>.lock` file next to the session file.
//
// Why a separate file: session files are replaced by `rename`, and a lock on the old inode
// does not cover the new one, so locking the session file itself would let two writers in.
// The lock file is never replaced, only removed, and removal follows a protocol that keeps
// it safe: a file is unlinked only by a holder of its lock, and every acquirer checks after
// `flock` returns that the path still names the inode it locked, retrying otherwise.
// `flock` locks belong to the open file description, so two threads of one process that
// each open the file exclude each other just as two processes do.
import Glibc

/// Callers release with `defer { lock.release() }` right after acquiring.
struct SessionLock {
    /// The locked file's descriptor (a claim keeps its expiry in the file).
    let fd: Int32
    private let path: String
    private let fileSystem: any FileSystem

    private init(fd: Int32, path: String, fileSystem: any FileSystem) {
        self.fd = fd
        self.path = path
        self.fileSystem = fileSystem
    }

    /// Takes the lock at `path`, creating the file when needed. Blocks while another holder
    /// has it, unless `wait` is false, in which case a held lock returns nil.
    static func acquire(_ path: String, fileSystem: any FileSystem, wait: Bool = true) throws(FileSystemError) -> SessionLock? {
        while true {
            let fd = try fileSystem.open(path, flags: O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode: 0o600)
            do {
                try fileSystem.flock(fd, operation: wait ? LOCK_EX : LOCK_EX | LOCK_NB)
            } catch {
                try? fileSystem.close(fd)
                if !wait && (error.code == EWOULDBLOCK || error.code == EAGAIN) { return nil }
                throw error
            }
            // The previous holder may have unlinked the file while we waited; our lock would
            // then be on an inode nobody else can find.
            let locked: FileStatus
            do {
                locked = try fileSystem.status(of: fd)
            } catch {
                try? fileSystem.close(fd)
                throw error
            }
            if let current = try? fileSystem.status(atPath: path),
               current.device == locked.device, current.inode == locked.inode {
                return SessionLock(fd: fd, path: path, fileSystem: fileSystem)
            }
            try? fileSystem.close(fd)
        }
    }

    /// Unlinks the lock file (the session is gone). Only a holder may do this; waiters notice
    /// the stale inode and retry on a new file.
    func removeFile() {
        try? fileSystem.unlink(path)
    }

    /// Releases the lock (closing the descriptor drops the `flock`).
    func release() {
        try? fileSystem.close(fd)
    }
}
