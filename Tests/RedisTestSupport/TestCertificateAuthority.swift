import Foundation

/// A throw-away certificate authority made with the `openssl` command at test time, and the
/// server certificates it signs (EC P-256, valid two days). Nothing here is ever trusted by
/// the system: a client trusts it only when given `certificateFile` as its CA file.
public final class TestCertificateAuthority: Sendable {
    /// The CA's certificate (PEM): what REDIS_CA_FILE points to.
    public let certificateFile: String
    /// The CA's private key (PEM).
    private let keyFile: String
    /// Where certificates are written.
    private let directory: String

    /// A server certificate and its key.
    public struct ServerCertificate: Sendable {
        /// The certificate (PEM).
        public let certificateFile: String
        /// The private key (PEM).
        public let keyFile: String
    }

    /// Creates a CA named `name` in `directory`.
    public init(directory: String, name: String = "entra-web test CA") throws {
        let openssl = try Self.openssl()
        self.directory = directory
        certificateFile = directory + "/ca.crt"
        keyFile = directory + "/ca.key"
        try Command.check(openssl, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", keyFile, "-out", certificateFile, "-days", "2", "-subj", "/CN=\(name)",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    /// Signs a server certificate for `names` (DNS names and IP addresses) under `label`.
    public func issueServerCertificate(for names: [String], label: String = "server") throws -> ServerCertificate {
        let openssl = try Self.openssl()
        let base = directory + "/" + label
        let alternativeNames = names.map { name in
            name.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? "IP:\(name)" : "DNS:\(name)"
        }
        try "subjectAltName=\(alternativeNames.joined(separator: ","))\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: base + ".ext", atomically: true, encoding: .utf8)
        try Command.check(openssl, [
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", base + ".key", "-out", base + ".csr", "-subj", "/CN=\(names.first ?? "server")",
        ])
        try Command.check(openssl, [
            "x509", "-req", "-in", base + ".csr", "-CA", certificateFile, "-CAkey", keyFile, "-CAcreateserial",
            "-out", base + ".crt", "-days", "2", "-extfile", base + ".ext",
        ])
        return ServerCertificate(certificateFile: base + ".crt", keyFile: base + ".key")
    }

    /// The openssl command, or an error saying how to get it.
    private static func openssl() throws -> String {
        guard let path = Command.find("openssl") else {
            throw RedisHarnessError("the openssl command is not installed (make test installs Debian's openssl)")
        }
        return path
    }
}
