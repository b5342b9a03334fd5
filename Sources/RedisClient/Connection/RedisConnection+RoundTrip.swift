import ThreadSupport

extension RedisConnection {
    /// Writes the commands, then reads exactly one reply per command. `readDeadline` nil
    /// starts the read bound when the write is done; `setUp` reports failures as failures
    /// to connect. Bytes beyond the last reply mean the stream is out of step with the
    /// commands: refused rather than risk a wrong answer.
    func roundTrip(
        _ commands: [RedisCommand], writeDeadline: Deadline, readDeadline: Deadline?, setUp: Bool = false
    ) throws(RedisError) -> [RESPValue] {
        guard !isBroken else { throw .unavailable("connection to \(address) was closed after an earlier failure") }
        var request: [UInt8] = []
        for command in commands { command.append(to: &request) }
        do {
            try stream.write(request[...], deadline: writeDeadline)
        } catch {
            throw fail(setUp ? connectFailure(error) : .transport(error, address: address, step: .write, bound: configuration.writeTimeout))
        }
        let deadline = readDeadline ?? Deadline(after: configuration.readTimeout)
        var replies: [RESPValue] = []
        replies.reserveCapacity(commands.count)
        while replies.count < commands.count {
            do {
                if let reply = try parser.next() {
                    replies.append(reply)
                    continue
                }
            } catch {
                throw fail(.protocolError("\(address) sent an invalid reply: \(error.reason)"))
            }
            try receive(deadline: deadline, setUp: setUp)
        }
        guard parser.bufferedByteCount == 0 else {
            throw fail(.protocolError("\(address) sent more replies than commands"))
        }
        return replies
    }

    /// One read from the stream into the parser.
    private func receive(deadline: Deadline, setUp: Bool) throws(RedisError) {
        do {
            let count = try stream.read(into: &readBuffer, deadline: deadline)
            readBuffer.withUnsafeBytes { parser.feed(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        } catch {
            throw fail(setUp ? connectFailure(error) : .transport(error, address: address, step: .read, bound: configuration.readTimeout))
        }
    }

    /// A failure while setting the connection up (AUTH, SELECT, PING), told as one to connect.
    func connectFailure(_ error: TransportError) -> RedisError {
        .transport(error, address: address, step: .connect, bound: configuration.connectTimeout)
    }
}
