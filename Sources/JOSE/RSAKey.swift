import COpenSSL
import CryptoSupport
import Encodings

/// An RSA key (private or public-only) for RS256 JWS: generation, PEM import/export,
/// JWK import/export, signing and verification through OpenSSL 3's EVP_PKEY interface.
/// The embedded development identity provider signs its tokens with this type too.
public final class RSAKey: @unchecked Sendable {
    // Never mutated after init; OpenSSL allows concurrent signing/verifying with one
    // EVP_PKEY as long as each operation has its own EVP_MD_CTX, which it does here.
    let pkey: OpaquePointer
    /// True when the key holds the private half and can sign.
    public let isPrivate: Bool

    /// RSA keys shorter than this are refused for verification and generation: anything
    /// smaller is considered breakable.
    public static let minimumBits = 2048

    private init(pkey: OpaquePointer, isPrivate: Bool) {
        self.pkey = pkey
        self.isPrivate = isPrivate
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    /// Size of the modulus in bits.
    public var bits: Int { Int(EVP_PKEY_get_bits(pkey)) }

    // MARK: - Creation

    /// Generates a new key pair with OpenSSL's CSPRNG.
    public static func generate(bits: Int = 2048) throws -> RSAKey {
        guard bits >= minimumBits else {
            throw CryptoError(operation: "RSA key generation", detail: "at least \(minimumBits) bits are required")
        }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, OpenSSLName.rsa, nil) else {
            throw CryptoError.fromOpenSSL("EVP_PKEY_CTX_new_from_name")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1,
              EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(bits)) == 1
        else { throw CryptoError.fromOpenSSL("EVP_PKEY_keygen_init") }
        var key: OpaquePointer?
        guard EVP_PKEY_generate(context, &key) == 1, let key else {
            throw CryptoError.fromOpenSSL("EVP_PKEY_generate")
        }
        return RSAKey(pkey: key, isPrivate: true)
    }

