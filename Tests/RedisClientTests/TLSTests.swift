import Foundation
import RedisClient
import RedisTestSupport
import Testing

/// rediss:// through libssl against redis-server's tls-port: the certificate must chain to
/// the configured CA (or the system's) and name the host; otherwise no connection.
@Suite struct TLSTests {
    @Test func commandsOverTLS() throws {
        let server = try RedisServer.shared()
        let client = try RedisClient(configuration: server.configuration(tls: true))
        let key = uniqueKey()
        let value = (0..<200_000).map { UInt8(truncatingIfNeeded: $0) }
        try client.set(key, value)
        #expect(try client.get(key) == value)
        let results = try client.pipeline((0..<50).map { RedisCommand("INCR", key + ":n\($0 % 5)") })
        #expect(results.count == 50)
        // Over TLS indeed: the server sees the connection on its TLS port.
        let info = try client.execute(RedisCommand("CLIENT", "INFO")).string() ?? ""
        #expect(info.contains("laddr=127.0.0.1:\(server.tlsPort!)"))
    }

    @Test func untrustedCertificateIsRefused() throws {
        let server = try RedisServer.shared()
        let otherDirectory = server.directory + "/other-ca-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: otherDirectory, withIntermediateDirectories: true)
        let otherCA = try TestCertificateAuthority(directory: otherDirectory, name: "some other CA")
        let wrongCA = try RedisClient(configuration: RedisConfiguration(url: server.tlsURL(), caFile: otherCA.certificateFile))
        let error = #expect(throws: RedisError.self) { try wrongCA.ping() }
        #expect(Self.isUntrusted(error, "localhost:\(server.tlsPort!): the server's certificate is not accepted for localhost: "))

        // Without a CA file the system store decides, and it does not know the test CA.
        let systemStore = try RedisClient(configuration: RedisConfiguration(url: server.tlsURL()))
        let systemError = #expect(throws: RedisError.self) { try systemStore.ping() }
        #expect(Self.isUntrusted(systemError, "localhost:\(server.tlsPort!): the server's certificate is not accepted for localhost: "))
    }

    /// OpenSSL's verdict on a chain from an unknown CA: Redis sends its CA along with its
    /// certificate, which makes it "self-signed certificate in certificate chain".
    static func isUntrusted(_ error: RedisError?, _ prefix: String) -> Bool {
        guard case .tls(let detail) = error, detail.hasPrefix(prefix) else { return false }
        let verdict = detail.dropFirst(prefix.count)
        return verdict == "self-signed certificate in certificate chain" || verdict == "unable to get local issuer certificate"
    }

    @Test func certificateForAnotherAddressIsRefused() throws {
        // The certificate names localhost only; 127.0.0.1 is the same server, not the same name.
        let server = try RedisServer.shared()
        let client = try RedisClient(configuration: server.configuration(tls: true, host: "127.0.0.1"))
        let error = #expect(throws: RedisError.self) { try client.ping() }
        #expect(error == .tls("127.0.0.1:\(server.tlsPort!): the server's certificate is not accepted for 127.0.0.1: IP address mismatch"))
    }

    @Test func certificateForAnotherNameIsRefused() throws {
        let server = try RedisServer.start(RedisServerOptions(tls: true, certificateNames: ["redis.example.test"]))
        let client = try RedisClient(configuration: server.configuration(tls: true, host: "localhost"))
        let error = #expect(throws: RedisError.self) { try client.ping() }
        #expect(error == .tls("localhost:\(server.tlsPort!): the server's certificate is not accepted for localhost: hostname mismatch"))
        #expect(error?.isTransient == false)
    }

    @Test func tlsClientOnThePlainPortFails() throws {
        let server = try RedisServer.shared()
        var configuration = try server.configuration(tls: true)
        configuration.port = server.port
        configuration.connectTimeout = .seconds(1)
        let client = try RedisClient(configuration: configuration)
        let error = #expect(throws: RedisError.self) { try client.ping() }
        // Redis reads the ClientHello as an inline command: it answers with an error line
        // (not a TLS record) once it sees a line feed, or waits for one until we give up.
        switch error {
        case .tls(let detail): #expect(detail.contains("handshake failed"))
        case .timeout(let detail): #expect(detail.contains("connecting to"))
        default: Issue.record("\(String(describing: error))")
        }
    }

    @Test func plainClientOnTheTLSPortFails() throws {
        let server = try RedisServer.shared()
        var configuration = try server.configuration()
        configuration.port = server.tlsPort!
        configuration.connectTimeout = .seconds(5)
        let client = try RedisClient(configuration: configuration)
        let error = #expect(throws: RedisError.self) { try client.ping() }
        #expect(error == .unavailable("127.0.0.1:\(server.tlsPort!) ended the connection while it was being set up (is it a Redis server, and does it expect TLS as configured?)"))
    }

    @Test func badCAFileStopsStartUp() throws {
        let missing = #expect(throws: RedisConfigurationError.self) {
            try RedisClient(configuration: RedisConfiguration(url: "rediss://localhost", caFile: "/nonexistent/ca.pem"))
        }
        #expect(missing == RedisConfigurationError(.caFile, "cannot be read: /nonexistent/ca.pem: No such file or directory"))
        let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-ca-\(UUID().uuidString).pem").path
        try "not a certificate\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: garbage) }
        let unusable = #expect(throws: RedisConfigurationError.self) {
            try RedisClient(configuration: RedisConfiguration(url: "rediss://localhost", caFile: garbage))
        }
        #expect(unusable?.setting == .caFile)
        #expect(unusable?.reason.hasPrefix("holds no usable CA certificate: \(garbage)") == true)
    }
}
