/// How a test's redis-server is set up.
public struct RedisServerOptions: Sendable {
    /// An ACL user with a password and every permission.
    public struct User: Sendable {
        /// The user name.
        public var name: String
        /// The password.
        public var password: String

        /// A user `name` with `password`.
        public init(name: String, password: String) {
            self.name = name
            self.password = password
        }
    }

    /// Also listen with TLS on `tlsPort`, with a certificate from a throw-away CA.
    public var tls: Bool
    /// The names (DNS names or IP addresses) the TLS certificate is valid for.
    public var certificateNames: [String]
    /// Append-only persistence, fsynced on every write, so a restart (even after kill -9)
    /// keeps everything that was acknowledged.
    public var appendOnly: Bool
    /// The default user's password; nil leaves it open (on 127.0.0.1 only).
    public var password: String?
    /// More ACL users.
    public var users: [User]
    /// Further redis.conf lines.
    public var extraConfiguration: [String]

    /// Plain TCP only, no persistence, no password.
    public init(
        tls: Bool = false, certificateNames: [String] = ["localhost"], appendOnly: Bool = false,
        password: String? = nil, users: [User] = [], extraConfiguration: [String] = []
    ) {
        self.tls = tls
        self.certificateNames = certificateNames
        self.appendOnly = appendOnly
        self.password = password
        self.users = users
        self.extraConfiguration = extraConfiguration
    }

    /// redis.conf for a server in `directory` on these ports.
    func configurationFile(directory: String, port: Int, tlsPort: Int?, certificate: TestCertificateAuthority.ServerCertificate?, caFile: String?) -> String {
        var lines = [
            "bind 127.0.0.1", "port \(port)", "daemonize no", "dir \(directory)",
            "logfile \(directory)/redis.log", "pidfile \(directory)/redis.pid", "save \"\"",
            "appendonly \(appendOnly ? "yes" : "no")", "appendfsync always",
        ]
        if let tlsPort, let certificate, let caFile {
            lines += [
                "tls-port \(tlsPort)", "tls-cert-file \(certificate.certificateFile)", "tls-key-file \(certificate.keyFile)",
                "tls-ca-cert-file \(caFile)", "tls-auth-clients no", "tls-protocols \"TLSv1.2 TLSv1.3\"",
            ]
        }
        lines.append(password.map { "user default on >\($0) ~* &* +@all" } ?? "user default on nopass ~* &* +@all")
        for user in users { lines.append("user \(user.name) on >\(user.password) ~* &* +@all") }
        return (lines + extraConfiguration).joined(separator: "\n") + "\n"
    }
}
