import Encodings
import Glibc

extension RedisConfiguration {
    /// Parses `redis://[user[:password]@]host[:port][/db]` or `rediss://...` (TLS).
    ///
    /// - `host` is a name, an IPv4 address or a bracketed IPv6 address; the port defaults
    ///   to 6379 for both schemes; the database to 0.
    /// - User and password are percent-decoded. `password` (REDIS_PASSWORD) may give the
    ///   password instead; giving two different ones is an error rather than a guess.
    /// - `caFile` (REDIS_CA_FILE) is only meaningful with `rediss://`.
    ///
    /// Errors say which of the three settings is at fault and never repeat any part of the
    /// URL, which may hold a password.
    public init(url: String, password: String? = nil, caFile: String? = nil) throws(RedisConfigurationError) {
        var parser = RedisURLParser(text: url)
        let parts = try parser.parse()
        self.init(host: parts.host, port: parts.port, useTLS: parts.useTLS, database: parts.database)
        username = parts.username
        self.password = try Self.password(url: parts.password, environment: password, username: parts.username)
        if let caFile, !caFile.isEmpty {
            guard useTLS else {
                throw RedisConfigurationError(.caFile, "is set, but the Redis URL is not a rediss:// (TLS) URL")
            }
            self.caFile = caFile
        }
    }

    /// The password from the URL or given besides it; both is fine only when they agree.
    private static func password(url: String?, environment: String?, username: String?) throws(RedisConfigurationError) -> RedisPassword? {
        let fromURL = url.map(RedisPassword.init)
        let fromEnvironment = environment.flatMap { $0.isEmpty ? nil : RedisPassword($0) }
        if let fromURL, let fromEnvironment, fromURL != fromEnvironment {
            throw RedisConfigurationError(.password, "differs from the password in the Redis URL; set it in one place")
        }
        guard let password = fromEnvironment ?? fromURL else {
            if let username {
                throw RedisConfigurationError(
                    .url, "names the Redis user '\(username)' but no password is set (REDIS_PASSWORD, or user:password@ in the URL)")
            }
            return nil
        }
        return password
    }
}

/// The parts of a Redis URL, decoded.
struct RedisURLParts {
    /// `rediss://`.
    var useTLS: Bool
    /// The decoded user name, if any.
    var username: String?
    /// The decoded password, if any.
    var password: String?
    /// Name or address, IPv6 without brackets.
    var host: String
    /// 6379 unless given.
    var port: Int
    /// 0 unless given.
    var database: Int
}

/// Splits a Redis URL into its parts, with a precise reason for the first thing wrong.
struct RedisURLParser {
    /// The URL as configured.
    let text: String

    /// Parses the whole URL.
    mutating func parse() throws(RedisConfigurationError) -> RedisURLParts {
        guard !text.isEmpty else { throw fail("is empty") }
        guard !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            throw fail("contains spaces or control characters")
        }
        let useTLS: Bool
        var rest: Substring
        if let after = Self.strip("redis://", from: text) {
            (useTLS, rest) = (false, after)
        } else if let after = Self.strip("rediss://", from: text) {
            (useTLS, rest) = (true, after)
        } else {
            throw fail("must start with redis:// or rediss://")
        }
        if rest.contains("?") || rest.contains("#") {
            throw fail("has a query or fragment, which is not supported\(Self.encodingHint)")
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        rest = rest[slash...]
        var parts = RedisURLParts(useTLS: useTLS, host: "", port: 6379, database: 0)
        var hostAndPort = authority
        if let at = authority.lastIndex(of: "@") {
            try decodeUserInfo(authority[..<at], into: &parts)
            hostAndPort = authority[authority.index(after: at)...]
        }
        try parseHostAndPort(hostAndPort, into: &parts)
        parts.database = try database(rest, userInfoMisplaced: rest.contains("@"))
        return parts
    }

    /// What to do about reserved characters in a password.
    static let encodingHint = " (percent-encode / ? # @ : in a user or password, or give the password in REDIS_PASSWORD)"

