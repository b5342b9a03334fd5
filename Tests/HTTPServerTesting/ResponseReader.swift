import HTTPServer

/// Reads responses from the bytes a server wrote, as a client does: the status line, the
/// header fields in order, and a body of the Content-Length the server always gives (none
/// for HEAD, 1xx, 204 and 304). For the in-process client and the raw-socket test client.
public enum ResponseReader {
    /// Bytes that are no HTTP/1.1 response.
    public struct Malformed: Error, CustomStringConvertible {
        /// What was wrong.
        public let description: String
    }

    /// The first response in `bytes` and how many bytes it took; nil while incomplete.
    /// `bodyExpected`: false for the answer to HEAD.
    public static func read(_ bytes: [UInt8], bodyExpected: Bool) throws(Malformed) -> (response: HTTPResponse, count: Int)? {
        guard let end = headEnd(bytes) else { return nil }
        var lines = String(decoding: bytes[0..<end], as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let code = Int(statusLine[1]) else {
            throw Malformed(description: "bad status line in \(String(decoding: bytes[0..<end], as: UTF8.self))")
        }
        var headers = HTTPHeaders()
        for line in lines where !line.isEmpty {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers.add(String(parts[0]), parts.count > 1 ? String(parts[1].drop { $0 == " " }) : "")
        }
        var length = 0
        if bodyExpected && code >= 200 && code != 204 && code != 304 {
            guard let declared = Int(headers["Content-Length"] ?? "0"), declared >= 0 else {
                throw Malformed(description: "bad Content-Length \(headers["Content-Length"] ?? "")")
            }
            length = declared
        }
        guard bytes.count >= end + 4 + length else { return nil }
        let status = HTTPStatus(code, statusLine.count > 2 ? String(statusLine[2]) : "")
        return (HTTPResponse(status: status, headers: headers, body: Array(bytes[(end + 4)..<(end + 4 + length)])), end + 4 + length)
    }

    /// The final response in `bytes`, after any interim ones (`100 Continue`), as a client
    /// sees it; throws when there is none.
    public static func final(in bytes: [UInt8], bodyExpected: Bool) throws(Malformed) -> HTTPResponse {
        var rest = bytes
        while let (response, count) = try read(rest, bodyExpected: bodyExpected) {
            if !(100..<200).contains(response.status.code) { return response }
            rest.removeFirst(count)
        }
        throw Malformed(description: "no complete response in \(bytes.count) bytes")
    }

    /// Where the head's blank line starts (the CR of its CRLFCRLF).
    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i
        }
        return nil
    }
}
