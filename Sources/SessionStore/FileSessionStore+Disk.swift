// The file store's disk operations: reading and opening a session file, the atomic write,
// moving a corrupt file aside, and turning system-call failures into `SessionStoreError`.
import CryptoSupport
import FoundationEssentials
import Glibc
import Logging
import Synchronization

/// Numbers temporary files, so concurrent writers in one process never pick the same name
/// (the process id separates processes).
private let temporaryCounter = Atomic<UInt64>(0)

extension FileSessionStore {
    /// What is on disk under a session file name, as seen with one handle.
    enum StoredSession {
        case missing
        /// Sealed by another secret, or altered: no session for this handle, and nothing to
        /// repair (the file may well be someone else's live session).
        case unauthenticated
        /// A session of the unsealed format of earlier versions; only the sweep touches it.
        case legacy
        case corrupt(reason: String)
        case found(Session)
    }

    /// Reads and opens one session file without taking its lock. A `stat` comes first: when
    /// the file is exactly the one this process decoded last time with the same key, that
    /// session is returned without opening the file. Only a missing directory or an I/O
    /// failure throws.
    func readSession(_ name: String, keys: HandleKeys) throws(SessionStoreError) -> StoredSession {
        let status: FileStatus
        do throws(FileSystemError) {
            status = try fileSystem.status(atPath: path(name))
        } catch where error.code == ENOENT {
            try checkDirectory()
            return .missing
        } catch {
            throw unavailable(error, "looking up a session", name: name)
        }
        if let cached = decodedSessions.session(named: name, status: status, fingerprint: keys.fingerprint) { return .found(cached) }
        switch try readBytes(name) {
        case .missing: return .missing
        case .corrupt(let reason): return .corrupt(reason: reason)
        case .bytes(let bytes, let status):
            switch SessionRecord.open(bytes, handle: keys.handle, key: keys.sealing) {
            case .session(let session):
                decodedSessions.remember(session, status: status, fingerprint: keys.fingerprint, named: name)
                return .found(session)
            case .unauthenticated: return .unauthenticated
            case .legacy: return .legacy
            case .corrupt(let reason): return .corrupt(reason: reason)
            }
        }
    }

    /// What a session file is, from its bytes alone (no key): for the sweep and the
    /// background worker, which hold no handle.
    func readRecordKind(_ name: String) throws(SessionStoreError) -> SessionRecord.Kind? {
        switch try readBytes(name) {
        case .missing: return nil
        case .corrupt(let reason): return .corrupt(reason: reason)
        case .bytes(let bytes, _): return SessionRecord.kind(of: bytes)
        }
    }

    /// What is on disk under a name, as bytes.
    enum StoredBytes {
        case missing
        case corrupt(reason: String)
        /// The content and the `fstat` of the file it was read from.
        case bytes([UInt8], FileStatus)
    }

    /// Reads one file of the directory, refusing links, non-regular files and oversized ones.
    func readBytes(_ name: String) throws(SessionStoreError) -> StoredBytes {
        let fd: Int32
        do throws(FileSystemError) {
            // O_NOFOLLOW: a symbolic link planted in the directory is never followed.
            fd = try fileSystem.open(path(name), flags: O_RDONLY | O_CLOEXEC | O_NOFOLLOW, mode: 0)
        } catch where error.code == ENOENT {
            try checkDirectory()
            return .missing
        } catch where error.code == ELOOP {
            return .corrupt(reason: "a symbolic link")
        } catch {
            throw unavailable(error, "reading a session", name: name)
        }
        defer { try? fileSystem.close(fd) }
        do throws(FileSystemError) {
            let status = try fileSystem.status(of: fd)
            guard status.isRegularFile else { return .corrupt(reason: "not a regular file") }
            guard let bytes = try fileSystem.readAll(fd, sizeHint: status.size, limit: policy.maxFileSize) else {
                return .corrupt(reason: "larger than \(policy.maxFileSize) bytes")
            }
            return .bytes(bytes, status)
        } catch {
            throw unavailable(error, "reading a session", name: name)
        }
    }

    /// True when the session file exists; a cheap `lstat` that lets forged ids stop early.
    func sessionFileExists(_ name: String) throws(SessionStoreError) -> Bool {
        do {
            _ = try fileSystem.status(atPath: path(name))
            return true
        } catch where error.code == ENOENT {
            try checkDirectory()
            return false
        } catch {
            throw unavailable(error, "looking up a session", name: name)
        }
    }

