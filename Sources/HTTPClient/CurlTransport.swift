import CCurl
import Encodings
import FoundationEssentials
import HTTPCore
import ThreadSupport

/// The production HTTPTransport: libcurl opens the connection (name, proxy tunnel, TLS with
/// verification), this module writes the HTTP/1.1 request and reads the response; kept-alive
/// connections are reused, redirects not followed, only http and https, bounded time and
/// response size. `send` blocks (the server runs it on worker threads); `begin` starts a
/// call on a kept-alive connection that an event loop drives without blocking.
public final class CurlTransport: HTTPTransport {
    public struct Options: Sendable {
        /// Time allowed to establish the TCP (and TLS) connection.
        public var connectTimeout: TimeInterval
        /// Time allowed for the whole request, connection included.
        public var totalTimeout: TimeInterval
        /// Larger responses are aborted with `.responseTooLarge`.
        public var maximumResponseBytes: Int
        public var userAgent: String
        /// Which certificate authorities outbound TLS trusts (the system store by default).
        public var tls: OutboundTLS
        /// Idle connections kept for reuse: as many as requests may call out at once (the
        /// server's worker threads), or a connection is closed after each call beyond the
        /// pool and the next call connects again.
        public var pooledHandles: Int

        public init(connectTimeout: TimeInterval = 5, totalTimeout: TimeInterval = 15, maximumResponseBytes: Int = 1 << 20,
                    userAgent: String = "entra-web", tls: OutboundTLS = .system, pooledHandles: Int = 64) {
            self.connectTimeout = connectTimeout
            self.totalTimeout = totalTimeout
            self.maximumResponseBytes = maximumResponseBytes
            self.userAgent = userAgent
            self.tls = tls
            self.pooledHandles = pooledHandles
        }
    }

    public let options: Options
    private let pool: ConnectionPool

    public init(options: Options = Options()) {
        CurlGlobal.initializeOnce()
        self.options = options
        self.pool = ConnectionPool(capacity: options.pooledHandles)
    }

    /// Sends `request` and waits for the whole response (blocking; run it on a worker).
    /// A kept-alive connection that turns out closed before any byte of the answer came is
    /// replaced and the request sent again once, for GET and HEAD only: a POST the server
    /// may have acted on is not repeated (RFC 9110 9.2.2).
    public func send(_ request: OutboundRequest) throws(TransportError) -> OutboundResponse {
        guard let target = OutboundTarget(request.url) else {
            let host = URLComponents(string: request.url)?.literalHost ?? ""
            throw .invalidURL(host.isEmpty ? CurlTransport.redacted(request.url) : "unsupported or malformed URL for host \(host)")
        }
        let bytes: [UInt8]
        do {
            bytes = try RequestWriter.bytes(request, target: target, userAgent: options.userAgent)
        } catch {
            switch error {
            case .badHeader(let name): throw .other("header \(name) is not a valid header field")
            }
        }
        let deadline = Deadline(after: .milliseconds(CurlTransport.milliseconds(options.totalTimeout)))
        let mayRepeat = request.method == .GET || request.method == .HEAD
        var retried = false
        while true {
            // A retry takes a fresh connection, not another idle one that may be as stale.
            let kept = retried ? nil : pool.checkOut(origin: target.origin)
            let connection: CurlConnection
            if let kept { connection = kept } else { connection = try CurlConnection.open(to: target, options: options, deadline: deadline) }
            var parser = ResponseParser(bodyLimit: options.maximumResponseBytes, method: request.method)
            do {
                try exchange(bytes, on: connection, parser: &parser, deadline: deadline)
            } catch .connection(.closed) where kept != nil && mayRepeat && !parser.receivedAnything {
                retried = true
                continue
            } catch {
                throw CurlTransport.transportError(error, host: target.host, limit: options.maximumResponseBytes)
            }
            return completed(parser, on: connection)
        }
    }

