/// Turns the part of a URL path after the static prefix into a relative file path that
/// cannot leave the directory, or says why not. Realpath containment is checked later too;
/// this first pass rejects the tricks outright (`..`, encoded slashes, backslashes, NUL).
enum SafePath {
    enum Rejection: Error, Equatable {
        /// Malformed or hostile: answered 400.
        case badRequest
        /// Well-formed but not a servable file name (hidden file, empty segment): 404.
        case notFound
    }

    /// Percent-decodes `raw` and validates each segment; returns the relative path.
    static func relativePath(_ raw: Substring) -> Result<String, Rejection> {
        let bytes = Array(raw.utf8)
        if bytes.isEmpty { return .failure(.notFound) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            var b = bytes[i]
            if b == 0x25 {  // %
                guard i + 2 < bytes.count, let hi = ASCII.hexValue(bytes[i + 1]), let lo = ASCII.hexValue(bytes[i + 2]) else {
                    return .failure(.badRequest)
                }
                b = hi << 4 | lo
                // An encoded separator or NUL is never a legitimate file name character here.
                if b == ASCII.slash || b == 0x5C || b == 0 { return .failure(.badRequest) }
                i += 3
            } else {
                i += 1
            }
            if b == 0x5C || b < 0x20 || b == 0x7F { return .failure(.badRequest) }
            decoded.append(b)
        }
        guard let path = String(validating: decoded, as: UTF8.self) else { return .failure(.badRequest) }
        for segment in path.split(separator: "/", omittingEmptySubsequences: false) {
            if segment == "." || segment == ".." { return .failure(.badRequest) }
            if segment.isEmpty || segment.hasPrefix(".") { return .failure(.notFound) }
        }
        return .success(path)
    }
}
