// The server's own secret (SESSION_SECRET): the key material for what the server seals for
// browsers to carry (sign-ins in progress), the same on every instance that shares a store.
import CryptoSupport
import Encodings
import FoundationEssentials
import Glibc

/// At least 32 random bytes, from `SESSION_SECRET` (hex or base64) or, on a single machine
/// without it, generated once into `SESSION_DIR/secret` (mode 0600) and read from there on
/// every later start, so a restart keeps every sign-in in progress and several processes on
/// one machine agree. Printing one shows nothing of it.
public struct SessionSecret: Sendable, Equatable, CustomStringConvertible {
    /// The fewest bytes accepted: 256 bits.
    public static let minimumByteCount = 32
    /// The file the generated secret is kept in, inside the session directory.
    static let fileName = "secret"
    /// What a bad value is told, after the key's name.
    static let requirement = "must be at least 32 random bytes, written as hex (64 or more digits) or base64, e.g. the output of `openssl rand -base64 32`"

    /// The secret itself.
    let bytes: [UInt8]

    /// The secret `text` spells: hex digits, or base64 (standard or URL alphabet, padded or
    /// not), of at least `minimumByteCount` bytes; nil for anything else.
    public init?(encoded text: String) {
        let trimmed = text.trimmingWhitespace
        let decoded: [UInt8]?
        if trimmed.utf8.allSatisfy({ Hex.value(of: $0) != nil }) {
            decoded = Hex.decode(trimmed)
        } else {
            decoded = Base64URL.decode(String(trimmed.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 }))
        }
        guard let decoded, decoded.count >= Self.minimumByteCount else { return nil }
        bytes = decoded
    }

    /// A secret of these bytes (tests).
    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A key for one purpose only (HKDF-SHA256 with `purpose` as its info): each use of the
    /// secret gets its own, unrelated key, and none reveals the secret.
    func key(for purpose: String, byteCount: Int = AES256GCM.keyByteCount) -> [UInt8] {
        HKDF.sha256(key: bytes, info: Array(purpose.utf8), outputByteCount: byteCount)
    }

    /// Never the secret.
    public var description: String { "SessionSecret(redacted)" }

    /// Equal when the bytes are, compared in constant time.
    public static func == (a: SessionSecret, b: SessionSecret) -> Bool {
        ConstantTime.equals(a.bytes, b.bytes)
    }

    // MARK: - Where it comes from

    /// The secret the app runs with: SESSION_SECRET when set; required when the session
    /// store is shared (every instance must seal with the same key, and a file on one
    /// machine is not shared); otherwise the one generated into the session directory.
    /// This is the one place that decides.
    static func resolve(_ configuration: AppConfiguration, random: any RandomSource = OpenSSLRandom()) throws(ConfigurationError) -> SessionSecret {
        if let configured = configuration.sessionSecret { return configured }
        if configuration.sessionStoreIsShared {
            throw ConfigurationError(key: "SESSION_SECRET", reason: "is required when the session store is shared: every instance needs the same secret; it \(requirement)")
        }
        return try loadOrCreate(inDirectory: configuration.sessionDirectory, random: random)
    }

    /// The secret in `directory/secret`, created with `random` first when there is none.
    /// Creation is atomic and never replaces a file: the new secret is written and synced
    /// under a temporary name, then hard-linked to `secret`, which fails if another process
    /// got there first; that process's secret is then read and used, so two first starts at
    /// once end up with the same one.
    static func loadOrCreate(inDirectory directory: String, random: any RandomSource) throws(ConfigurationError) -> SessionSecret {
        let path = directory + "/" + fileName
        if let existing = try read(path) { return existing }
        try createDirectory(directory)
        let temporary = path + ".tmp-\(getpid())-" + random.token(byteCount: 8)
        try write(Base64URL.encode(random.bytes(minimumByteCount)) + "\n", to: temporary)
        defer { unlink(temporary) }
        if link(temporary, path) != 0 && errno != EEXIST {
            throw fileError(path, "cannot be created (\(String(cString: strerror(errno))))")
        }
        syncDirectory(directory)
        guard let secret = try read(path) else { throw fileError(path, "disappeared while being created") }
        return secret
    }

    /// The secret in the file at `path`; nil when there is no such file. A file others may
    /// read, or that is not a regular file of ours, is refused rather than trusted.
    private static func read(_ path: String) throws(ConfigurationError) -> SessionSecret? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw fileError(path, "cannot be read (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_uid == geteuid() else {
            throw fileError(path, "is not a regular file owned by this user")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw fileError(path, "may be read by other users: chmod 600 it (or set SESSION_SECRET)")
        }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count > 0, let secret = SessionSecret(encoded: String(decoding: buffer.prefix(count), as: UTF8.self)) else {
            throw fileError(path, "does not hold a secret: delete it to have a new one made (sign-ins in progress are lost), or set SESSION_SECRET")
        }
        return secret
    }

    /// Writes `text` to a new file at `path` (mode 0600) and syncs it.
    private static func write(_ text: String, to path: String) throws(ConfigurationError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw fileError(path, "cannot be created (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            unlink(path)
            throw fileError(path, "cannot be written (\(String(cString: strerror(errno))))")
        }
    }

    /// Creates `directory` (mode 0700, with missing parents) unless it exists.
    private static func createDirectory(_ directory: String) throws(ConfigurationError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw ConfigurationError(key: "SESSION_DIR", reason: "cannot be created for the session secret: \(error)")
        }
    }

    /// Makes the new directory entry durable; a failure only risks a new secret after a crash.
    private static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// A problem with the secret file, named by the setting that places it.
    private static func fileError(_ path: String, _ problem: String) -> ConfigurationError {
        ConfigurationError(key: "SESSION_DIR", reason: "has a session secret file \(path) that \(problem)")
    }
}
