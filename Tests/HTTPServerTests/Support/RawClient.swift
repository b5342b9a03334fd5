import Glibc
import HTTPServerTesting

/// One response as it came off the wire (read by `ResponseReader`).
struct RawResponse {
    /// The status code.
    var status: Int
    /// The reason phrase of the status line.
    var reason: String
    /// The header fields, in order, as sent.
    var headers: [(name: String, value: String)]
    /// The body (none for HEAD).
    var body: [UInt8]

    /// The first value of header `name`, in any case.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as UTF-8 text.
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why the client could not go on: connect, send or read failed, or timed out.
struct ClientError: Error, CustomStringConvertible {
    /// What happened.
    var description: String
}

/// A plain POSIX-socket HTTP client for tests: sends raw bytes and reads raw responses,
/// so tests see exactly what the server put on the wire (including when it closes).
final class RawClient {
    /// The socket; -1 once `reset()` has closed it.
    private(set) var fd: Int32
    private var buffer: [UInt8] = []

    /// Connects (blocking) with send and receive timeouts so a broken server fails the test
    /// rather than hanging it. `source` binds the client to another loopback address first
    /// (127.0.0.2 is a different client to the server); `receiveBuffer` shrinks the socket's
    /// receive buffer, so a client that does not read stops the server's writes sooner.
    init(port: Int, host: String = "127.0.0.1", timeout: Double = 10, source: String? = nil, receiveBuffer: Int32? = nil) throws {
        let isV6 = host.contains(":")
        fd = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket failed") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if let source, !isV6 {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, source, &local.sin_addr)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                Glibc.close(fd)
                fd = -1
                throw ClientError(description: "bind \(source) failed: errno \(errno)")
            }
        }
        let result: Int32
        if isV6 {
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            addr.sin6_port = UInt16(port).bigEndian
            inet_pton(AF_INET6, host, &addr.sin6_addr)
            result = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = UInt16(port).bigEndian
            inet_pton(AF_INET, host, &addr.sin_addr)
            result = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            fd = -1
            throw ClientError(description: "connect failed: errno \(code)")
        }
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ClientError(description: "send failed: errno \(errno)") }
            sent += n
        }
    }

    /// Half-closes: tells the server we have nothing more to send.
    func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Resets the connection (RST, not FIN), the way a client that gives up abruptly does;
    /// the socket is unusable afterwards.
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        Glibc.close(fd)
        fd = -1
    }

    /// Reads more bytes; 0 means the server closed, nil means timeout or error.
    private func fill() -> Int? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { return nil }
        buffer.append(contentsOf: chunk[0..<n])
        return n
    }

    /// Reads one response. `bodyExpected: false` for answers to HEAD.
    func readResponse(bodyExpected: Bool = true) throws -> RawResponse {
        while true {
            if let (response, count) = try ResponseReader.read(buffer, bodyExpected: bodyExpected) {
                buffer.removeFirst(count)
                return RawResponse(status: response.status.code, reason: response.status.reason,
                                   headers: Array(response.headers), body: response.body)
            }
            guard let n = fill() else { throw ClientError(description: "timed out waiting for a response") }
            if n == 0 { throw ClientError(description: "connection closed before a complete response (\(buffer.count) bytes)") }
        }
    }

    /// True when the server has closed the connection (EOF, or reset) within the timeout,
    /// after any unread bytes.
    func waitForClose() -> Bool {
        while true {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    /// Bytes received but not consumed by readResponse.
    var unread: [UInt8] { buffer }
}
