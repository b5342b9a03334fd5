import App
import Foundation
import Testing

/// The settings read from the environment and `.env`: defaults, which source wins, the
/// start-up errors that name a key, and the shipped example and README listing every key.
@Suite struct AppConfigurationTests {
    @Test func defaults() throws {
        let config = try AppConfiguration.load(environment: [:])
        #expect(config.host == "127.0.0.1")
        #expect(config.port == 5000)
        #expect(config.scopes == ["User.Read"])
        #expect(config.adminRole == "admin")
        #expect(config.graphEndpoint == nil)
        #expect(config.sessionDirectory == ".sessions")
        #expect(config.logLevel == .info)
        #expect(!config.hasIdentityProvider)
        #expect(config.missingIdentityKeys == ["CLIENT_ID", "AUTHORITY", "CLIENT_SECRET"])
    }

    @Test func environmentWinsOverDotEnv() throws {
        let config = try AppConfiguration.load(environment: ["PORT": "7000"], dotEnv: ["PORT": "6000", "HOST": "::1"])
        #expect(config.port == 7000)
        #expect(config.host == "::1")
    }

    @Test func logLevelComesFromDotEnvToo() throws {
        #expect(try AppConfiguration.load(environment: [:], dotEnv: ["LOG_LEVEL": "warning"]).logLevel == .warning)
        #expect(try AppConfiguration.load(environment: ["LOG_LEVEL": "debug"], dotEnv: ["LOG_LEVEL": "warning"]).logLevel == .debug)
    }

    @Test func aPortThatIsNotANumberNamesTheKey() {
        #expect(throws: ConfigurationError(key: "PORT", reason: "must be a whole number from 0 to 65535, got \"http\"")) {
            try AppConfiguration.load(environment: ["PORT": "http"])
        }
        #expect(throws: ConfigurationError.self) { try AppConfiguration.load(environment: ["PORT": "70000"]) }
    }

    @Test func aRelativeRedirectURINamesTheKey() {
        do {
            _ = try AppConfiguration.load(environment: ["REDIRECT_URI": "/getAToken"])
            Issue.record("a relative redirect URI was accepted")
        } catch {
            #expect(error.key == "REDIRECT_URI")
            #expect(error.description.contains("REDIRECT_URI"))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func otherInvalidValuesNameTheirKeys() {
        let cases: [(String, String)] = [
            ("GRAPH_ENDPOINT", "graph.microsoft.com/v1.0/me"),
            ("SESSION_IDLE_TIMEOUT", "-5"),
            ("DEV_IDP", "maybe"),
            ("TOKEN_AUTH_METHOD", "none"),
            ("MAX_CONNECTIONS", "0"),
            ("MAX_CONNECTIONS_PER_CLIENT", "none"),
            ("LOG_LEVEL", "loud"),
        ]
        for (key, value) in cases {
            #expect(throws: ConfigurationError.self, "\(key)=\(value)") { try AppConfiguration.load(environment: [key: value]) }
            do { _ = try AppConfiguration.load(environment: [key: value]) } catch { #expect(error.key == key) }
        }
    }

    @Test func envExampleListsEveryKey() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let example = try DotEnv.load(path: root.appendingPathComponent(".env.example").path)
        for (key, _) in AppConfiguration.keys {
            #expect(example[key] != nil, "\(key) missing from .env.example")
        }
        #expect(Set(example.keys) == Set(AppConfiguration.keys.map(\.key)))
    }

    @Test func theReadmesConfigurationTableListsEveryKey() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let rows = Set(readme.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `"), let end = line.dropFirst(3).firstIndex(of: "`") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 3)..<end])
        })
        for (key, _) in AppConfiguration.keys {
            #expect(rows.contains(key), "\(key) missing from the README's configuration table")
        }
    }

    @Test func theShippedExampleIsNotMultiTenant() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let example = try DotEnv.load(path: root.appendingPathComponent(".env.example").path)
        let authority = try #require(example["AUTHORITY"])
        #expect(!authority.hasSuffix("/organizations") && !authority.hasSuffix("/common"))
    }
}
