import Glibc

/// The real file system, through Glibc.
struct POSIXFileSystem: FileSystem {
    /// Runs `call` until it does not fail with EINTR.
    @inline(__always)
    private func retrying<T: BinaryInteger>(_ operation: String, _ call: () -> T) throws(FileSystemError) -> T {
        while true {
            let result = call()
            if result >= 0 { return result }
            let code = errno
            if code != EINTR { throw FileSystemError(operation: operation, code: code) }
        }
    }

    func open(_ path: String, flags: Int32, mode: UInt32) throws(FileSystemError) -> Int32 {
        try retrying("open") { Glibc.open(path, flags, mode_t(mode)) }
    }

    func close(_ fd: Int32) throws(FileSystemError) {
        // No retry: on Linux the descriptor is gone even when close reports EINTR.
        if Glibc.close(fd) != 0, errno != EINTR {
            throw FileSystemError(operation: "close", code: errno)
        }
    }

    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(FileSystemError) -> Int {
        try retrying("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    func write(_ fd: Int32, from buffer: UnsafeRawBufferPointer) throws(FileSystemError) -> Int {
        try retrying("write") { Glibc.write(fd, buffer.baseAddress, buffer.count) }
    }

    func write(_ fd: Int32, from buffer: UnsafeRawBufferPointer, at offset: Int) throws(FileSystemError) -> Int {
        try retrying("pwrite") { Glibc.pwrite(fd, buffer.baseAddress, buffer.count, off_t(offset)) }
    }

    func truncate(_ fd: Int32, size: Int) throws(FileSystemError) {
        _ = try retrying("ftruncate") { Glibc.ftruncate(fd, off_t(size)) }
    }

    func fsync(_ fd: Int32) throws(FileSystemError) {
        _ = try retrying("fsync") { Glibc.fsync(fd) }
    }

    func fchmod(_ fd: Int32, mode: UInt32) throws(FileSystemError) {
        _ = try retrying("fchmod") { Glibc.fchmod(fd, mode_t(mode)) }
    }

    func flock(_ fd: Int32, operation: Int32) throws(FileSystemError) {
        _ = try retrying("flock") { systemFlock(fd, operation) }
    }

    func status(of fd: Int32) throws(FileSystemError) -> FileStatus {
        var info = stat()
        _ = try retrying("fstat") { Glibc.fstat(fd, &info) }
        return FileStatus(info)
    }

    func status(atPath path: String) throws(FileSystemError) -> FileStatus {
        var info = stat()
        _ = try retrying("lstat") { Glibc.lstat(path, &info) }
        return FileStatus(info)
    }

    func rename(_ source: String, to destination: String) throws(FileSystemError) {
        _ = try retrying("rename") { Glibc.rename(source, destination) }
    }

    func unlink(_ path: String) throws(FileSystemError) {
        _ = try retrying("unlink") { Glibc.unlink(path) }
    }

    func mkdir(_ path: String, mode: UInt32) throws(FileSystemError) {
        _ = try retrying("mkdir") { Glibc.mkdir(path, mode_t(mode)) }
    }

    func chmod(_ path: String, mode: UInt32) throws(FileSystemError) {
        _ = try retrying("chmod") { Glibc.chmod(path, mode_t(mode)) }
    }

    func realPath(_ path: String) throws(FileSystemError) -> String {
        guard let resolved = Glibc.realpath(path, nil) else {
            throw FileSystemError(operation: "realpath", code: errno)
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    func forEachEntry(inDirectory path: String, _ body: (String) -> Bool) throws(FileSystemError) {
        guard let directory = opendir(path) else {
            throw FileSystemError(operation: "opendir", code: errno)
        }
        defer { closedir(directory) }
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw FileSystemError(operation: "readdir", code: errno) }
                return
            }
            let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            if !body(name) { return }
        }
    }
}

extension FileStatus {
    init(_ info: stat) {
        let type = info.st_mode & S_IFMT
        self.init(
            device: UInt64(info.st_dev),
            inode: UInt64(info.st_ino),
            size: Int(info.st_size),
            isRegularFile: type == S_IFREG,
            isDirectory: type == S_IFDIR,
            permissions: UInt32(info.st_mode & 0o7777),
            modified: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1_000_000_000,
            modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            changedNanoseconds: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
        )
    }
}

/// `flock(2)`, named apart from the method and from Glibc's `struct flock`.
private func systemFlock(_ fd: Int32, _ operation: Int32) -> Int32 {
    flock(fd, operation)
}
