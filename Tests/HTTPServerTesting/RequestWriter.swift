import HTTPServer

/// Writes a request as an HTTP/1.1 client puts it on the wire, for `InProcessServer`.
enum RequestWriter {
    /// The request line (path and query as given), the header fields in order, `Host`
    /// when the request names none, `Content-Length` when it has a body or a method that
    /// carries one and no framing of its own, then the body.
    static func bytes(of request: HTTPRequest, defaultHost: String) -> [UInt8] {
        var head = "\(request.method.rawValue) \(request.path)\(request.query.map { "?" + $0 } ?? "")"
            + " HTTP/\(request.version.major).\(request.version.minor)\r\n"
        if !request.headers.contains("Host") { head += "Host: \(defaultHost)\r\n" }
        for field in request.headers { head += "\(field.name): \(field.value)\r\n" }
        let framed = request.headers.contains("Content-Length") || request.headers.contains("Transfer-Encoding")
        if !framed && (!request.body.isEmpty || request.method != .GET && request.method != .HEAD) {
            head += "Content-Length: \(request.body.count)\r\n"
        }
        return Array((head + "\r\n").utf8) + request.body
    }
}
