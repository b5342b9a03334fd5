@testable import App
import CryptoSupport
import Foundation
import Synchronization
import Testing
import TestSupport

/// SESSION_SECRET: what is accepted, the generated file of a single machine, and the rule
/// that a shared store needs the setting.
@Suite struct SessionSecretTests {
    func directory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)")
    }

    @Test func hexAndBase64OfAtLeast32BytesAreAccepted() throws {
        let bytes = (0..<32).map { UInt8($0 * 7 % 256) }
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let base64 = Data(bytes).base64EncodedString()
        for spelling in [hex, hex.uppercased(), base64, base64.replacingOccurrences(of: "=", with: ""), " \(base64)\n",
                         base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")] {
            #expect(SessionSecret(encoded: spelling) == SessionSecret(bytes: bytes), "\(spelling)")
        }
        #expect(SessionSecret(encoded: Data(Array(repeating: 1, count: 64)).base64EncodedString()) != nil, "longer is fine")
    }

    @Test func shortOrMalformedValuesStopStartUpNamingTheKey() {
        let tooShort = Data(Array(repeating: 1, count: 31)).base64EncodedString()
        for value in ["secret", "changeme-changeme-changeme-changeme", tooShort, String(repeating: "a", count: 62), String(repeating: "ab", count: 32) + "!"] {
            let error = TestApp.startupError(["SESSION_SECRET": value])
            #expect(error?.key == "SESSION_SECRET", "\(value)")
            #expect(error.map { !$0.description.contains(value) } == true, "the value is not echoed")
            #expect(error?.description.contains("at least 32 random bytes") == true)
        }
    }

    @Test func withoutTheSettingASecretIsGeneratedOnceAndKept() throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try SessionSecret.loadOrCreate(inDirectory: dir.path, random: OpenSSLRandom())
        let file = dir.appendingPathComponent("secret").path
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
        #expect(mode & 0o777 == 0o600)
        #expect(try SessionSecret.loadOrCreate(inDirectory: dir.path, random: OpenSSLRandom()) == first, "read back, not replaced")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["secret"], "no temporary file is left")
        #expect(first.bytes.count == 32)
    }

    /// Two first starts at once (threads here; `link` is atomic across processes alike):
    /// every one of them ends up with the one secret that was written.
    @Test func concurrentFirstStartsAgreeOnOneSecret() throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let secrets = Mutex<[SessionSecret]>([])
        let errors = onThreads(8) { _ in
            let secret = try SessionSecret.loadOrCreate(inDirectory: dir.path, random: OpenSSLRandom())
            secrets.withLock { $0.append(secret) }
        }
        #expect(errors.isEmpty, "\(errors)")
        let all = secrets.withLock { $0 }
        #expect(all.count == 8 && Set(all.map { $0.bytes }).count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["secret"])
    }

    @Test func aSecretFileOthersMayReadIsRefused() throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try SessionSecret.loadOrCreate(inDirectory: dir.path, random: OpenSSLRandom())
        let file = dir.appendingPathComponent("secret").path
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        #expect(throws: ConfigurationError.self) { try SessionSecret.loadOrCreate(inDirectory: dir.path, random: OpenSSLRandom()) }
        let error = TestApp.startupError(["SESSION_DIR": dir.path])
        #expect(error?.key == "SESSION_DIR")
        #expect(error?.description.contains("chmod 600") == true)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        try "not a secret\n".write(toFile: file, atomically: false, encoding: .utf8)
        #expect(TestApp.startupError(["SESSION_DIR": dir.path])?.description.contains("does not hold a secret") == true)
    }

    @Test func theSettingWinsAndNothingIsWritten() throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var configuration = try TestApp.configuration(["SESSION_DIR": dir.path, "SESSION_SECRET": String(repeating: "ab", count: 32)])
        #expect(try SessionSecret.resolve(configuration) == SessionSecret(bytes: Array(repeating: 0xAB, count: 32)))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("secret").path))
        // A shared store: the setting is required, the file of one machine is no substitute.
        configuration.sessionSecret = nil
        configuration.sessionStore = try SessionStoreSetting.parse(store: "redis://127.0.0.1:6379", password: nil, caFile: nil, keyPrefix: nil)
        #expect { try SessionSecret.resolve(configuration) } throws: { error in
            (error as? ConfigurationError)?.key == "SESSION_SECRET"
                && "\(error)".contains("required when the session store is shared")
        }
        // And at start-up, before Redis is ever asked.
        let error = TestApp.startupError(["SESSION_DIR": dir.path, "SESSION_STORE": "redis://127.0.0.1:1"])
        #expect(error?.key == "SESSION_SECRET")
    }

    @Test func keysForDifferentPurposesAreUnrelated() {
        let secret = SessionSecret(bytes: Array(repeating: 3, count: 32))
        #expect(secret.key(for: "a") != secret.key(for: "b"))
        #expect(secret.key(for: "a").count == 32)
        #expect("\(secret)" == "SessionSecret(redacted)")
    }
}