    /// The text after a case-insensitive scheme prefix, or nil.
    private static func strip(_ prefix: String, from text: String) -> Substring? {
        guard text.utf8.count >= prefix.utf8.count,
              String(text.prefix(prefix.count)).lowercased() == prefix else { return nil }
        return text.dropFirst(prefix.count)
    }

    /// `user`, `user:password` or `:password`, percent-decoded.
    private func decodeUserInfo(_ info: Substring, into parts: inout RedisURLParts) throws(RedisConfigurationError) {
        let colon = info.firstIndex(of: ":")
        let user = try decode(info[..<(colon ?? info.endIndex)], what: "user name")
        parts.username = user.isEmpty ? nil : user
        if let colon {
            let password = try decode(info[info.index(after: colon)...], what: "password")
            parts.password = password.isEmpty ? nil : password
        }
    }

    /// Percent-decodes, refusing a `%` that does not start an escape (which would otherwise
    /// be kept literally, and authentication would fail with no hint why).
    private func decode(_ text: Substring, what: String) throws(RedisConfigurationError) -> String {
        let bytes = Array(text.utf8)
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "%") {
            guard index + 2 < bytes.count, Self.isHex(bytes[index + 1]), Self.isHex(bytes[index + 2]) else {
                throw fail("has a malformed percent escape in the \(what)")
            }
        }
        return FormURLEncoding.percentDecode(text)
    }

    /// 0-9, a-f, A-F.
    private static func isHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port`.
    private func parseHostAndPort(_ text: Substring, into parts: inout RedisURLParts) throws(RedisConfigurationError) {
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw fail("has an IPv6 address without its closing ]") }
            parts.host = String(text[text.index(after: text.startIndex)..<close])
            guard Self.isIPv6(parts.host) else { throw fail("has a malformed IPv6 address in brackets") }
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("has text between the IPv6 address and the port") }
                portText = after.dropFirst()
            }
        } else {
            let colons = text.filter { $0 == ":" }.count
            guard colons <= 1 else { throw fail("has more than one ':' in the host (IPv6 addresses go in brackets: [::1]:6379)") }
            let colon = text.firstIndex(of: ":")
            parts.host = String(text[..<(colon ?? text.endIndex)])
            portText = colon.map { text[text.index(after: $0)...] }
            guard !parts.host.isEmpty else { throw fail("has no host\(Self.encodingHint)") }
            guard parts.host.utf8.count <= 253, parts.host.utf8.allSatisfy(Self.isHostByte) else {
                throw fail("has a host that is not a valid name or IPv4 address")
            }
        }
        if let portText { parts.port = try port(portText) }
    }

    /// What a host name or IPv4 address may contain.
    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    /// True for an address inet_pton reads as IPv6.
    private static func isIPv6(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }

    /// 1 to 65535, digits only. Never echoed: a misplaced password can land here.
    private func port(_ text: Substring) throws(RedisConfigurationError) -> Int {
        guard !text.isEmpty, text.count <= 5, text.utf8.allSatisfy({ (48...57).contains($0) }),
              let port = Int(text), (1...65535).contains(port) else {
            throw fail("has a port that is not a number from 1 to 65535\(Self.encodingHint)")
        }
        return port
    }

    /// Empty, `/` or `/N` with N from 0 to 2147483647 (Redis numbers databases with a C int).
    private func database(_ path: Substring, userInfoMisplaced: Bool) throws(RedisConfigurationError) -> Int {
        let digits = path.dropFirst()
        if digits.isEmpty { return 0 }
        guard digits.count <= 10, digits.utf8.allSatisfy({ (48...57).contains($0) }),
              let number = Int(digits), number <= Int(Int32.max) else {
            throw fail("has a database that is not a number from 0 to 2147483647 (/0, /1, ...)\(userInfoMisplaced ? Self.encodingHint : "")")
        }
        return number
    }

    /// The error for this URL, in the common phrasing.
    private func fail(_ reason: String) -> RedisConfigurationError {
        RedisConfigurationError(.url, "is not a valid Redis URL: it \(reason)")
    }
}
