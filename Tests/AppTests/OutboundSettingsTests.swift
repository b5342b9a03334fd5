import App
import Foundation
import HTTPClient
import JOSE
import Testing

/// CA_BUNDLE, SSL_CERT_FILE and SSL_CERT_DIR become the trust of every outbound call, and a
/// file that cannot be used stops start-up naming its key; proxy variables written only in
/// `.env`, which libcurl never reads, stop it too.
@Suite struct OutboundSettingsTests {
    /// A directory with a CA file, a file without a certificate, and a subdirectory.
    final class Files {
        let directory: URL
        var caFile: String { directory.appendingPathComponent("ca.pem").path }
        var notPEM: String { directory.appendingPathComponent("not.pem").path }
        var hashedDirectory: String { directory.appendingPathComponent("certs").path }

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbound-\(UUID().uuidString)")
            try FileManager.default.createDirectory(atPath: directory.appendingPathComponent("certs").path, withIntermediateDirectories: true)
            let first = try Certificate.selfSigned(key: try RSAKey.generate(bits: 2048), commonName: "Corporate Root CA")
            let second = try Certificate.selfSigned(key: try RSAKey.generate(bits: 2048), commonName: "Corporate Issuing CA")
            try ("# corporate bundle\n" + first.pem + "some text between\n" + second.pem).write(toFile: caFile, atomically: true, encoding: .utf8)
            try "-----BEGIN PRIVATE KEY-----\nnot a certificate\n-----END PRIVATE KEY-----\n".write(toFile: notPEM, atomically: true, encoding: .utf8)
        }

        deinit { try? FileManager.default.removeItem(at: directory) }
    }

    func tls(_ settings: [String: String]) throws -> OutboundTLS {
        try TestApp.configuration(settings).outboundTLS()
    }

    func error(_ settings: [String: String]) -> ConfigurationError? {
        do {
            _ = try tls(settings)
            return nil
        } catch {
            return error as? ConfigurationError
        }
    }

    @Test func withoutSettingsTheSystemStoreIsTrusted() throws {
        #expect(try tls([:]) == .system)
    }

    @Test func caBundleIsTheOnlyTrustAndWinsOverTheConventionalVariables() throws {
        let files = try Files()
        #expect(try tls(["CA_BUNDLE": files.caFile]) == OutboundTLS(caFile: .path(files.caFile), caDirectory: .none))
        #expect(try tls(["CA_BUNDLE": files.caFile, "SSL_CERT_FILE": "/nonexistent", "SSL_CERT_DIR": "/nonexistent"])
                == .only(bundle: files.caFile), "CA_BUNDLE wins; the others are not even looked at")
    }

    @Test func sslCertFileAndDirReplaceOnlyTheirOwnDefault() throws {
        let files = try Files()
        #expect(try tls(["SSL_CERT_FILE": files.caFile]) == OutboundTLS(caFile: .path(files.caFile), caDirectory: .systemDefault))
        #expect(try tls(["SSL_CERT_DIR": files.hashedDirectory]) == OutboundTLS(caFile: .systemDefault, caDirectory: .path(files.hashedDirectory)))
        let both = "\(files.hashedDirectory):\(files.directory.path)"
        #expect(try tls(["SSL_CERT_FILE": files.caFile, "SSL_CERT_DIR": both]) == OutboundTLS(caFile: .path(files.caFile), caDirectory: .path(both)))
    }

    @Test func anUnusableFileOrDirectoryStopsStartUpNamingTheKey() throws {
        let files = try Files()
        let missing = files.directory.appendingPathComponent("missing.pem").path
        #expect(error(["CA_BUNDLE": missing]) == ConfigurationError(key: "CA_BUNDLE", reason: "cannot read \(missing)"))
        #expect(error(["CA_BUNDLE": files.notPEM])?.key == "CA_BUNDLE")
        #expect(error(["CA_BUNDLE": files.notPEM])?.reason.contains("holds no PEM certificate") == true)
        #expect(error(["CA_BUNDLE": files.hashedDirectory])?.key == "CA_BUNDLE", "a directory is no bundle")
        #expect(error(["SSL_CERT_FILE": files.notPEM])?.key == "SSL_CERT_FILE")
        #expect(error(["SSL_CERT_DIR": files.caFile])?.key == "SSL_CERT_DIR")
        #expect(error(["SSL_CERT_DIR": "\(files.hashedDirectory):\(missing)"])?.reason == "names \(missing), which is not a directory")

        // The whole app refuses to start the same way, before touching the session directory.
        let startup = TestApp.startupError(["CA_BUNDLE": files.notPEM, "SESSION_DIR": files.directory.appendingPathComponent("sessions").path])
        #expect(startup?.key == "CA_BUNDLE")
        #expect(!FileManager.default.fileExists(atPath: files.directory.appendingPathComponent("sessions").path))
    }

    @Test func aProxyWrittenOnlyInDotEnvStopsStartUp() throws {
        for key in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "NO_PROXY"] {
            #expect(throws: ConfigurationError.self, "\(key)") {
                try AppConfiguration.load(environment: [:], dotEnv: [key: "http://proxy.corp.example:3128"])
            }
            do {
                _ = try AppConfiguration.load(environment: [:], dotEnv: [key: "http://proxy.corp.example:3128"])
            } catch {
                #expect(error.key == key)
                #expect(error.reason.contains("process environment"))
            }
            // Exported as well (docker --env-file, systemd EnvironmentFile): libcurl sees it.
            _ = try AppConfiguration.load(environment: [key: "http://proxy.corp.example:3128"], dotEnv: [key: "http://proxy.corp.example:3128"])
        }
        _ = try AppConfiguration.load(environment: ["HTTPS_PROXY": "http://proxy.corp.example:3128"], dotEnv: [:])
        _ = try AppConfiguration.load(environment: [:], dotEnv: ["HTTPS_PROXY": ""])
    }
}
