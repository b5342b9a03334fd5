import HTTPCore

/// A GET or HEAD on a kept-alive connection, for a caller that must never block (an event
/// loop): `resume` sends and reads only what the socket takes and has, then says what to
/// wait for, and the caller's own poller does the waiting. Made by `CurlTransport.begin`,
/// which lends only an idle connection that looked alive, so no handshake happens here.
///
/// The request bytes, the response parser and the keep-alive rules are `send`'s; only the
/// waiting differs. A connection the server closed before answering is `.stale`, and the
/// caller sends the request again with `send`, which takes a fresh connection.
public final class OutboundCall: @unchecked Sendable {
    // @unchecked: driven by one thread at a time (the loop that began it, or the thread a
    // test polls on); nothing in it is shared.

    /// What the call needs next.
    public enum Progress: Sendable {
        /// Resume once the descriptor is readable.
        case readable
        /// Resume once the descriptor is writable.
        case writable
        /// The whole response (its connection went back to the pool if it can carry another).
        case finished(OutboundResponse)
        /// The call failed; the connection is closed.
        case failed(TransportError)
        /// The kept-alive connection turned out closed before any byte of the answer came
        /// (the server timed it out while idle): the request may go again, with `send`.
        case stale
    }

    /// The socket to wait on.
    public let descriptor: Int32
    /// When the call must be over, in `MonotonicClock.coarseMilliseconds()` time; past it the
    /// caller calls `expire`.
    public let deadline: UInt64

    /// The connection, until the call is over.
    private var connection: CurlConnection?
    private let transport: CurlTransport
    private let request: [UInt8]
    private var sent = 0
    private var parser: ResponseParser
    private let host: String

    init(request: [UInt8], method: HTTPMethod, on connection: CurlConnection, transport: CurlTransport, host: String, deadline: UInt64) {
        self.request = request
        self.connection = connection
        self.transport = transport
        self.host = host
        self.deadline = deadline
        descriptor = connection.socket
        parser = ResponseParser(bodyLimit: transport.options.maximumResponseBytes, method: method)
    }

    /// Sends what is left of the request, then reads what has arrived, without waiting.
    /// Call it first to start the call, then each time the descriptor is ready as the last
    /// `Progress` said (a spurious wake-up only gives the same answer again).
    public func resume() -> Progress {
        guard let connection else { return .failed(.other("the call to \(host) is over")) }
        do throws(CurlTransport.ExchangeFailure) {
            while sent < request.count {
                let count: Int?
                do throws(CurlConnection.Failure) { count = try connection.sendSome(request, from: sent) } catch { throw .connection(error) }
                guard let count else { return .writable }
                sent += count
            }
            let complete = try withUnsafeTemporaryAllocation(byteCount: CurlTransport.receiveChunk, alignment: 1) {
                buffer throws(CurlTransport.ExchangeFailure) -> Bool in
                while true {
                    let count: Int?
                    do throws(CurlConnection.Failure) { count = try connection.receiveSome(into: buffer) } catch { throw .connection(error) }
                    guard let count else { return false }
                    if try CurlTransport.take(count, of: buffer, into: &parser) { return true }
                }
            }
            guard complete else { return .readable }
            self.connection = nil
            return .finished(transport.completed(parser, on: connection))
        } catch {
            self.connection = nil
            if case .connection(.closed) = error, !parser.receivedAnything { return .stale }
            return .failed(CurlTransport.transportError(error, host: host, limit: transport.options.maximumResponseBytes))
        }
    }

    /// The deadline has passed: the call is given up and its connection closed (half an
    /// exchange cannot be reused).
    public func expire() -> TransportError {
        connection = nil
        return .timedOut
    }
}
