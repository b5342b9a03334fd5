import Glibc
@testable import SessionStore
import Synchronization

/// The real file system with failures injected on demand (ENOSPC, EROFS, EIO at a chosen
/// step) and a record of every call, to prove some inputs never reach the disk.
final class FaultyFileSystem: FileSystem, Sendable {
    /// The steps a failure can be injected into. `create` is an `open` with `O_CREAT`.
    enum Step: String, Sendable {
        case open, create, read, write, truncate, fsync, close, rename, unlink, flock, stat, opendir
    }

    /// One call: its step and the thread it ran on.
    struct Call: Sendable {
        var step: Step
        var thread: pthread_t
    }

    private struct State {
        var failures: [Step: (code: Int32, skip: Int, remaining: Int)] = [:]
        var calls: [Call] = []
    }

    private let real = POSIXFileSystem()
    private let state = Mutex(State())

    /// Makes the next `times` calls of `step` fail with `code`, after letting `after` more
    /// succeed (to hit, say, the second fsync of an operation).
    func fail(_ step: Step, with code: Int32, times: Int = .max, after: Int = 0) {
        state.withLock { $0.failures[step] = (code, after, times) }
    }

    func heal() {
        state.withLock { $0.failures = [:] }
    }

    var calls: [Step] {
        state.withLock { $0.calls.map(\.step) }
    }

    /// Every call with the thread it ran on.
    var callsWithThreads: [Call] {
        state.withLock { $0.calls }
    }

    func resetCalls() {
        state.withLock { $0.calls = [] }
    }

    private func check(_ step: Step) throws(FileSystemError) {
        let code = state.withLock { state -> Int32? in
            state.calls.append(Call(step: step, thread: pthread_self()))
            guard let failure = state.failures[step], failure.remaining > 0 else { return nil }
            if failure.skip > 0 {
                state.failures[step] = (failure.code, failure.skip - 1, failure.remaining)
                return nil
            }
            state.failures[step] = (failure.code, 0, failure.remaining - 1)
            return failure.code
        }
        if let code { throw FileSystemError(operation: step.rawValue, code: code) }
    }

    func open(_ path: String, flags: Int32, mode: UInt32) throws(FileSystemError) -> Int32 {
        try check(flags & O_CREAT != 0 ? .create : .open)
        return try real.open(path, flags: flags, mode: mode)
    }

    func close(_ fd: Int32) throws(FileSystemError) {
        do {
            try check(.close)
        } catch {
            // A failing close still releases the descriptor, as on Linux.
            try? real.close(fd)
            throw error
        }
        try real.close(fd)
    }

    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(FileSystemError) -> Int {
        try check(.read)
        return try real.read(fd, into: buffer)
    }

    func write(_ fd: Int32, from buffer: UnsafeRawBufferPointer) throws(FileSystemError) -> Int {
        try check(.write)
        return try real.write(fd, from: buffer)
    }

    func write(_ fd: Int32, from buffer: UnsafeRawBufferPointer, at offset: Int) throws(FileSystemError) -> Int {
        try check(.write)
        return try real.write(fd, from: buffer, at: offset)
    }

    func truncate(_ fd: Int32, size: Int) throws(FileSystemError) {
        try check(.truncate)
        try real.truncate(fd, size: size)
    }

    func fsync(_ fd: Int32) throws(FileSystemError) {
        try check(.fsync)
        try real.fsync(fd)
    }

    func fchmod(_ fd: Int32, mode: UInt32) throws(FileSystemError) {
        try real.fchmod(fd, mode: mode)
    }

    func flock(_ fd: Int32, operation: Int32) throws(FileSystemError) {
        try check(.flock)
        try real.flock(fd, operation: operation)
    }

    func status(of fd: Int32) throws(FileSystemError) -> FileStatus {
        try check(.stat)
        return try real.status(of: fd)
    }

    func status(atPath path: String) throws(FileSystemError) -> FileStatus {
        try check(.stat)
        return try real.status(atPath: path)
    }

    func rename(_ source: String, to destination: String) throws(FileSystemError) {
        try check(.rename)
        try real.rename(source, to: destination)
    }

    func unlink(_ path: String) throws(FileSystemError) {
        try check(.unlink)
        try real.unlink(path)
    }

    func mkdir(_ path: String, mode: UInt32) throws(FileSystemError) {
        try real.mkdir(path, mode: mode)
    }

    func chmod(_ path: String, mode: UInt32) throws(FileSystemError) {
        try real.chmod(path, mode: mode)
    }

    func realPath(_ path: String) throws(FileSystemError) -> String {
        try real.realPath(path)
    }

    func forEachEntry(inDirectory path: String, _ body: (String) -> Bool) throws(FileSystemError) {
        try check(.opendir)
        try real.forEachEntry(inDirectory: path, body)
    }
}