    /// Loads a PEM private key (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY").
    /// Encrypted PEM is refused rather than prompting for a passphrase on the terminal.
    public convenience init(privateKeyPEM pem: String) throws {
        let key = try MemoryBIO.reading(pem) { bio -> OpaquePointer in
            guard let key = PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in -1 }, nil) else {
                throw CryptoError.fromOpenSSL("PEM_read_bio_PrivateKey")
            }
            return key
        }
        try Self.requireRSA(key)
        self.init(pkey: key, isPrivate: true)
    }

    /// Loads a PEM public key ("PUBLIC KEY", SubjectPublicKeyInfo).
    public convenience init(publicKeyPEM pem: String) throws {
        let key = try MemoryBIO.reading(pem) { bio -> OpaquePointer in
            guard let key = PEM_read_bio_PUBKEY(bio, nil, { _, _, _, _ in -1 }, nil) else {
                throw CryptoError.fromOpenSSL("PEM_read_bio_PUBKEY")
            }
            return key
        }
        try Self.requireRSA(key)
        self.init(pkey: key, isPrivate: false)
    }

    /// Builds a public key from a JWK's big-endian modulus and exponent.
    public convenience init(modulus: [UInt8], exponent: [UInt8]) throws {
        let key = try Self.publicKey(modulus: modulus, exponent: exponent)
        self.init(pkey: key, isPrivate: false)
        guard bits >= Self.minimumBits else {
            throw CryptoError(operation: "RSA public key", detail: "modulus of \(bits) bits is too short")
        }
    }

    /// Wraps an EVP_PKEY the caller owns one reference to (used for certificate keys).
    static func adopting(_ pkey: OpaquePointer, isPrivate: Bool) throws -> RSAKey {
        do { try requireRSA(pkey) } catch {
            EVP_PKEY_free(pkey)
            throw error
        }
        return RSAKey(pkey: pkey, isPrivate: isPrivate)
    }

    private static func requireRSA(_ key: OpaquePointer) throws {
        guard EVP_PKEY_is_a(key, "RSA") == 1 else {
            EVP_PKEY_free(key)
            throw CryptoError(operation: "RSA key", detail: "the key is not an RSA key")
        }
    }

    private static func publicKey(modulus: [UInt8], exponent: [UInt8]) throws -> OpaquePointer {
        guard !modulus.isEmpty, !exponent.isEmpty else {
            throw CryptoError(operation: "RSA public key", detail: "empty modulus or exponent")
        }
        guard let n = BN_bin2bn(modulus, Int32(modulus.count), nil) else { throw CryptoError.fromOpenSSL("BN_bin2bn") }
        defer { BN_free(n) }
        guard let e = BN_bin2bn(exponent, Int32(exponent.count), nil) else { throw CryptoError.fromOpenSSL("BN_bin2bn") }
        defer { BN_free(e) }
        guard let builder = OSSL_PARAM_BLD_new() else { throw CryptoError.fromOpenSSL("OSSL_PARAM_BLD_new") }
        defer { OSSL_PARAM_BLD_free(builder) }
        guard OSSL_PARAM_BLD_push_BN(builder, OpenSSLName.modulus, n) == 1,
              OSSL_PARAM_BLD_push_BN(builder, OpenSSLName.exponent, e) == 1,
              let params = OSSL_PARAM_BLD_to_param(builder)
        else { throw CryptoError.fromOpenSSL("OSSL_PARAM_BLD_push_BN") }
        defer { OSSL_PARAM_free(params) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, OpenSSLName.rsa, nil) else {
            throw CryptoError.fromOpenSSL("EVP_PKEY_CTX_new_from_name")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        // EVP_PKEY_PUBLIC_KEY: OSSL_KEYMGMT_SELECT_ALL_PARAMETERS | OSSL_KEYMGMT_SELECT_PUBLIC_KEY
        // (a compound macro Swift does not import).
        let selectPublicKey: Int32 = 0x04 | 0x80 | 0x02
        guard EVP_PKEY_fromdata_init(context) == 1,
              EVP_PKEY_fromdata(context, &key, selectPublicKey, params) == 1,
              let key
        else { throw CryptoError.fromOpenSSL("EVP_PKEY_fromdata") }
        return key
    }

    // MARK: - Export

    /// The big-endian modulus and public exponent.
    public func publicComponents() throws -> (modulus: [UInt8], exponent: [UInt8]) {
        (try bigNumberParameter("n"), try bigNumberParameter("e"))
    }

    private func bigNumberParameter(_ name: String) throws -> [UInt8] {
        var number: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pkey, name, &number) == 1, let number else {
            throw CryptoError.fromOpenSSL("EVP_PKEY_get_bn_param(\(name))")
        }
        defer { BN_free(number) }
        var bytes = [UInt8](repeating: 0, count: (Int(BN_num_bits(number)) + 7) / 8)
        BN_bn2bin(number, &bytes)
        return bytes
    }

    /// The public key as a JWK (kty RSA, use sig, alg RS256).
    public func publicJWK(kid: String?) throws -> JWK {
        let (modulus, exponent) = try publicComponents()
        return JWK(kty: "RSA", use: "sig", alg: "RS256", kid: kid,
                   n: Base64URL.encode(modulus), e: Base64URL.encode(exponent))
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url): a stable `kid` for this key.
    public func thumbprint() throws -> String {
        let jwk = try publicJWK(kid: nil)
        let canonical = #"{"e":"\#(jwk.e ?? "")","kty":"RSA","n":"\#(jwk.n ?? "")"}"#
        return Base64URL.encode(Digest.sha256(Array(canonical.utf8)))
    }

    /// The private key as unencrypted PKCS#8 PEM, for a development provider that keeps
    /// its signing key across restarts. Treat the result as a secret.
    public func privateKeyPEM() throws -> String {
        guard isPrivate else { throw CryptoError(operation: "privateKeyPEM", detail: "public key only") }
        let bytes = try MemoryBIO.writing("PEM_write_bio_PrivateKey") { bio in
            PEM_write_bio_PrivateKey(bio, pkey, nil, nil, 0, nil, nil)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The public key as SubjectPublicKeyInfo PEM.
    public func publicKeyPEM() throws -> String {
        let bytes = try MemoryBIO.writing("PEM_write_bio_PUBKEY") { bio in PEM_write_bio_PUBKEY(bio, pkey) }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - RS256

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    public func signRS256(_ message: [UInt8]) throws -> [UInt8] {
        guard isPrivate else { throw CryptoError(operation: "RS256 sign", detail: "public key only") }
        guard let context = EVP_MD_CTX_new() else { throw CryptoError.fromOpenSSL("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, pkey) == 1 else {
            throw CryptoError.fromOpenSSL("EVP_DigestSignInit")
        }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, message, message.count) == 1 else {
            throw CryptoError.fromOpenSSL("EVP_DigestSign")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else {
            throw CryptoError.fromOpenSSL("EVP_DigestSign")
        }
        return Array(signature.prefix(length))
    }

    /// True only when `signature` is a valid RS256 signature of `message` by this key.
    public func verifyRS256(signature: [UInt8], message: [UInt8]) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, pkey) == 1 else {
            ERR_clear_error()
            return false
        }
        let result = EVP_DigestVerify(context, signature, signature.count, message, message.count)
        // A bad signature leaves reasons on the thread's error queue; drop them so they
        // are not blamed on a later, unrelated call.
        ERR_clear_error()
        return result == 1
    }
}

/// Names passed to OpenSSL calls that keep the pointer rather than copying the string
/// (OSSL_PARAM_BLD stores parameter keys until OSSL_PARAM_BLD_to_param; an EVP_PKEY_CTX
/// keeps its key type name). A Swift string literal passed directly would be a temporary
/// buffer freed right after the call, so these point at static storage instead.
enum OpenSSLName {
    static var rsa: UnsafePointer<CChar> { staticCString("RSA") }
    static var modulus: UnsafePointer<CChar> { staticCString("n") }
    static var exponent: UnsafePointer<CChar> { staticCString("e") }

    private static func staticCString(_ text: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