    /// Replaces the session file with `bytes` so that a crash at any point leaves either the
    /// old or the new file: write a temporary file in the same directory, fsync it, rename it
    /// over the old one, fsync the directory. On failure the temporary file is removed and
    /// the old file is untouched. Returns the new file's status as a later `lstat` of its path
    /// will see it (a rename updates the change time), or nil when that could not be told.
    @discardableResult
    func writeAtomically(_ name: String, _ bytes: [UInt8]) throws(SessionStoreError) -> FileStatus? {
        let number = temporaryCounter.wrappingAdd(1, ordering: .relaxed).oldValue
        let temporary = path("\(name)\(SessionFileName.temporaryMarker)\(getpid())-\(number)")
        let fd: Int32
        do {
            fd = try fileSystem.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode: 0o600)
        } catch where error.code == ENOENT {
            try checkDirectory()
            throw unavailable(error, "writing a session", name: name)
        } catch {
            throw unavailable(error, "writing a session", name: name)
        }
        let written: FileStatus
        do throws(FileSystemError) {
            do throws(FileSystemError) {
                // The umask can only narrow 0600, but make the mode exact anyway.
                try fileSystem.fchmod(fd, mode: 0o600)
                try fileSystem.writeAll(fd, bytes)
                try fileSystem.fsync(fd)
                written = try fileSystem.status(of: fd)
            } catch {
                try? fileSystem.close(fd)
                throw error
            }
            // close can report a delayed write error on some file systems.
            try fileSystem.close(fd)
            try fileSystem.rename(temporary, to: path(name))
        } catch {
            try? fileSystem.unlink(temporary)
            throw unavailable(error, "writing a session", name: name)
        }
        // Only our own inode's status may describe what we wrote: another process may have
        // renamed its file over ours in the meantime.
        let placed = try? fileSystem.status(atPath: path(name))
        do {
            try syncDirectory()
        } catch {
            throw unavailable(error, "syncing the session directory", name: name)
        }
        guard let placed, placed.device == written.device, placed.inode == written.inode else { return nil }
        return placed
    }

    /// Makes renames and unlinks in the directory durable.
    func syncDirectory() throws(FileSystemError) {
        let fd = try fileSystem.open(directory, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC, mode: 0)
        defer { try? fileSystem.close(fd) }
        try fileSystem.fsync(fd)
    }

    /// Renames an undecodable session file to `<name>.corrupt` (for a human to look at; the
    /// sweep deletes it later) and logs it. Must be called with the session's lock held, after
    /// re-reading, so that exactly one caller moves and logs each corrupt file.
    func moveAside(_ name: String, reason: String, lock: SessionLock) {
        let file = SessionFileName.logPrefix(name)
        decodedSessions.forget(name)
        do {
            try fileSystem.rename(path(name), to: path(name + SessionFileName.corruptSuffix))
            logger.error("corrupt session file moved aside; the user will have to sign in again", metadata: [
                "file": "\(file)", "reason": "\(reason)",
            ])
            lock.removeFile()
        } catch {
            logger.error("corrupt session file could not be moved aside", metadata: [
                "file": "\(file)", "reason": "\(reason)", "error": "\(error)",
            ])
        }
    }

    /// Throws `unavailable` when the session directory is gone; called after ENOENT to tell a
    /// missing session from a missing directory.
    func checkDirectory() throws(SessionStoreError) {
        do throws(FileSystemError) {
            let status = try fileSystem.status(atPath: directory)
            if !status.isDirectory { throw FileSystemError(operation: "lstat", code: ENOTDIR) }
        } catch {
            throw unavailable(error, "the session directory \(directory) is missing", name: nil)
        }
    }

    /// Creates the session directory if needed, warns about loose permissions, and returns
    /// its real path (symbolic links resolved).
    static func prepareDirectory(_ directory: String, fileSystem: any FileSystem, logger: Logger) throws(SessionStoreError) -> String {
        func failure(_ context: String, _ error: any Error) -> SessionStoreError {
            let reason = "\(context) \(directory): \(error)"
            logger.error("session storage unavailable", metadata: ["reason": "\(reason)"])
            return .unavailable(reason: reason)
        }
        do throws(FileSystemError) {
            _ = try fileSystem.realPath(directory)
        } catch where error.code == ENOENT {
            let parent = URL(filePath: directory).deletingLastPathComponent().path(percentEncoded: false)
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw failure("creating the parent of the session directory", error)
            }
            do throws(FileSystemError) {
                try fileSystem.mkdir(directory, mode: 0o700)
                // mkdir's mode is narrowed by the umask; make it exact.
                try fileSystem.chmod(directory, mode: 0o700)
                logger.info("created session directory", metadata: ["directory": "\(directory)"])
            } catch where error.code == EEXIST {
                // Another instance created it first.
            } catch {
                throw failure("creating the session directory", error)
            }
        } catch {
            throw failure("opening the session directory", error)
        }
        do throws(FileSystemError) {
            let resolved = try fileSystem.realPath(directory)
            let status = try fileSystem.status(atPath: resolved)
            guard status.isDirectory else { throw FileSystemError(operation: "stat", code: ENOTDIR) }
            if status.permissions & 0o077 != 0 {
                logger.warning("session directory is accessible to other users; expected mode 0700", metadata: [
                    "directory": "\(resolved)", "mode": "\(String(status.permissions, radix: 8))",
                ])
            }
            return resolved
        } catch {
            throw failure("opening the session directory", error)
        }
    }

    /// Logs a storage failure and wraps it for the caller. Never includes a session id, at most
    /// a prefix of the file name.
    func unavailable(_ error: FileSystemError, _ context: String, name: String?) -> SessionStoreError {
        let reason = "\(context): \(error)"
        var metadata: Logger.Metadata = ["reason": "\(reason)", "directory": "\(directory)"]
        if let name { metadata["file"] = "\(SessionFileName.logPrefix(name))" }
        logger.error("session storage unavailable", metadata: metadata)
        return .unavailable(reason: reason)
    }
}
