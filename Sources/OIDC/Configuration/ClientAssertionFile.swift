import Encodings
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A file holding a JWT that another identity provider issued to this workload (workload
/// identity federation: a Kubernetes service account token projected into the pod, a CI
/// system's OIDC token). Its content is sent as the `client_assertion`. It is read again
/// for every token request, never cached: the platform rotates the file under us (the
/// kubelet refreshes a projected token well before it expires).
public struct ClientAssertionFile: Sendable, Equatable {
    /// Where the token is.
    public let path: String
    /// The setting the path came from (`CLIENT_ASSERTION_FILE`), so a log line can tell the
    /// operator what to fix without the OIDC client knowing the app's configuration.
    public let setting: String

    /// Larger files are refused: a service account token is 1-2 KB, and a path pointing at
    /// the wrong file must not make every sign-in read megabytes.
    public static let maximumBytes = 64 * 1024

    /// The file at `path`, named `setting` in log lines.
    public init(path: String, setting: String) {
        self.path = path
        self.setting = setting
    }

    /// The token now in the file, whitespace trimmed. The reasons read after the setting's
    /// name and never contain the file's content.
    public func read() throws(SettingError) -> String {
        let bytes = try Self.readBounded(path)
        let token = String(decoding: bytes, as: UTF8.self).trimmingWhitespace
        guard !token.isEmpty else { throw SettingError("names an empty file (\(path)); the workload's token is not there yet") }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && Base64URL.decode($0) != nil }) else {
            throw SettingError("names a file (\(path)) that does not hold a JWT")
        }
        return String(token)
    }

    /// Up to `maximumBytes` of the file, following symbolic links (projected volumes swap a
    /// `..data` link to rotate the token atomically).
    private static func readBounded(_ path: String) throws(SettingError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SettingError("cannot be read: \(path): \(describe(errno))") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SettingError("cannot be read: \(path): \(describe(errno))")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maximumBytes {
                throw SettingError("names a file (\(path)) larger than \(maximumBytes / 1024) KiB, which is no workload token")
            }
        }
    }

    /// errno in words: the common cases in plain English, the rest as the C library says it.
    private static func describe(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file"
        case EACCES: return "permission denied"
        case EISDIR: return "it is a directory"
        default: return String(cString: strerror(code))
        }
    }
}
