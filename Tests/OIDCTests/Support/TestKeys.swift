import JOSE
import OIDC

/// RSA keys generated once per test run (never pasted), shared by the tests.
enum TestKeys {
    static let primary: RSAKey = try! RSAKey.generate(bits: 2048)
    static let secondary: RSAKey = try! RSAKey.generate(bits: 2048)
    static let attacker: RSAKey = try! RSAKey.generate(bits: 2048)
}
