import Glibc
import ThreadSupport

/// A non-blocking TCP socket whose calls wait with poll(2) up to a deadline.
final class TCPStream: ByteStream {
    /// The socket; -1 once closed.
    private(set) var fd: Int32

    /// Takes ownership of `fd`.
    private init(fd: Int32) {
        self.fd = fd
    }

    /// Closes the socket.
    deinit { close() }

    /// Connects to the first address of `host` that accepts within the deadline, trying
    /// each address getaddrinfo returns (a name may have IPv6 and IPv4 addresses).
    static func connect(host: String, port: Int, deadline: Deadline) throws(TransportError) -> TCPStream {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0 else {
            throw .unresolved("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = TransportError.system("connect", ECONNREFUSED)
        var entry = list
        while let info = entry?.pointee {
            entry = info.ai_next
            do {
                return try connect(info, deadline: deadline)
            } catch {
                lastError = error
                if case .timedOut = error { throw error }
            }
        }
        throw lastError
    }

    /// Connects to one address.
    private static func connect(_ info: addrinfo, deadline: Deadline) throws(TransportError) -> TCPStream {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(info.ai_family, type, 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        let stream = TCPStream(fd: fd)
        if Glibc.connect(fd, info.ai_addr, info.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else { throw .system("connect", errno) }
            try stream.wait(for: Int16(POLLOUT), deadline: deadline)
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
            guard code == 0 else { throw .system("connect", code) }
        }
        var one: Int32 = 1
        // Commands are small and answered one by one: Nagle would only add delay.
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
        return stream
    }

    /// Sends all of `bytes`.
    func write(_ bytes: ArraySlice<UInt8>, deadline: Deadline) throws(TransportError) {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a peer that hung up must give EPIPE, not kill the process.
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                offset += sent
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                try wait(for: Int16(POLLOUT), deadline: deadline)
            } else if errno != EINTR {
                throw .system("send", errno)
            }
        }
    }

    /// Receives at least one byte into `buffer`.
    func read(into buffer: inout [UInt8], deadline: Deadline) throws(TransportError) -> Int {
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 { return count }
            if count == 0 { throw .closed }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                try wait(for: Int16(POLLIN), deadline: deadline)
            } else if errno != EINTR {
                throw .system("recv", errno)
            }
        }
    }

    /// Reads what is there without waiting: nil when nothing is, 0 at end of stream.
    func readAvailable(into buffer: inout [UInt8]) -> Int? {
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if count >= 0 { return count }
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? nil : 0
    }

    /// True when a read would return at once (bytes, end of stream or an error).
    func hasPendingInput() -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0
    }

    /// Nothing to read: any byte or end of stream between commands is wrong.
    func isQuietWhileIdle() -> Bool { fd >= 0 && !hasPendingInput() }

    /// Closes the socket once.
    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    /// Waits until the socket is ready for `events` or the deadline passes.
    private func wait(for events: Int16, deadline: Deadline) throws(TransportError) {
        switch deadline.wait(for: fd, events: events) {
        case .ready: return
        case .timedOut: throw .timedOut
        case .failed(let code): throw .system("poll", code)
        }
    }
}
