import Foundation
import RedisClient

/// A TCP server on 127.0.0.1 with port 0 that speaks just enough RESP to misbehave on cue:
/// it parses each command the client sends and answers what `respond` says. For what a real
/// Redis will not do: redirect as a cluster node, never answer, send garbage, hang up.
public final class FakeRedisServer: @unchecked Sendable {
    /// What to do about one command.
    public enum Response: Sendable {
        /// Send this reply.
        case reply(RESPValue)
        /// Send these bytes as they are.
        case raw([UInt8])
        /// Send nothing, ever, but keep the connection open.
        case silence
        /// Close the connection.
        case hangUp
        /// Send this reply, then never read from the connection again (the client's
        /// writes back up once the socket buffers are full).
        case stall(RESPValue)
        /// Send this reply after `seconds`, while reading nothing meanwhile.
        case late(RESPValue, seconds: Double)
        /// Send these bytes one at a time, pausing `pause` seconds before each.
        case trickle([UInt8], pause: Double)
    }

    /// The port it listens on.
    public let port: Int
    /// The listening socket.
    private let listener: Int32
    /// The test's script.
    private let respond: @Sendable ([String]) -> Response
    /// Guards the fields below.
    private let lock = NSLock()
    /// Every accepted socket.
    private var connections: [Int32] = []
    /// Every command received.
    private var commandLog: [[String]] = []
    /// Set by `stop()`.
    private var stopped = false

    /// Listens now; `respond` gets each command as strings (name first) on the connection's thread.
    public init(respond: @escaping @Sendable ([String]) -> Response) throws {
        self.respond = respond
        (listener, port) = try Loopback.listen()
        Thread { [self] in acceptLoop() }.start()
    }

    /// Stops listening.
    deinit { stop() }

    /// Every command received so far, in order (across connections).
    public var commands: [[String]] { lock.withLock { commandLog } }

    /// How many connections it accepted.
    public var connectionCount: Int { lock.withLock { connections.count } }

    /// Closes the listener and every connection.
    public func stop() {
        let open = lock.withLock { () -> [Int32] in
            if stopped { return [] }
            stopped = true
            return connections
        }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Accepts until stopped; one thread per connection.
    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            let accepted = lock.withLock { () -> Bool in
                if stopped { return false }
                connections.append(fd)
                return true
            }
            guard accepted else { close(fd); return }
            Thread { [self] in serve(fd) }.start()
        }
    }

    /// Reads commands and answers them as scripted.
    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var parser = RESPParser()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            guard count > 0 else { return }
            parser.feed(Array(buffer[0..<count]))
            while let value = try? parser.next() {
                let command = ((try? value.array()) ?? nil)?.compactMap { try? $0.string() } ?? []
                lock.withLock { commandLog.append(command) }
                switch respond(command) {
                case .reply(let reply): send(fd, reply.serialized)
                case .raw(let bytes): send(fd, bytes)
                case .silence: continue
                case .hangUp: return
                case .late(let reply, let seconds):
                    Thread.sleep(forTimeInterval: seconds)
                    send(fd, reply.serialized)
                case .trickle(let bytes, let pause):
                    for byte in bytes {
                        Thread.sleep(forTimeInterval: pause)
                        guard Foundation.send(fd, [byte], 1, Int32(MSG_NOSIGNAL)) == 1 else { return }
                    }
                case .stall(let reply):
                    send(fd, reply.serialized)
                    waitUntilStopped()
                    return
                }
            }
        }
    }

    /// Blocks the connection's thread until `stop()`.
    private func waitUntilStopped() {
        while !lock.withLock({ stopped }) { Thread.sleep(forTimeInterval: 0.02) }
    }

    /// Writes all of `bytes` (or as much as the peer takes).
    private func send(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            offset += sent
        }
    }
}
