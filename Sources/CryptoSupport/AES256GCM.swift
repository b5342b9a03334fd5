import COpenSSL

/// AES-256-GCM (NIST SP 800-38D) through OpenSSL's EVP interface: authenticated encryption
/// with associated data, a 96-bit nonce and a 128-bit tag. Sealing the same nonce twice under
/// one key breaks GCM, so callers draw every nonce from the CSPRNG (`OpenSSLRandom`).
public enum AES256GCM {
    /// Bytes of a key (256 bits).
    public static let keyByteCount = 32
    /// Bytes of a nonce (96 bits, the size GCM is designed for).
    public static let nonceByteCount = 12
    /// Bytes of the authentication tag appended to the ciphertext.
    public static let tagByteCount = 16

    /// Encrypts `plaintext` and authenticates it together with `associatedData`; returns the
    /// ciphertext followed by the tag (`plaintext.count + 16` bytes).
    public static func seal(_ plaintext: ArraySlice<UInt8>, key: [UInt8], nonce: [UInt8], associatedData: ArraySlice<UInt8>) -> [UInt8] {
        precondition(key.count == keyByteCount && nonce.count == nonceByteCount, "AES-256-GCM needs a 32-byte key and a 12-byte nonce")
        precondition(plaintext.count < Int(Int32.max) - tagByteCount && associatedData.count < Int(Int32.max), "AES-256-GCM input too large")
        var output = [UInt8](repeating: 0, count: plaintext.count + tagByteCount)
        let ok = CipherContext.with { context in
            key.withUnsafeBytes { key in
                nonce.withUnsafeBytes { nonce in
                    plaintext.withUnsafeBytes { input in
                        associatedData.withUnsafeBytes { aad in
                            output.withUnsafeMutableBytes { out in
                                context.encrypt(key: key, nonce: nonce, aad: aad, input: input, output: out)
                            }
                        }
                    }
                }
            }
        }
        // Encryption cannot fail on valid sizes; if OpenSSL says otherwise, nothing safe remains.
        precondition(ok, "OpenSSL AES-256-GCM encryption failed")
        return output
    }

    /// The plaintext of `sealed` (ciphertext followed by tag), or nil when the tag does not
    /// verify: a wrong key, another nonce or associated data, or any altered byte.
    public static func open(_ sealed: ArraySlice<UInt8>, key: [UInt8], nonce: [UInt8], associatedData: ArraySlice<UInt8>) -> [UInt8]? {
        guard key.count == keyByteCount, nonce.count == nonceByteCount, sealed.count >= tagByteCount,
              sealed.count < Int(Int32.max), associatedData.count < Int(Int32.max)
        else { return nil }
        var output = [UInt8](repeating: 0, count: sealed.count - tagByteCount)
        let ok = CipherContext.with { context in
            key.withUnsafeBytes { key in
                nonce.withUnsafeBytes { nonce in
                    sealed.withUnsafeBytes { input in
                        associatedData.withUnsafeBytes { aad in
                            output.withUnsafeMutableBytes { out in
                                context.decrypt(key: key, nonce: nonce, aad: aad, input: input, output: out)
                            }
                        }
                    }
                }
            }
        }
        guard ok else {
            // Unauthenticated plaintext never leaves this function, not even in freed memory.
            output.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
            return nil
        }
        return output
    }
}

/// The cipher, fetched from OpenSSL's provider once: fetching by name on every call (what
/// `EVP_aes_256_gcm()` does implicitly in OpenSSL 3) costs more than sealing a session.
private let fetchedCipher = FetchedAlgorithm(EVP_CIPHER_fetch(nil, "AES-256-GCM", nil))

/// An `EVP_CIPHER_CTX` for one operation.
private struct CipherContext {
    /// The context, owned by `with` for the length of one operation.
    let pointer: OpaquePointer

    /// Runs `body` with a fresh context and frees it afterwards; false when none could be made.
    static func with(_ body: (CipherContext) -> Bool) -> Bool {
        guard let pointer = EVP_CIPHER_CTX_new() else { return false }
        defer { EVP_CIPHER_CTX_free(pointer) }
        return body(CipherContext(pointer: pointer))
    }

    /// One whole GCM encryption into `output` (ciphertext, then the 16-byte tag).
    func encrypt(key: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer,
                 input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer) -> Bool {
        guard EVP_EncryptInit_ex2(pointer, fetchedCipher.pointer, bytes(key), bytes(nonce), nil) == 1 else { return false }
        var length: Int32 = 0
        if aad.count > 0, EVP_EncryptUpdate(pointer, nil, &length, bytes(aad), Int32(aad.count)) != 1 { return false }
        let out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var written = 0
        if input.count > 0 {
            guard EVP_EncryptUpdate(pointer, out, &length, bytes(input), Int32(input.count)) == 1 else { return false }
            written = Int(length)
        }
        guard EVP_EncryptFinal_ex(pointer, out + written, &length) == 1 else { return false }
        written += Int(length)
        guard written == input.count else { return false }
        return EVP_CIPHER_CTX_ctrl(pointer, EVP_CTRL_GCM_GET_TAG, Int32(AES256GCM.tagByteCount), out + written) == 1
    }

    /// One whole GCM decryption of `input` (ciphertext, then tag) into `output`; true only
    /// when the tag verifies.
    func decrypt(key: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer,
                 input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer) -> Bool {
        guard EVP_DecryptInit_ex2(pointer, fetchedCipher.pointer, bytes(key), bytes(nonce), nil) == 1 else { return false }
        var length: Int32 = 0
        if aad.count > 0, EVP_DecryptUpdate(pointer, nil, &length, bytes(aad), Int32(aad.count)) != 1 { return false }
        let ciphertextCount = input.count - AES256GCM.tagByteCount
        // The output buffer may be empty (an empty plaintext); OpenSSL still wants a pointer.
        var scratch: UInt8 = 0
        return withUnsafeMutablePointer(to: &scratch) { scratch in
            let out = output.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? scratch
            var written = 0
            if ciphertextCount > 0 {
                guard EVP_DecryptUpdate(pointer, out, &length, bytes(input), Int32(ciphertextCount)) == 1 else { return false }
                written = Int(length)
            }
            // OpenSSL's prototype takes a mutable pointer for the tag it only reads.
            let tag = UnsafeMutableRawPointer(mutating: input.baseAddress! + ciphertextCount)
            guard EVP_CIPHER_CTX_ctrl(pointer, EVP_CTRL_GCM_SET_TAG, Int32(AES256GCM.tagByteCount), tag) == 1 else { return false }
            // The tag is checked here; 1 only when it verifies.
            guard EVP_DecryptFinal_ex(pointer, out + written, &length) == 1 else { return false }
            return written + Int(length) == ciphertextCount
        }
    }

    /// The buffer as the `unsigned char *` OpenSSL takes (nil when empty).
    private func bytes(_ buffer: UnsafeRawBufferPointer) -> UnsafePointer<UInt8>? {
        buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
    }
}
