import COpenSSL

/// Moving PEM text in and out of OpenSSL through memory BIOs.
/// Every PEM read passes a passphrase callback that supplies none (`{ _, _, _, _ in -1 }`):
/// with a nil callback OpenSSL prompts on the terminal, which would block a server start-up
/// on an encrypted key instead of failing with a clear error.
enum MemoryBIO {

    /// Runs `body` with a read-only BIO over `text`.
    static func reading<Result>(_ text: String, _ body: (OpaquePointer) throws -> Result) throws -> Result {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else {
                throw CryptoError.fromOpenSSL("BIO_new_mem_buf")
            }
            defer { BIO_free(bio) }
            return try body(bio)
        }
    }

    /// Runs `write` against an empty memory BIO and returns what it wrote.
    static func writing(_ operation: String, _ write: (OpaquePointer) -> Int32) throws -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError.fromOpenSSL("BIO_new") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw CryptoError.fromOpenSSL(operation) }
        var output = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let read = BIO_read(bio, &chunk, Int32(chunk.count))
            if read <= 0 { break }
            output.append(contentsOf: chunk[0..<Int(read)])
        }
        return output
    }
}
