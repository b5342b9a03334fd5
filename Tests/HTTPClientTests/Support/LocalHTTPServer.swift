import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 (port chosen by the kernel) over plain POSIX
/// sockets, for testing the libcurl transport without the network.
final class LocalHTTPServer: @unchecked Sendable {
    enum Behavior: Sendable {
        /// Read the request, answer, close.
        case respond(status: Int, headers: [(String, String)], body: [UInt8])
        /// Accept and read, then never answer (until the server stops).
        case neverAnswer
        /// Write `bytes` as soon as the connection opens, without reading (e.g. plain text
        /// to a TLS client).
        case writeImmediately([UInt8])
        /// Keep each connection open: answer up to `requests` requests on it with the raw
        /// `answer` bytes, then either close it (`thenReadAndHangUp` false: a server timing
        /// an idle connection out) or read one more request and close without answering (a
        /// server that closes just as a request arrives).
        case keepAlive(answer: [UInt8], requests: Int, thenReadAndHangUp: Bool)
        /// Read the request, then send `answer` one byte every `interval` seconds.
        case trickle(answer: [UInt8], interval: Double)
        /// Keep each connection open: answer its first request with `answer` at once, and every
        /// later one with `later`, one byte every `interval` seconds (0: all at once; an empty
        /// `later`: read the request and never answer).
        case keepAliveThenSlow(answer: [UInt8], later: [UInt8], interval: Double)
    }

    struct ReceivedRequest: Sendable {
        var head: String
        var body: [UInt8]
        var requestLine: String { head.components(separatedBy: "\r\n").first ?? "" }
        func header(_ name: String) -> String? {
            for line in head.components(separatedBy: "\r\n").dropFirst() {
                let parts = line.split(separator: ":", maxSplits: 1).map(String.init)
                if parts.count == 2, parts[0].lowercased() == name.lowercased() { return parts[1].trimmingCharacters(in: .whitespaces) }
            }
            return nil
        }
    }

    let port: UInt16
    private let listener: Int32
    private let behavior: Behavior
    private let lock = NSLock()
    private var _received: [ReceivedRequest] = []
    private var heldConnections: [Int32] = []
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    init(_ behavior: Behavior) throws {
        self.behavior = behavior
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        listener = fd
        port = LocalHTTPServer.boundPort(fd)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    var received: [ReceivedRequest] { lock.withLock { _received } }

    /// How many connections the server has accepted.
    var connectionsAccepted: Int { lock.withLock { _connectionsAccepted } }
    private var _connectionsAccepted = 0

    func stop() {
        let held = lock.withLock { () -> [Int32] in
            stopped = true
            defer { heldConnections = [] }
            return heldConnections
        }
        // shutdown wakes a thread blocked reading the connection; close alone would not.
        held.forEach {
            shutdown($0, Int32(SHUT_RDWR))
            close($0)
        }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        finished.wait()
    }

    /// A port on 127.0.0.1 where nothing listens: bound, then closed.
    static func closedPort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let port = boundPort(fd)
        close(fd)
        return port
    }

    private static func boundPort(_ fd: Int32) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    private func acceptLoop() {
        defer { finished.signal() }
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if lock.withLock({ stopped }) { return }
                if errno == EINTR { continue }
                return
            }
            lock.withLock { _connectionsAccepted += 1 }
            handle(connection)
        }
    }

    private func handle(_ connection: Int32) {
        switch behavior {
        case .writeImmediately(let bytes):
            writeAll(connection, bytes)
            close(connection)
        case .neverAnswer:
            _ = readRequest(connection)
            lock.withLock { heldConnections.append(connection) }
        case .keepAlive(let answer, let requests, let thenReadAndHangUp):
            // Held while served, so stop() can shut a connection the client keeps idle.
            lock.withLock { heldConnections.append(connection) }
            for _ in 0..<requests {
                guard let request = readRequest(connection) else { break }
                lock.withLock { _received.append(request) }
                writeAll(connection, answer)
            }
            if thenReadAndHangUp, let request = readRequest(connection) { lock.withLock { _received.append(request) } }
            shutdown(connection, Int32(SHUT_RDWR))
        case .trickle(let answer, let interval):
            guard let request = readRequest(connection) else { break }
            lock.withLock { _received.append(request) }
            for byte in answer where !lock.withLock({ stopped }) {
                writeAll(connection, [byte])
                Thread.sleep(forTimeInterval: interval)
            }
            close(connection)
        case .keepAliveThenSlow(let answer, let later, let interval):
            lock.withLock { heldConnections.append(connection) }
            var first = true
            while let request = readRequest(connection) {
                lock.withLock { _received.append(request) }
                if first {
                    writeAll(connection, answer)
                } else if interval == 0 {
                    writeAll(connection, later)
                } else {
                    for byte in later where !lock.withLock({ stopped }) {
                        writeAll(connection, [byte])
                        Thread.sleep(forTimeInterval: interval)
                    }
                }
                first = false
            }
        case .respond(let status, let headers, let body):
            guard let request = readRequest(connection) else {
                close(connection)
                return
            }
            lock.withLock { _received.append(request) }
            var head = "HTTP/1.1 \(status) Status\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += "\r\n"
            writeAll(connection, Array(head.utf8) + body)
            close(connection)
        }
    }

    private func readRequest(_ connection: Int32) -> ReceivedRequest? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            let count = read(connection, &chunk, chunk.count)
            if count <= 0 { return nil }
            buffer += chunk[0..<count]
            if buffer.count >= 4 {
                for index in 0...(buffer.count - 4) where Array(buffer[index..<index + 4]) == separator {
                    headEnd = index
                    break
                }
            }
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        var request = ReceivedRequest(head: head, body: Array(buffer[(headEnd! + 4)...]))
        let length = Int(request.header("Content-Length") ?? "0") ?? 0
        while request.body.count < length {
            let count = read(connection, &chunk, chunk.count)
            if count <= 0 { break }
            request.body += chunk[0..<count]
        }
        return request
    }

    private func writeAll(_ connection: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a client that hung up (the size-cap test) must not SIGPIPE the test run.
            let written = bytes[offset...].withUnsafeBytes { sendWithoutSignal(connection, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
    }
}

private func sendWithoutSignal(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.send(fd, pointer, count, Int32(MSG_NOSIGNAL))
    #else
    return Darwin.send(fd, pointer, count, 0)
    #endif
}
