import Foundation
import HTTPClient
import RedisTestSupport
import Testing

/// The libcurl transport's trust settings against a real TLS server (`openssl s_server`)
/// whose certificate comes from a throw-away CA: trusted exactly when the settings name that
/// CA (as a file or as a hashed directory), refused with the system store, another CA or
/// another host name, on every request of a transport whose handles are reused.
@Suite(.serialized) struct OutboundTLSTests {
    /// `openssl s_server -www` on 127.0.0.1 with a port the system picks; killed on `stop()`.
    final class TLSServer {
        let process = Process()
        let port: Int

        init(certificate: String, key: String, output: String) throws {
            process.executableURL = URL(fileURLWithPath: try #require(["/usr/bin/openssl", "/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                                                     "the openssl command is not installed (make test installs Debian's openssl)"))
            process.arguments = ["s_server", "-accept", "127.0.0.1:0", "-cert", certificate, "-key", key, "-www", "-naccept", "20"]
            FileManager.default.createFile(atPath: output, contents: nil)
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            process.standardOutput = log
            process.standardError = log
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(20)
            var found: Int?
            while found == nil, Date() < deadline, process.isRunning {
                let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
                found = text.split(separator: "\n").first { $0.hasPrefix("ACCEPT ") }.flatMap { $0.split(separator: ":").last.flatMap { Int($0) } }
                if found == nil { Thread.sleep(forTimeInterval: 0.05) }
            }
            guard let found else {
                kill(process.processIdentifier, SIGKILL)
                throw RedisHarnessError("openssl s_server did not start: \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
            }
            port = found
        }

        /// SIGKILL: a child of a test thread may have every other signal blocked.
        func stop() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// A CA, a server certificate for 127.0.0.1 from it, an unrelated CA, and the server.
    final class Setup {
        let directory: String
        let ca: TestCertificateAuthority
        let other: TestCertificateAuthority
        let server: TLSServer

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbound-tls-\(UUID().uuidString)").path
            for name in ["ca", "other", "hashed"] {
                try FileManager.default.createDirectory(atPath: directory + "/" + name, withIntermediateDirectories: true)
            }
            ca = try TestCertificateAuthority(directory: directory + "/ca", name: "Contoso Private Root CA")
            other = try TestCertificateAuthority(directory: directory + "/other", name: "Somebody Else's CA")
            let certificate = try ca.issueServerCertificate(for: ["127.0.0.1"])
            server = try TLSServer(certificate: certificate.certificateFile, key: certificate.keyFile, output: directory + "/s_server.log")
        }

        deinit {
            server.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }

        /// The CA under its subject hash in a directory of its own, as SSL_CERT_DIR expects.
        func hashedDirectory() throws -> String {
            let target = directory + "/hashed"
            try FileManager.default.copyItem(atPath: ca.certificateFile, toPath: target + "/ca.pem")
            let rehash = Process()
            rehash.executableURL = server.process.executableURL
            rehash.arguments = ["rehash", target]
            try rehash.run()
            rehash.waitUntilExit()
            #expect(rehash.terminationStatus == 0)
            return target
        }

        func get(_ tls: OutboundTLS, host: String = "127.0.0.1") -> Result<Int, TransportError> {
            let transport = CurlTransport(options: .init(connectTimeout: 10, totalTimeout: 20, tls: tls))
            return Result { () throws(TransportError) in try transport.send(OutboundRequest(url: "https://\(host):\(server.port)/")).status }
        }
    }

    static func isTLSFailure(_ result: Result<Int, TransportError>) -> Bool {
        if case .failure(.tlsFailure) = result { return true }
        return false
    }

    @Test func theNamedCAIsTrustedOnEveryRequestAndNothingElse() throws {
        let setup = try Setup()
        let trusting = CurlTransport(options: .init(connectTimeout: 10, totalTimeout: 20, tls: .only(bundle: setup.ca.certificateFile)))
        for attempt in 1...3 {
            let response = try trusting.send(OutboundRequest(url: "https://127.0.0.1:\(setup.server.port)/"))
            #expect(response.status == 200, "request \(attempt) on a reused handle")
        }

        let system = setup.get(.system)
        #expect(Self.isTLSFailure(system), "the system store does not know a throw-away CA: \(system)")
        if case .failure(.tlsFailure(let detail)) = system { #expect(detail.contains("certificate"), "curl's reason, for the log: \(detail)") }
        #expect(Self.isTLSFailure(setup.get(.only(bundle: setup.other.certificateFile))), "another CA")
        #expect(Self.isTLSFailure(setup.get(.only(bundle: setup.ca.certificateFile), host: "localhost")),
                "the certificate names 127.0.0.1 only: the host name is checked too")
    }

    @Test func aHashedDirectoryWorksAndTheDefaultsCanBeSwitchedOff() throws {
        let setup = try Setup()
        let hashed = try setup.hashedDirectory()
        #expect(try setup.get(OutboundTLS(caFile: .none, caDirectory: .path(hashed))).get() == 200)
        #expect(try setup.get(OutboundTLS(caFile: .systemDefault, caDirectory: .path(hashed))).get() == 200)
        #expect(Self.isTLSFailure(setup.get(OutboundTLS(caFile: .none, caDirectory: .none))), "nothing trusted")
        #expect(Self.isTLSFailure(setup.get(OutboundTLS(caFile: .path(setup.other.certificateFile), caDirectory: .none))))
    }
}
