import RedisClient
import Testing

/// SESSION_STORE's Redis URL: every part, the defaults, and a precise one-line reason for
/// each mistake, none of which ever repeats the password.
@Suite struct RedisURLTests {
    @Test func fullURL() throws {
        let config = try RedisConfiguration(url: "rediss://alice:s3cret@cache.example.net:6380/2")
        #expect(config.useTLS)
        #expect(config.host == "cache.example.net")
        #expect(config.port == 6380)
        #expect(config.username == "alice")
        #expect(config.password == RedisPassword("s3cret"))
        #expect(config.database == 2)
        #expect(config.address == "cache.example.net:6380")
    }

    @Test func defaults() throws {
        let config = try RedisConfiguration(url: "redis://localhost")
        #expect(!config.useTLS)
        #expect(config.port == 6379)
        #expect(config.database == 0)
        #expect(config.username == nil && config.password == nil)
        #expect(try RedisConfiguration(url: "rediss://h/").port == 6379)
        #expect(try RedisConfiguration(url: "REDIS://h:1").port == 1)
    }

    @Test func ipLiterals() throws {
        let v6 = try RedisConfiguration(url: "redis://[::1]:7000/1")
        #expect(v6.host == "::1" && v6.port == 7000 && v6.database == 1)
        #expect(v6.address == "[::1]:7000")
        #expect(try RedisConfiguration(url: "redis://[2001:db8::7]").host == "2001:db8::7")
        #expect(try RedisConfiguration(url: "redis://10.0.0.5:6379").host == "10.0.0.5")
    }

    @Test func userAndPasswordArePercentDecoded() throws {
        let config = try RedisConfiguration(url: "redis://app%40team:p%2Fa%3As%40s%25@h")
        #expect(config.username == "app@team")
        #expect(config.password == RedisPassword("p/a:s@s%"))
        // Only a password: the default user.
        let passwordOnly = try RedisConfiguration(url: "redis://:pw@h")
        #expect(passwordOnly.username == nil && passwordOnly.password == RedisPassword("pw"))
    }

    @Test func passwordFromTheEnvironment() throws {
        let config = try RedisConfiguration(url: "rediss://default@h:6380", password: "from-env")
        #expect(config.password == RedisPassword("from-env"))
        #expect(try RedisConfiguration(url: "redis://:same@h", password: "same").password == RedisPassword("same"))
        #expect(try RedisConfiguration(url: "redis://h", password: "").password == nil)
        let conflict = #expect(throws: RedisConfigurationError.self) { try RedisConfiguration(url: "redis://:one@h", password: "two") }
        #expect(conflict == RedisConfigurationError(.password, "differs from the password in the Redis URL; set it in one place"))
        let noPassword = #expect(throws: RedisConfigurationError.self) { try RedisConfiguration(url: "redis://alice@h") }
        #expect(noPassword?.setting == .url)
        #expect(noPassword?.reason.hasPrefix("names the Redis user 'alice' but no password is set") == true)
    }

    @Test func caFileNeedsTLS() throws {
        #expect(try RedisConfiguration(url: "rediss://h", caFile: "/etc/ca.pem").caFile == "/etc/ca.pem")
        #expect(try RedisConfiguration(url: "rediss://h", caFile: "").caFile == nil)
        let error = #expect(throws: RedisConfigurationError.self) { try RedisConfiguration(url: "redis://h", caFile: "/etc/ca.pem") }
        #expect(error == RedisConfigurationError(.caFile, "is set, but the Redis URL is not a rediss:// (TLS) URL"))
    }

