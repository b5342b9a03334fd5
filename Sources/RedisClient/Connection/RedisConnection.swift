import ThreadSupport

/// One open, authenticated connection to Redis, which SELECTed the configured database.
///
/// Used by one thread at a time: the pool lends it out exclusively (`RedisClient.withConnection`).
/// Any failure other than an error reply breaks it for good: after a timeout or a bad
/// reply the next bytes on the stream cannot be trusted to answer the next command.
public final class RedisConnection: @unchecked Sendable {
    /// The TCP or TLS stream.
    let stream: any ByteStream
    /// Holds a reply that is still arriving.
    var parser: RESPParser
    /// Where it is connected, with its timeouts.
    let configuration: RedisConfiguration
    /// One read's worth of bytes from the stream.
    var readBuffer = [UInt8](repeating: 0, count: 16 * 1024)
    /// Set by the first failure that leaves the stream in an unknown state.
    public private(set) var isBroken = false

    /// Wraps a connected stream; `open` sets it up.
    private init(stream: any ByteStream, configuration: RedisConfiguration) {
        self.stream = stream
        self.configuration = configuration
        parser = RESPParser(limits: configuration.replyLimits)
    }

    /// Closes the stream.
    deinit { stream.close() }

    /// Connects (TCP, then TLS when configured), authenticates, selects the database and
    /// checks with PING that a Redis server answers, all within `connectTimeout`.
    static func open(_ configuration: RedisConfiguration, tls: TLSContext?) throws(RedisError) -> RedisConnection {
        let deadline = Deadline(after: configuration.connectTimeout)
        let stream: any ByteStream
        do {
            let tcp = try TCPStream.connect(host: configuration.host, port: configuration.port, deadline: deadline)
            if let tls {
                stream = try TLSStream(tcp: tcp, context: tls, host: configuration.host, deadline: deadline)
            } else {
                stream = tcp
            }
        } catch {
            throw RedisError.transport(error, address: configuration.address, step: .connect, bound: configuration.connectTimeout)
        }
        let connection = RedisConnection(stream: stream, configuration: configuration)
        try connection.setUp(deadline: deadline)
        return connection
    }

    /// AUTH, SELECT and PING in one round trip; the first error reply is the one reported.
    private func setUp(deadline: Deadline) throws(RedisError) {
        var commands: [RedisCommand] = []
        if let password = configuration.password {
            if let user = configuration.username {
                commands.append(RedisCommand("AUTH", user, password.value))
            } else {
                commands.append(RedisCommand("AUTH", password.value))
            }
        }
        if configuration.database != 0 { commands.append(RedisCommand("SELECT", configuration.database)) }
        commands.append(RedisCommand("PING"))
        let replies = try roundTrip(commands, writeDeadline: deadline, readDeadline: deadline, setUp: true)
        for (command, reply) in zip(commands, replies) {
            guard case .error(let message) = reply else { continue }
            switch RedisError.reply(message) {
            case .server(let text) where command.name == "SELECT":
                throw .server("SELECT \(configuration.database) on \(configuration.address) failed: \(text)")
            case .server(let text) where command.name == "AUTH":
                throw .authentication("\(configuration.address): \(text)")
            case .authentication(let text):
                throw .authentication("\(configuration.address): \(text)")
            case let error:
                throw error
            }
        }
        guard replies.last == .simpleString("PONG") else {
            throw fail(.protocolError("\(configuration.address) did not answer PING with PONG"))
        }
    }

    /// Sends one command and returns its reply; an error reply is thrown.
    public func execute(_ command: RedisCommand) throws(RedisError) -> RESPValue {
        try pipeline([command])[0].get()
    }

    /// Sends `commands` in one write and reads their replies in order. Error replies are
    /// per command; a cluster redirect for any of them fails the whole pipeline.
    public func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [Result<RESPValue, RedisError>] {
        guard !commands.isEmpty else { return [] }
        let replies = try roundTrip(commands, writeDeadline: Deadline(after: configuration.writeTimeout), readDeadline: nil)
        var results: [Result<RESPValue, RedisError>] = []
        results.reserveCapacity(replies.count)
        for reply in replies {
            guard case .error(let message) = reply else {
                results.append(.success(reply))
                continue
            }
            let error = RedisError.reply(message)
            if case .clusterRedirect = error { throw error }
            results.append(.failure(error))
        }
        return results
    }

    /// True when the connection can be lent out again: not broken, and the server did not
    /// close it or send anything while it was idle.
    func isReusable() -> Bool {
        !isBroken && parser.isIdle && stream.isQuietWhileIdle()
    }

    /// Closes the connection now (the pool does when it drops one).
    func close() {
        isBroken = true
        stream.close()
    }

    /// The server, for messages.
    var address: String { configuration.address }

    /// Closes the connection and returns `error`, for failures that break it.
    func fail(_ error: RedisError) -> RedisError {
        close()
        return error
    }
}
