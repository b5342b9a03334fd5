import COpenSSL
import CryptoSupport
import Encodings

/// An X.509 certificate in PEM form, for private_key_jwt client credentials: Entra finds
/// the registered certificate by the thumbprint in the client assertion's header.
public struct Certificate: Sendable, Equatable {
    /// DER encoding of the certificate.
    public let der: [UInt8]

    /// Loads the first certificate in a PEM string.
    public init(pem: String) throws {
        der = try MemoryBIO.reading(pem) { bio -> [UInt8] in
            guard let x509 = PEM_read_bio_X509(bio, nil, { _, _, _, _ in -1 }, nil) else {
                throw CryptoError.fromOpenSSL("PEM_read_bio_X509")
            }
            defer { X509_free(x509) }
            return try Self.encodeDER(x509)
        }
    }

    public init(der: [UInt8]) {
        self.der = der
    }

    /// Every certificate in a PEM bundle (a CA file: one `BEGIN CERTIFICATE` block after
    /// another, text between them ignored, as OpenSSL reads it). Stops at the first block
    /// that does not parse, so a damaged bundle yields fewer certificates, never garbage.
    public static func all(inPEM pem: String) -> [Certificate] {
        let certificates = try? MemoryBIO.reading(pem) { bio -> [Certificate] in
            var found: [Certificate] = []
            while let x509 = PEM_read_bio_X509(bio, nil, { _, _, _, _ in -1 }, nil) {
                defer { X509_free(x509) }
                guard let der = try? encodeDER(x509) else { break }
                found.append(Certificate(der: der))
            }
            return found
        }
        // The read that ends the loop (end of data) queues an error; it is not a failure.
        ERR_clear_error()
        return certificates ?? []
    }

    /// SHA-1 thumbprint, base64url: the JWS `x5t` header Entra has always accepted.
    public var sha1Thumbprint: String { Base64URL.encode(Digest.sha1(der)) }

    /// SHA-256 thumbprint, base64url: the JWS `x5t#S256` header.
    public var sha256Thumbprint: String { Base64URL.encode(Digest.sha256(der)) }

    /// True when `key` is the private key for this certificate's public key, so a
    /// mismatched key/certificate pair is caught at start-up rather than at sign-in.
    public func matches(privateKey key: RSAKey) -> Bool {
        withX509 { x509 in
            let matches = X509_check_private_key(x509, key.pkey) == 1
            // A mismatch queues an error; clear it so it is not blamed on a later call.
            ERR_clear_error()
            return matches
        } ?? false
    }

    /// The certificate as PEM.
    public var pem: String {
        let base64 = Base64Standard.encode(der)
        var lines = ["-----BEGIN CERTIFICATE-----"]
        var index = base64.startIndex
        while index < base64.endIndex {
            let end = base64.index(index, offsetBy: 64, limitedBy: base64.endIndex) ?? base64.endIndex
            lines.append(String(base64[index..<end]))
            index = end
        }
        lines.append("-----END CERTIFICATE-----")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A self-signed certificate for `key`, for local development and tests of
    /// certificate credentials. Not for production: nothing vouches for it.
    public static func selfSigned(key: RSAKey, commonName: String, validForSeconds: Int = 365 * 24 * 3600, serial: Int = 1) throws -> Certificate {
        guard key.isPrivate else { throw CryptoError(operation: "self-signed certificate", detail: "a private key is required") }
        guard let x509 = X509_new() else { throw CryptoError.fromOpenSSL("X509_new") }
        defer { X509_free(x509) }
        guard X509_set_version(x509, 2) == 1,
              ASN1_INTEGER_set(X509_get_serialNumber(x509), serial) == 1,
              X509_gmtime_adj(X509_getm_notBefore(x509), 0) != nil,
              X509_gmtime_adj(X509_getm_notAfter(x509), validForSeconds) != nil,
              X509_set_pubkey(x509, key.pkey) == 1,
              let name = X509_get_subject_name(x509),
              X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0) == 1,
              X509_set_issuer_name(x509, name) == 1,
              X509_sign(x509, key.pkey, EVP_sha256()) > 0
        else { throw CryptoError.fromOpenSSL("X509 self-signing") }
        return Certificate(der: try encodeDER(x509))
    }

    private static func encodeDER(_ x509: OpaquePointer) throws -> [UInt8] {
        let length = i2d_X509(x509, nil)
        guard length > 0 else { throw CryptoError.fromOpenSSL("i2d_X509") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_X509(x509, &cursor)
        }
        guard written == length else { throw CryptoError.fromOpenSSL("i2d_X509") }
        return der
    }

    private func withX509<Result>(_ body: (OpaquePointer) -> Result) -> Result? {
        der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let x509 = d2i_X509(nil, &cursor, buffer.count) else {
                ERR_clear_error()
                return nil
            }
            defer { X509_free(x509) }
            return body(x509)
        }
    }
}
