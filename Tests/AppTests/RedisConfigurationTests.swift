@_spi(Testing) import App
import Foundation
import RedisClient
import RedisSessionStore
import RedisTestSupport
import Testing

/// SESSION_STORE and the Redis settings: every mistake stops start-up with one line naming
/// the key, and never repeats a password.
@Suite struct RedisConfigurationTests {
    @Test func theDefaultIsTheFileStore() throws {
        #expect(try AppConfiguration.load(environment: [:]).sessionStore == .file)
        #expect(try AppConfiguration.load(environment: ["SESSION_STORE": "file"]).sessionStore == .file)
    }

    @Test func aRedisURLWithItsSettings() throws {
        let configuration = try AppConfiguration.load(environment: [
            "SESSION_STORE": "rediss://app@cache.example.net:6380/2", "REDIS_PASSWORD": "pw",
            "REDIS_CA_FILE": "/etc/ssl/redis-ca.pem", "SESSION_KEY_PREFIX": "team-a:",
        ])
        guard case .redis(let redis, let keys) = configuration.sessionStore else { Issue.record("not Redis"); return }
        #expect(redis.host == "cache.example.net" && redis.port == 6380 && redis.useTLS && redis.database == 2)
        #expect(redis.username == "app" && redis.password == RedisPassword("pw") && redis.caFile == "/etc/ssl/redis-ca.pem")
        #expect(keys.prefix == "team-a:")
        guard case .redis(_, let standard) = try AppConfiguration.load(environment: ["SESSION_STORE": "redis://h"]).sessionStore else { return }
        #expect(standard.prefix == "entra-web:")
    }

    @Test(arguments: [
        (["SESSION_STORE": "memcached://h"], "SESSION_STORE must be file or a redis:// or rediss:// URL"),
        (["SESSION_STORE": "redis://h:99999"], "SESSION_STORE is not a valid Redis URL: it has a port that is not a number from 1 to 65535"),
        (["SESSION_STORE": "redis://:one@h", "REDIS_PASSWORD": "two"], "REDIS_PASSWORD differs from the password in the Redis URL; set it in one place"),
        (["SESSION_STORE": "redis://h", "REDIS_CA_FILE": "/ca.pem"], "REDIS_CA_FILE is set, but the Redis URL is not a rediss:// (TLS) URL"),
        (["SESSION_STORE": "redis://h", "SESSION_KEY_PREFIX": "a{b}"], "SESSION_KEY_PREFIX may only contain letters, digits and : . _ - /"),
        (["REDIS_PASSWORD": "pw"], "REDIS_PASSWORD is set, but SESSION_STORE is file; it applies to a Redis session store only"),
        (["SESSION_STORE": "file", "SESSION_KEY_PREFIX": "x:"], "SESSION_KEY_PREFIX is set, but SESSION_STORE is file"),
    ])
    func mistakesNameTheirKey(settings: [String: String], message: String) {
        let error = #expect(throws: ConfigurationError.self) { try AppConfiguration.load(environment: settings) }
        #expect(error.map { "\($0)".hasPrefix(message) } == true, "\(String(describing: error))")
        #expect(error.map { !"\($0)".contains("\n") } == true)
    }

    @Test func aMistypedURLNeverShowsItsPassword() {
        for url in ["redis://u:Sup3rSecretPw@h:port", "redls://u:Sup3rSecretPw@h"] {
            let error = #expect(throws: ConfigurationError.self) { try AppConfiguration.load(environment: ["SESSION_STORE": url]) }
            #expect(error?.key == "SESSION_STORE")
            #expect(error.map { !"\($0)".contains("Sup3rSecretPw") } == true)
        }
    }

    /// Checked against the real server at start-up: a password Redis refuses, a CA that does
    /// not verify its certificate, a CA file that cannot be read.
    @Test func whatRedisRefusesStopsStartUpNamingTheKey() throws {
        let redis = try RedisServer.start(RedisServerOptions(tls: true, password: "right-password"))
        let shared = ["SESSION_SECRET": TestApp.sharedSecret]
        let wrong = TestApp.startupError(["SESSION_STORE": redis.url(), "REDIS_PASSWORD": "wrong-password"], over: shared)
        #expect(wrong?.key == "REDIS_PASSWORD")
        #expect(wrong.map { !"\($0)".contains("wrong-password") && !"\($0)".contains("right-password") } == true)
        #expect(TestApp.startupError(["SESSION_STORE": redis.url()], over: shared)?.key == "REDIS_PASSWORD", "no password at all")

        let untrusted = TestApp.startupError(["SESSION_STORE": redis.tlsURL(), "REDIS_PASSWORD": "right-password"], over: shared)
        #expect(untrusted?.key == "SESSION_STORE")
        #expect(untrusted?.reason.contains("does not get a verified TLS connection") == true, "\(String(describing: untrusted))")
        let unreadable = TestApp.startupError(["SESSION_STORE": redis.tlsURL(), "REDIS_PASSWORD": "right-password",
                                               "REDIS_CA_FILE": "/nonexistent/ca.pem"], over: shared)
        #expect(unreadable?.description == "REDIS_CA_FILE cannot be read: /nonexistent/ca.pem: No such file or directory")
        #expect(TestApp.startupError(["SESSION_STORE": redis.tlsURL(), "REDIS_PASSWORD": "right-password",
                                      "REDIS_CA_FILE": redis.certificateAuthority!.certificateFile], over: shared) == nil)
    }
}