    /// Starts a GET or HEAD on an idle kept-alive connection without blocking (see
    /// `OutboundCall`); nil when there is none to lend at once (or the request is not one
    /// this can start), and the caller uses `send` on a thread that may block.
    public func begin(_ request: OutboundRequest) -> OutboundCall? {
        guard request.method == .GET || request.method == .HEAD, let target = OutboundTarget(request.url),
              let bytes = try? RequestWriter.bytes(request, target: target, userAgent: options.userAgent),
              let connection = pool.checkOutAtOnce(origin: target.origin)
        else { return nil }
        let deadline = MonotonicClock.coarseMilliseconds() + UInt64(CurlTransport.milliseconds(options.totalTimeout))
        return OutboundCall(request: bytes, method: request.method, on: connection, transport: self, host: target.host, deadline: deadline)
    }

    /// The response the parser read in full; its connection is kept for the next call when
    /// the server keeps it open and sent nothing more.
    func completed(_ parser: ResponseParser, on connection: CurlConnection) -> OutboundResponse {
        if parser.keepAlive && !parser.hasLeftover { pool.checkIn(connection) }
        return OutboundResponse(status: parser.status, headers: parser.headers, body: parser.body)
    }

    /// How an exchange on an open connection failed.
    enum ExchangeFailure: Error {
        /// The connection failed: closed or reset before the response was complete, the
        /// deadline, or another libcurl error.
        case connection(CurlConnection.Failure)
        /// The answer was not a response this client reads, or was too large.
        case response(ResponseParser.Failure)
    }

    /// Writes the request and reads until the parser has the whole response.
    private func exchange(_ bytes: [UInt8], on connection: CurlConnection, parser: inout ResponseParser, deadline: Deadline) throws(ExchangeFailure) {
        do { try connection.send(bytes, deadline: deadline) } catch { throw .connection(error) }
        try withUnsafeTemporaryAllocation(byteCount: CurlTransport.receiveChunk, alignment: 1) { buffer throws(ExchangeFailure) in
            while true {
                let count: Int
                do throws(CurlConnection.Failure) { count = try connection.receive(into: buffer, deadline: deadline) } catch {
                    throw .connection(error)
                }
                if try CurlTransport.take(count, of: buffer, into: &parser) { return }
            }
        }
    }

    /// Bytes read from a connection at a time.
    static let receiveChunk = 16 * 1024

    /// Gives the parser the `count` bytes just read into `buffer` (0: the server closed the
    /// connection); true once the response is complete.
    static func take(_ count: Int, of buffer: UnsafeMutableRawBufferPointer, into parser: inout ResponseParser) throws(ExchangeFailure) -> Bool {
        do throws(ResponseParser.Failure) {
            if count == 0 {
                try parser.receiveEnd()
                return true
            }
            return try parser.receive(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        } catch {
            // A close before any byte of the answer is a stale connection, not a bad answer.
            if count == 0 && !parser.receivedAnything { throw .connection(.closed) }
            throw .response(error)
        }
    }

    /// What the caller is told about a failed exchange with `host`.
    static func transportError(_ failure: ExchangeFailure, host: String, limit: Int) -> TransportError {
        switch failure {
        case .connection(.closed): return .other("the connection to \(host) closed before the response was complete")
        case .connection(.timedOut): return .timedOut
        case .response(.tooLarge): return .responseTooLarge(limit: limit)
        case .response(.malformed(let reason)): return .other("\(host) sent an invalid response: \(reason)")
        case .connection(.other(let text)): return .other("\(host): \(text)")
        }
    }

    /// The transport error for a libcurl code from opening a connection.
    static func map(_ code: CURLcode, host: String, detail: String) -> TransportError {
        switch code {
        case CURLE_COULDNT_CONNECT: return .connectionRefused(host: host)
        case CURLE_COULDNT_RESOLVE_HOST: return .cannotResolveHost(host: host)
        case CURLE_OPERATION_TIMEDOUT: return .timedOut
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
             CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            return .tlsFailure(detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return .invalidURL("unsupported or malformed URL for host \(host)")
        default:
            return .other(detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        }
    }

    static func milliseconds(_ seconds: TimeInterval) -> Int {
        max(1, Int((seconds * 1000).rounded()))
    }

    /// Scheme and host only: query strings may carry codes or tokens and must not reach
    /// logs or pages.
    static func redacted(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme else { return "<unparseable URL>" }
        return "\(scheme)://\(components.literalHost ?? "")"
    }
}