    @Test(arguments: [
        ("", "is empty"),
        ("http://h:6379", "must start with redis:// or rediss://"),
        ("redis:/h", "must start with redis:// or rediss://"),
        ("redis://h 1", "contains spaces or control characters"),
        ("redis://", "has no host"),
        ("redis://:6379", "has no host"),
        ("redis://h:0", "has a port that is not a number from 1 to 65535"),
        ("redis://h:65536", "has a port that is not a number from 1 to 65535"),
        ("redis://h:", "has a port that is not a number from 1 to 65535"),
        ("redis://h:-1", "has a port that is not a number from 1 to 65535"),
        ("redis://h/16x", "has a database that is not a number from 0 to 2147483647"),
        ("redis://h/2147483648", "has a database that is not a number from 0 to 2147483647"),
        ("redis://h/-1", "has a database that is not a number from 0 to 2147483647"),
        ("redis://h/0/extra", "has a database that is not a number from 0 to 2147483647"),
        ("redis://h?db=1", "has a query or fragment, which is not supported"),
        ("redis://::1:6379", "has more than one ':' in the host"),
        ("redis://[::1", "has an IPv6 address without its closing ]"),
        ("redis://[::g]:1", "has a malformed IPv6 address in brackets"),
        ("redis://[::1]x:1", "has text between the IPv6 address and the port"),
        ("redis://bad_host!:1", "has a host that is not a valid name or IPv4 address"),
        ("redis://u:%zz@h", "has a malformed percent escape in the password"),
        ("redis://%4@h", "has a malformed percent escape in the user name"),
    ])
    func badURLsSayWhy(url: String, reason: String) {
        let error = #expect(throws: RedisConfigurationError.self) { try RedisConfiguration(url: url) }
        #expect(error?.setting == .url)
        #expect(error?.reason.hasPrefix("is not a valid Redis URL: it \(reason)") == true, "\(String(describing: error))")
        #expect(error?.description.contains("\n") == false)
    }

    /// The library names no configuration key (the app knows which key the URL came from).
    @Test func theLibrarysOwnMessageNamesTheSetting() {
        let error = #expect(throws: RedisConfigurationError.self) { try RedisConfiguration(url: "memcached://h") }
        #expect(error?.description == "the Redis URL is not a valid Redis URL: it must start with redis:// or rediss://")
    }

    /// A password that lands in the wrong part of a mistyped URL is never echoed back.
    @Test(arguments: [
        "redis://user:Sup3rSecretPw/0",
        "redis://:Sup3rSecretPw/x@h",
        "redis://u:Sup3rSecretPw@h:port",
        "redis://u:Sup3rSecretPw@h?x",
        "redis://u:Sup3rSecretPw%@h",
        "redis://u:Sup3rSecretPw@[::1",
        "redis://u:Sup3rSecretPw@h/db",
        "ftp://u:Sup3rSecretPw@h",
    ])
    func errorsNeverShowThePassword(url: String) {
        let error = #expect(throws: RedisConfigurationError.self) { try RedisConfiguration(url: url) }
        #expect(error.map { !"\($0)".contains("Sup3rSecretPw") } == true, "\(String(describing: error))")
    }

    @Test func commandsNeverShowTheirArguments() {
        let command = RedisCommand("AUTH", "alice", "Sup3rSecretPw")
        var dumped = ""
        dump(command, to: &dumped)
        for text in ["\(command)", String(reflecting: command), dumped] {
            #expect(!text.contains("Sup3rSecretPw"), "\(text)")
        }
        #expect("\(command)" == "AUTH (2 arguments)")
    }

    @Test func descriptionNeverShowsThePassword() throws {
        let password = "Sup3rSecretPw-\(Int.random(in: 1000...9999))"
        let fromURL = try RedisConfiguration(url: "rediss://alice:\(password)@cache:6380/3", caFile: "/ca.pem")
        let fromEnvironment = try RedisConfiguration(url: "redis://cache", password: password)
        for config in [fromURL, fromEnvironment] {
            var dumped = ""
            dump(config, to: &dumped)
            for text in ["\(config)", String(describing: config), String(reflecting: config), dumped, "\(config.password!)"] {
                #expect(!text.contains(password), "\(text)")
            }
        }
        #expect("\(fromURL)" == "rediss://alice@cache:6380/3 (password set, CA file /ca.pem)")
        #expect("\(fromEnvironment)" == "redis://cache:6379/0 (password set)")
    }
}
