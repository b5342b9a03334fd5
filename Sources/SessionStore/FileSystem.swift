// The narrow set of file-system calls the file store makes, behind a protocol so tests can
// inject failures (ENOSPC, EROFS, EIO) at any single step of a write.
import Glibc

/// A failed system call: which one and its errno.
struct FileSystemError: Error, Sendable, Equatable, CustomStringConvertible {
    var operation: String
    var code: Int32

    var description: String {
        "\(operation) failed: \(String(cString: strerror(code))) (errno \(code))"
    }
}

/// What the store needs to know about a file.
struct FileStatus: Sendable, Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int
    var isRegularFile: Bool
    var isDirectory: Bool
    /// Permission bits (`st_mode & 0o7777`).
    var permissions: UInt32
    /// Modification time, seconds since 1970.
    var modified: Double
    /// Modification and status-change times in nanoseconds since 1970: with the device, the
    /// inode and the size, what tells the decoded-session cache that a file is unchanged.
    var modifiedNanoseconds: Int64
    var changedNanoseconds: Int64

    /// True when both describe the same file in the same state, as far as `stat` can tell.
    func isSameVersion(as other: FileStatus) -> Bool {
        device == other.device && inode == other.inode && size == other.size
            && modifiedNanoseconds == other.modifiedNanoseconds && changedNanoseconds == other.changedNanoseconds
    }
}

/// Thin wrappers around POSIX calls. Every method retries on EINTR and reports any other
/// failure as a `FileSystemError`. Paths are absolute or relative to the working directory.
protocol FileSystem: Sendable {
    func open(_ path: String, flags: Int32, mode: UInt32) throws(FileSystemError) -> Int32
    func close(_ fd: Int32) throws(FileSystemError)
    /// Reads up to `buffer.count` bytes; 0 at end of file.
    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(FileSystemError) -> Int
    /// Writes up to `buffer.count` bytes; returns how many were written.
    func write(_ fd: Int32, from buffer: UnsafeRawBufferPointer) throws(FileSystemError) -> Int
    /// Writes `buffer` at `offset` without moving the file position (`pwrite(2)`).
    func write(_ fd: Int32, from buffer: UnsafeRawBufferPointer, at offset: Int) throws(FileSystemError) -> Int
    func truncate(_ fd: Int32, size: Int) throws(FileSystemError)
    func fsync(_ fd: Int32) throws(FileSystemError)
    func fchmod(_ fd: Int32, mode: UInt32) throws(FileSystemError)
    /// `flock(2)`. With `LOCK_NB`, a held lock is reported as EWOULDBLOCK.
    func flock(_ fd: Int32, operation: Int32) throws(FileSystemError)
    func status(of fd: Int32) throws(FileSystemError) -> FileStatus
    /// `lstat(2)`: symbolic links are not followed.
    func status(atPath path: String) throws(FileSystemError) -> FileStatus
    func rename(_ source: String, to destination: String) throws(FileSystemError)
    func unlink(_ path: String) throws(FileSystemError)
    func mkdir(_ path: String, mode: UInt32) throws(FileSystemError)
    func chmod(_ path: String, mode: UInt32) throws(FileSystemError)
    /// `realpath(3)`: the absolute path with symbolic links resolved.
    func realPath(_ path: String) throws(FileSystemError) -> String
    /// Streams the names in a directory (without `.` and `..`) to `body` one at a time, so a
    /// directory of any size costs constant memory. `body` returns false to stop early.
    func forEachEntry(inDirectory path: String, _ body: (String) -> Bool) throws(FileSystemError)
}

extension FileSystem {
    /// Reads a whole file whose size `fstat` reported as `sizeHint`. Returns nil when it is
    /// larger than `limit`, so a huge file is never pulled into memory.
    func readAll(_ fd: Int32, sizeHint: Int, limit: Int) throws(FileSystemError) -> [UInt8]? {
        guard sizeHint <= limit else { return nil }
        // One spare byte so that end of file shows up without growing the buffer.
        var bytes = [UInt8](repeating: 0, count: sizeHint + 1)
        var count = 0
        while true {
            if count == bytes.count {
                bytes.append(contentsOf: repeatElement(0, count: max(4096, count)))
            }
            let n = try bytes.withUnsafeMutableBytes { buffer in
                Result { () throws(FileSystemError) in
                    try read(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
                }
            }.get()
            if n == 0 { break }
            count += n
            if count > limit { return nil }
        }
        bytes.removeSubrange(count...)
        return bytes
    }

    /// Writes all of `bytes`, looping over short writes; at `position` when given (without
    /// moving the file offset), else at the file offset.
    func writeAll(_ fd: Int32, _ bytes: [UInt8], at position: Int? = nil) throws(FileSystemError) {
        var offset = 0
        while offset < bytes.count {
            let n = try bytes.withUnsafeBytes { buffer in
                Result { () throws(FileSystemError) in
                    let rest = UnsafeRawBufferPointer(rebasing: buffer[offset...])
                    if let position { return try write(fd, from: rest, at: position + offset) }
                    return try write(fd, from: rest)
                }
            }.get()
            // A zero-byte write of a non-empty buffer would loop forever; treat as disk full.
            if n == 0 { throw FileSystemError(operation: "write", code: ENOSPC) }
            offset += n
        }
    }
}
