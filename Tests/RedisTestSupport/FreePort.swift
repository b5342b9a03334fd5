import Foundation

/// Listening sockets on 127.0.0.1 for the harness and the fake servers.
enum Loopback {
    /// A socket bound to 127.0.0.1 on a port the kernel picks, listening; and that port.
    static func listen() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RedisHarnessError("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && Foundation.listen(fd, 64) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard ok else {
            let code = errno
            close(fd)
            throw RedisHarnessError("cannot listen on 127.0.0.1: errno \(code)")
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now. redis-server cannot bind
    /// port 0 and report the port, so the harness has the kernel pick one, releases it and
    /// hands it to Redis; if someone takes it in between, Redis fails to bind and the
    /// harness tries again with another.
    static func freePort() throws -> Int {
        let (fd, port) = try listen()
        close(fd)
        return port
    }
}

extension RedisServer {
    /// A port free on 127.0.0.1 right now, for settings a test adds itself (a cluster bus
    /// port); taken by someone else in between, the server fails to start and says so.
    public static func freePort() throws -> Int {
        try Loopback.freePort()
    }
}
