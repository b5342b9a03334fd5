import CryptoSupport
import Encodings
import Foundation
import JOSE
import OIDC
import Testing

/// RSA keys, JWK conversion, RS256 JWS signing/verification and certificate thumbprints.
@Suite struct JOSETests {
    @Test func signedTokenVerifiesWithItsPublicJWKOnly() throws {
        let token = try JWT.sign(header: ["kid": "k"], claims: ["sub": "alice", "n": 5], with: TestKeys.primary)
        let parsed = try JWT(compact: token)
        #expect(parsed.algorithm == "RS256")
        #expect(parsed.keyID == "k")
        #expect(parsed.header["typ"] == "JWT")
        #expect(parsed.claims["sub"] == "alice")
        let publicKey = try TestKeys.primary.publicJWK(kid: "k").rsaPublicKey()
        #expect(!publicKey.isPrivate)
        #expect(publicKey.verifyRS256(signature: parsed.signature, message: parsed.signingInput))
        let otherKey = try TestKeys.secondary.publicJWK(kid: nil).rsaPublicKey()
        #expect(!otherKey.verifyRS256(signature: parsed.signature, message: parsed.signingInput))
        var tampered = parsed.signingInput
        tampered[tampered.count - 1] ^= 1
        #expect(!publicKey.verifyRS256(signature: parsed.signature, message: tampered))
    }

    @Test func publicJWKHasRS256Fields() throws {
        let jwk = try TestKeys.primary.publicJWK(kid: "abc")
        #expect(jwk.kty == "RSA" && jwk.use == "sig" && jwk.alg == "RS256" && jwk.kid == "abc")
        #expect(jwk.e == "AQAB")
        #expect(Base64URL.decode(jwk.n!)!.count == 256)
        #expect(TestKeys.primary.bits == 2048)
    }

    @Test func privateKeyPEMRoundTrips() throws {
        let pem = try TestKeys.primary.privateKeyPEM()
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let reloaded = try RSAKey(privateKeyPEM: pem)
        #expect(try reloaded.publicJWK(kid: nil) == TestKeys.primary.publicJWK(kid: nil))
        let signature = try reloaded.signRS256(Array("hello".utf8))
        #expect(TestKeys.primary.verifyRS256(signature: signature, message: Array("hello".utf8)))
        let publicOnly = try RSAKey(publicKeyPEM: try TestKeys.primary.publicKeyPEM())
        #expect(throws: CryptoError.self) { try publicOnly.signRS256([1]) }
    }

    @Test func rejectsGarbagePEMAndShortKeys() throws {
        #expect(throws: CryptoError.self) { try RSAKey(privateKeyPEM: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") }
        #expect(throws: CryptoError.self) { try RSAKey.generate(bits: 1024) }
        #expect(throws: CryptoError.self) { try RSAKey(modulus: [0xC3] + [UInt8](repeating: 0x11, count: 127), exponent: [1, 0, 1]) }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "needs the openssl command"))
    func encryptedPEMFailsInsteadOfPrompting() throws {
        // Encrypt our test key with the openssl command; loading must fail at once (not
        // wait for a passphrase on a terminal).
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pem-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = directory.appendingPathComponent("key.pem")
        let encrypted = directory.appendingPathComponent("key.enc.pem")
        try Data(try TestKeys.primary.privateKeyPEM().utf8).write(to: plain)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", plain.path, "-out", encrypted.path, "-passout", "pass:secret"]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let pem = try String(contentsOf: encrypted, encoding: .utf8)
        #expect(pem.contains("ENCRYPTED PRIVATE KEY"))
        #expect(throws: CryptoError.self) { try RSAKey(privateKeyPEM: pem) }
    }

    @Test func thumbprintIsRFC7638Shape() throws {
        let thumbprint = try TestKeys.primary.thumbprint()
        #expect(Base64URL.decode(thumbprint)?.count == 32)
        #expect(try thumbprint != TestKeys.secondary.thumbprint())
    }

    @Test func parseRejectsMalformedCompactForms() {
        #expect(throws: JWT.ParseError.notThreeSegments) { try JWT(compact: "a.b") }
        #expect(throws: JWT.ParseError.invalidBase64URL) { try JWT(compact: "a*.b.c") }
        let notJSON = Base64URL.encode("nope")
        #expect(throws: JWT.ParseError.headerNotJSONObject) { try JWT(compact: "\(notJSON).\(notJSON).") }
    }

    @Test func certificateThumbprintsAreOverTheDER() throws {
        let certificate = try Certificate.selfSigned(key: TestKeys.primary, commonName: "entra-web test")
        let reloaded = try Certificate(pem: certificate.pem)
        #expect(reloaded == certificate)
        // Decode the PEM body independently of the module.
        let body = certificate.pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let der = [UInt8](Data(base64Encoded: body)!)
        #expect(der == certificate.der)
        #expect(certificate.sha1Thumbprint == Base64URL.encode(Digest.sha1(der)))
        #expect(certificate.sha256Thumbprint == Base64URL.encode(Digest.sha256(der)))
        #expect(certificate.matches(privateKey: TestKeys.primary))
        #expect(!certificate.matches(privateKey: TestKeys.secondary))
    }

    @Test func everyCertificateOfABundleIsRead() throws {
        let first = try Certificate.selfSigned(key: TestKeys.primary, commonName: "Root")
        let second = try Certificate.selfSigned(key: TestKeys.secondary, commonName: "Issuing", serial: 2)
        let bundle = "# exported from the corporate store\n" + first.pem + "Subject: CN=Issuing\n" + second.pem
        #expect(Certificate.all(inPEM: bundle) == [first, second])
        #expect(Certificate.all(inPEM: "") == [])
        #expect(Certificate.all(inPEM: try TestKeys.primary.privateKeyPEM()) == [], "a key is no certificate")
        let damaged = first.pem + second.pem.replacingOccurrences(of: "A", with: "*")
        #expect(Certificate.all(inPEM: damaged) == [first], "a damaged block ends the bundle; nothing made up")
    }

    @Test func certificateCredentialRequiresMatchingKey() throws {
        let certificate = try Certificate.selfSigned(key: TestKeys.primary, commonName: "x")
        #expect(throws: SettingError("does not match its private key")) {
            try ClientCredential.certificate(privateKeyPEM: try TestKeys.secondary.privateKeyPEM(), certificatePEM: certificate.pem)
        }
        _ = try ClientCredential.certificate(privateKeyPEM: try TestKeys.primary.privateKeyPEM(), certificatePEM: certificate.pem)
    }
}
