/// Turns an HTTPResponse into the bytes of a status line, headers and body, in one buffer
/// so the connection can send a whole response with one write.
package enum ResponseSerializer {
    /// Framing decided by the connection, not by the handler.
    package struct Framing: Sendable {
        /// The request was HEAD: send the headers (Content-Length included) but no body.
        package var isHead: Bool
        /// The client spoke HTTP/1.0, so keep-alive has to be said out loud.
        package var isHTTP10: Bool
        /// The server keeps the connection open after this response.
        package var keepAlive: Bool

        /// The framing for one response.
        package init(isHead: Bool, isHTTP10: Bool, keepAlive: Bool) {
            self.isHead = isHead
            self.isHTTP10 = isHTTP10
            self.keepAlive = keepAlive
        }
    }

    /// Appends the response to `out` and returns the number of body bytes written.
    /// `dateLine` is a complete `Date: ...\r\n` line.
    @discardableResult
    package static func write(
        _ response: HTTPResponse, framing: Framing, dateLine: [UInt8], into out: inout [UInt8]
    ) -> Int {
        let code = response.status.code
        let bodyAllowed = !(code < 200 || code == 204 || code == 304)
        out.reserveCapacity(out.count + 256 + (framing.isHead ? 0 : response.body.count))
        appendStatusLine(response.status, into: &out)

        var declaredLength: String?
        for field in response.headers {
            switch managedHeader(field.name) {
            case .contentLength:
                declaredLength = field.value
                continue
            case .managed:
                continue
            case .other:
                break
            }
            appendSanitized(field.name, into: &out)
            out.append(ASCII.colon)
            out.append(ASCII.space)
            appendSanitized(field.value, into: &out)
            out.append(ASCII.cr)
            out.append(ASCII.lf)
        }
        out.append(contentsOf: dateLine)
        if bodyAllowed {
            out.append(contentsOf: contentLengthPrefix)
            // A handler answering HEAD may say how long the GET body would be without
            // producing it; otherwise the length is the body's.
            if framing.isHead, response.body.isEmpty, let declaredLength,
                let n = Int(declaredLength), n >= 0
            {
                appendDecimal(n, into: &out)
            } else {
                appendDecimal(response.body.count, into: &out)
            }
            out.append(ASCII.cr)
            out.append(ASCII.lf)
        }
        if !framing.keepAlive {
            out.append(contentsOf: connectionClose)
        } else if framing.isHTTP10 {
            out.append(contentsOf: connectionKeepAlive)
        }
        out.append(ASCII.cr)
        out.append(ASCII.lf)
        if bodyAllowed && !framing.isHead {
            out.append(contentsOf: response.body)
            return response.body.count
        }
        return 0
    }

    /// The interim response to `Expect: 100-continue`.
    package static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    private static let contentLengthPrefix: [UInt8] = Array("Content-Length: ".utf8)
    private static let connectionClose: [UInt8] = Array("Connection: close\r\n".utf8)
    private static let connectionKeepAlive: [UInt8] = Array("Connection: keep-alive\r\n".utf8)

    private enum HeaderKind { case contentLength, managed, other }

    /// Headers the server owns: framing and Date are computed here, never taken from a handler.
    private static func managedHeader(_ name: String) -> HeaderKind {
        switch name.utf8.count {
        case 4 where HTTPHeaders.same(name, "Date"): return .managed
        case 10 where HTTPHeaders.same(name, "Connection"), 10 where HTTPHeaders.same(name, "Keep-Alive"):
            return .managed
        case 14 where HTTPHeaders.same(name, "Content-Length"): return .contentLength
        case 17 where HTTPHeaders.same(name, "Transfer-Encoding"): return .managed
        default: return .other
        }
    }

    private static let commonStatusLines: [Int: [UInt8]] = {
        var lines: [Int: [UInt8]] = [:]
        for status in [HTTPStatus.ok, .noContent, .found, .seeOther, .notModified, .badRequest,
                       .unauthorized, .forbidden, .notFound, .methodNotAllowed, .internalServerError] {
            lines[status.code] = Array("HTTP/1.1 \(status.code) \(status.reason)\r\n".utf8)
        }
        return lines
    }()

    private static func appendStatusLine(_ status: HTTPStatus, into out: inout [UInt8]) {
        if status.code == 200, status.reason == "OK" {
            out.append(contentsOf: ok200)
            return
        }
        if let line = commonStatusLines[status.code], line.count == 15 + status.reason.utf8.count {
            out.append(contentsOf: line)
            return
        }
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(min(max(status.code, 100), 999), into: &out)
        out.append(ASCII.space)
        appendSanitized(status.reason, into: &out)
        out.append(ASCII.cr)
        out.append(ASCII.lf)
    }

    private static let ok200: [UInt8] = Array("HTTP/1.1 200 OK\r\n".utf8)

    /// Copies a header name or value, replacing CR, LF and NUL so a handler can never split
    /// the response (header injection).
    private static func appendSanitized(_ string: String, into out: inout [UInt8]) {
        let copied: Void? = string.utf8.withContiguousStorageIfAvailable { bytes in
            var clean = true
            for b in bytes where b == ASCII.cr || b == ASCII.lf || b == 0 {
                clean = false
                break
            }
            if clean {
                out.append(contentsOf: bytes)
            } else {
                for b in bytes { out.append(b == ASCII.cr || b == ASCII.lf || b == 0 ? ASCII.space : b) }
            }
        }
        if copied == nil {
            for b in string.utf8 { out.append(b == ASCII.cr || b == ASCII.lf || b == 0 ? ASCII.space : b) }
        }
    }

    package static func appendDecimal(_ value: Int, into out: inout [UInt8]) {
        if value < 10 {
            out.append(ASCII.zero + UInt8(value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = value
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while n > 0 {
                d[count] = ASCII.zero + UInt8(n % 10)
                n /= 10
                count += 1
            }
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(d[i]) }
        }
    }
}
