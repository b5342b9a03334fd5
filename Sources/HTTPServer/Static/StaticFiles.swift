import Encodings
import Glibc
import ThreadSupport
import Synchronization

/// Serves a directory (Public/) under a URL prefix (/static/): Content-Type by extension,
/// ETag and Last-Modified with 304s, Cache-Control, HEAD, and no way out of the directory.
/// Small files are kept in memory and re-checked against the disk at most once a second.
public struct StaticFiles: HTTPResponder {
    /// The directory as given.
    public let directory: String
    /// The URL prefix, with its trailing slash (`/static/`).
    public let prefix: String
    public let cacheControl: String
    private let root: String?
    private let cache: FileCache

    /// - Parameters:
    ///   - directory: the directory to serve; symlinks inside it may not point outside it.
    ///   - prefix: the URL prefix the router mounts this under.
    ///   - cacheControl: sent with every file.
    ///   - maxCachedFileSize: files up to this size are kept in memory.
    ///   - maxCacheBytes: total memory for cached files.
    public init(
        directory: String, prefix: String = "/static/", cacheControl: String = "public, max-age=3600",
        maxCachedFileSize: Int = 256 * 1024, maxCacheBytes: Int = 16 * 1024 * 1024
    ) {
        self.directory = directory
        self.prefix = prefix.hasSuffix("/") ? prefix : prefix + "/"
        self.cacheControl = cacheControl
        self.root = Self.realPath(directory)
        self.cache = FileCache(maxFileSize: maxCachedFileSize, maxTotalBytes: maxCacheBytes)
    }

    /// Every file request runs on the event loop: files come from memory, or from one
    /// read(2) of a small file the page cache holds; GET and HEAD take no body.
    public func route(for head: HTTPRequest) -> MatchedRoute {
        MatchedRoute(kind: .nonBlocking) { request in try self.respond(to: request) }
    }

    /// The file `request` names under the prefix, a 304, or the reason there is none.
    public func respond(to request: HTTPRequest) throws -> HTTPResponse {
        guard request.method == .GET || request.method == .HEAD else {
            var response = HTTPResponse.text("Method Not Allowed\n", status: .methodNotAllowed)
            response.headers["Allow"] = "GET, HEAD"
            return response
        }
        guard let root, request.path.hasPrefix(prefix) else { return Self.notFound }
        let raw = request.path.utf8.dropFirst(prefix.utf8.count)
        guard let file = lookup(Substring(raw), root: root) else { return Self.notFound }
        switch file {
        case .failure(.badRequest): return .text("Bad Request\n", status: .badRequest)
        case .failure(.notFound): return Self.notFound
        case .success(let file): return response(for: file, request: request)
        }
    }

    private static let notFound = HTTPResponse.text("Not Found\n", status: .notFound)

