import CCurl
import Glibc
import ThreadSupport

/// libcurl's global initialisation, done once before the first handle.
enum CurlGlobal {
    private static let initialized: Bool = {
        // CURL_GLOBAL_DEFAULT; Swift does not import the compound macro.
        curl_global_init(3) == CURLE_OK
    }()

    static func initializeOnce() {
        precondition(initialized, "curl_global_init failed")
    }
}

/// One connection to one origin, opened by libcurl in `CURLOPT_CONNECT_ONLY` mode: libcurl
/// resolves the name, goes through the proxy the environment names (as a CONNECT tunnel),
/// and does the TLS handshake with verification; the request and response bytes then travel
/// through `curl_easy_send` and `curl_easy_recv`, which encrypt and decrypt and nothing more.
/// Used by one thread at a time (the pool lends it out exclusively).
final class CurlConnection: @unchecked Sendable {
    /// How the connection failed once open.
    enum Failure: Error {
        /// The deadline passed.
        case timedOut
        /// The peer closed the connection or reset it.
        case closed
        /// libcurl reported another error: its text.
        case other(String)
    }

    /// The easy handle that owns the socket (and, over https, the TLS session).
    private let handle: UnsafeMutableRawPointer
    /// The socket, for poll(2) or a caller's epoll.
    let socket: Int32
    /// The origin this connection talks to (`OutboundTarget.origin`).
    let origin: String
    /// When the connection was last handed back, for the idle limit (coarse milliseconds).
    var idleSince: UInt64 = 0

    /// Opens a connection to `target`'s origin within `deadline`.
    static func open(to target: OutboundTarget, options: CurlTransport.Options, deadline: Deadline) throws(TransportError) -> CurlConnection {
        CurlGlobal.initializeOnce()
        guard let handle = curl_easy_init() else { throw .other("curl_easy_init failed: out of memory") }
        var errorText = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE))
        let code = errorText.withUnsafeMutableBufferPointer { errorBuffer -> CURLcode in
            let results = [
                ccurl_setopt_string(handle, CURLOPT_URL, target.connectURL),
                ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"),
                ccurl_setopt_long(handle, CURLOPT_CONNECT_ONLY, 1),
                // Requests are written as HTTP/1.1, so TLS must not agree on h2 (ALPN).
                ccurl_setopt_long(handle, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1),
                // Through a proxy, always a tunnel: the request then goes to the origin as written.
                ccurl_setopt_long(handle, CURLOPT_HTTPPROXYTUNNEL, 1),
                options.tls.apply(to: handle),
                // No SIGALRM-based DNS timeouts: signals and worker threads do not mix.
                ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1),
                ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, CurlTransport.milliseconds(options.connectTimeout)),
                ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, Int(deadline.remainingMilliseconds))),
                ccurl_setopt_string(handle, CURLOPT_USERAGENT, options.userAgent),
                ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer.baseAddress),
            ]
            if let refused = results.first(where: { $0 != CURLE_OK }) { return refused }
            let code = curl_easy_perform(handle)
            _ = ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, nil)
            return code
        }
        var socket: curl_socket_t = -1
        guard code == CURLE_OK, ccurl_getinfo_socket(handle, CURLINFO_ACTIVESOCKET, &socket) == CURLE_OK, socket >= 0 else {
            curl_easy_cleanup(handle)
            let detail = errorText.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw CurlTransport.map(code == CURLE_OK ? CURLE_COULDNT_CONNECT : code, host: target.host, detail: detail)
        }
        return CurlConnection(handle: handle, socket: socket, origin: target.origin)
    }

    private init(handle: UnsafeMutableRawPointer, socket: Int32, origin: String) {
        self.handle = handle
        self.socket = socket
        self.origin = origin
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    /// Sends all of `bytes` within `deadline`.
    func send(_ bytes: [UInt8], deadline: Deadline) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            if let sent = try sendSome(bytes, from: offset) { offset += sent } else { try wait(for: Int16(POLLOUT), deadline: deadline) }
        }
    }

    /// Reads what has arrived into `buffer`, waiting up to `deadline` for something; 0 when
    /// the peer has closed the connection.
    func receive(into buffer: UnsafeMutableRawBufferPointer, deadline: Deadline) throws(Failure) -> Int {
        while true {
            if let received = try receiveSome(into: buffer) { return received }
            try wait(for: Int16(POLLIN), deadline: deadline)
        }
    }

    /// Sends as much of `bytes` from `offset` as the socket takes now, without waiting: how
    /// many bytes went, or nil when none could.
    func sendSome(_ bytes: [UInt8], from offset: Int) throws(Failure) -> Int? {
        var sent = 0
        let code = bytes.withUnsafeBytes { curl_easy_send(handle, $0.baseAddress! + offset, $0.count - offset, &sent) }
        switch code {
        case CURLE_OK: return sent
        case CURLE_AGAIN: return nil
        case CURLE_SEND_ERROR: throw .closed
        default: throw .other(String(cString: curl_easy_strerror(code)))
        }
    }

    /// Reads what has arrived into `buffer`, without waiting: the byte count, 0 when the peer
    /// has closed the connection, nil when nothing is there yet.
    func receiveSome(into buffer: UnsafeMutableRawBufferPointer) throws(Failure) -> Int? {
        var received = 0
        let code = curl_easy_recv(handle, buffer.baseAddress, buffer.count, &received)
        switch code {
        case CURLE_OK: return received
        // Over TLS, a record without application data (a session ticket) is also AGAIN.
        case CURLE_AGAIN: return nil
        case CURLE_RECV_ERROR: throw .closed
        default: throw .other(String(cString: curl_easy_strerror(code)))
        }
    }

    /// Whether an idle connection can carry another request: the peer has neither closed it
    /// nor sent anything unasked. Catches the usual stale keep-alive (a server that timed the
    /// connection out) before a request is spent on it.
    var isReusable: Bool {
        var entry = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, 0)
        if ready == 0 { return true }
        guard ready > 0, entry.revents & Int16(POLLERR | POLLHUP | POLLNVAL) == 0 else { return false }
        var byte: UInt8 = 0
        var received = 0
        // Readable but alive only when what arrived was TLS housekeeping with no data for us.
        return curl_easy_recv(handle, &byte, 1, &received) == CURLE_AGAIN
    }

    /// Waits until the socket is ready for `events` or the deadline passes.
    private func wait(for events: Int16, deadline: Deadline) throws(Failure) {
        switch deadline.wait(for: socket, events: events) {
        case .ready: return
        case .timedOut: throw .timedOut
        case .failed(let code): throw .other("poll: \(String(cString: strerror(code)))")
        }
    }
}