    private func lookup(_ raw: Substring, root: String) -> Result<CachedFile, SafePath.Rejection>? {
        let now = MonotonicClock.coarseMilliseconds()
        // The cache is keyed by the raw path, which was fully validated when it was stored.
        if let cached = cache.fresh(String(raw), now: now) { return .success(cached) }
        let relative: String
        switch SafePath.relativePath(raw) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let path): relative = path
        }
        guard let real = Self.realPath(root + "/" + relative), real.hasPrefix(root + "/") else {
            return .failure(.notFound)
        }
        var info = stat()
        guard stat(real, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return .failure(.notFound) }
        let version = FileVersion(info)
        if let cached = cache.revalidate(String(raw), realPath: real, version: version, now: now) {
            return .success(cached)
        }
        guard let file = load(real, relative: relative) else { return .failure(.notFound) }
        cache.store(String(raw), file, now: now)
        return .success(file)
    }

    private func load(_ real: String, relative: String) -> CachedFile? {
        let fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        let size = Int(info.st_size)
        var body = [UInt8](repeating: 0, count: size)
        var done = 0
        let ok = body.withUnsafeMutableBytes { buffer -> Bool in
            while done < size {
                let n = read(fd, buffer.baseAddress! + done, size - done)
                if n > 0 {
                    done += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
        guard ok else { return nil }
        let version = FileVersion(info)
        return CachedFile(
            realPath: real, version: version, body: body,
            contentType: MediaTypes.forPath(relative),
            etag: "\"\(String(size, radix: 16))-\(String(version.seconds, radix: 16))\(String(version.nanoseconds, radix: 16))\"",
            lastModified: HTTPDate.format(version.seconds))
    }

    private func response(for file: CachedFile, request: HTTPRequest) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("ETag", file.etag)
        headers.add("Last-Modified", file.lastModified)
        headers.add("Cache-Control", cacheControl)
        if Self.notModified(file, request.headers) {
            return HTTPResponse(status: .notModified, headers: headers)
        }
        headers.add("Content-Type", file.contentType)
        headers.add("X-Content-Type-Options", "nosniff")
        if request.method == .HEAD {
            headers.add("Content-Length", String(file.body.count))
            return HTTPResponse(status: .ok, headers: headers)
        }
        return HTTPResponse(status: .ok, headers: headers, body: file.body)
    }

    /// RFC 9110 §13.2.2: If-None-Match decides when present; otherwise If-Modified-Since.
    private static func notModified(_ file: CachedFile, _ headers: HTTPHeaders) -> Bool {
        let tags = headers.values("If-None-Match")
        if !tags.isEmpty {
            for value in tags {
                for tag in value.split(separator: ",") {
                    var t = tag.trimmingWhitespace
                    if t == "*" { return true }
                    if t.hasPrefix("W/") { t = t.dropFirst(2) }
                    if t == file.etag { return true }
                }
            }
            return false
        }
        if let since = headers["If-Modified-Since"], let date = HTTPDate.parse(since) {
            return file.version.seconds <= date
        }
        return false
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Size and modification time: what tells a cached copy from a changed file.
struct FileVersion: Equatable, Sendable {
    var size: Int
    var seconds: Int
    var nanoseconds: Int

    init(_ info: stat) {
        size = Int(info.st_size)
        seconds = Int(info.st_mtim.tv_sec)
        nanoseconds = Int(info.st_mtim.tv_nsec)
    }
}

struct CachedFile: Sendable {
    var realPath: String
    var version: FileVersion
    var body: [UInt8]
    var contentType: String
    var etag: String
    var lastModified: String
}

/// Small files in memory, by raw URL path. An entry is trusted for a second, then checked
/// against the disk again (path still resolving inside the root, same size and mtime).
final class FileCache: Sendable {
    private struct Entry: Sendable {
        var file: CachedFile
        var checkedAt: UInt64
    }

    private struct Storage: ~Copyable {
        var entries: [String: Entry] = [:]
        var bytes = 0
    }

    private let maxFileSize: Int
    private let maxTotalBytes: Int
    private let storage = Mutex<Storage>(Storage())
    private static let freshForMs: UInt64 = 1000

    init(maxFileSize: Int, maxTotalBytes: Int) {
        self.maxFileSize = maxFileSize
        self.maxTotalBytes = maxTotalBytes
    }

    func fresh(_ key: String, now: UInt64) -> CachedFile? {
        storage.withLock { storage in
            guard let entry = storage.entries[key], now &- entry.checkedAt < Self.freshForMs else { return nil }
            return entry.file
        }
    }

    func revalidate(_ key: String, realPath: String, version: FileVersion, now: UInt64) -> CachedFile? {
        storage.withLock { storage in
            guard var entry = storage.entries[key] else { return nil }
            guard entry.file.realPath == realPath, entry.file.version == version else {
                storage.bytes -= entry.file.body.count
                storage.entries[key] = nil
                return nil
            }
            entry.checkedAt = now
            storage.entries[key] = entry
            return entry.file
        }
    }

    func store(_ key: String, _ file: CachedFile, now: UInt64) {
        guard file.body.count <= maxFileSize else { return }
        storage.withLock { storage in
            if let old = storage.entries[key] { storage.bytes -= old.file.body.count }
            if storage.bytes + file.body.count > maxTotalBytes {
                // Simple and bounded: start over rather than track recency.
                storage.entries.removeAll()
                storage.bytes = 0
            }
            storage.entries[key] = Entry(file: file, checkedAt: now)
            storage.bytes += file.body.count
        }
    }
}
