import CCurl
import Encodings
import FoundationEssentials
import HTTPCore

/// The production HTTPTransport: libcurl easy handles with TLS verification on, no
/// redirects, http/https only, bounded time and response size. Calls block; the server
/// runs them on worker threads.
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
        /// Idle handles kept for connection reuse: as many as requests may call out at once
        /// (the server's worker threads), or a handle (and the kept-alive connection it
        /// holds) is thrown away after each call beyond the pool and the next call connects
        /// again.
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
    private let pool: CurlHandlePool

    public init(options: Options = Options()) {
        CurlGlobal.initializeOnce()
        self.options = options
        self.pool = CurlHandlePool(capacity: options.pooledHandles)
    }

    /// Sends `request` and waits for the whole response (blocking; run it on a worker).
    public func send(_ request: OutboundRequest) throws(TransportError) -> OutboundResponse {
        let host = URLComponents(string: request.url)?.literalHost ?? ""
        guard !host.isEmpty else { throw .invalidURL(CurlTransport.redacted(request.url)) }
        for header in request.headers where CurlTransport.containsLineBreak(header.name) || CurlTransport.containsLineBreak(header.value) {
            throw .other("header \(header.name.filter { $0 != "\r" && $0 != "\n" }) contains a line break")
        }

        let exchange = CurlExchange(limit: options.maximumResponseBytes)
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        defer { errorBuffer.deallocate() }
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        // Declared after the buffers so it runs before they are freed: the handle is reset
        // (or cleaned up) while the pointers it holds are still valid.
        let handle = pool.checkOut()
        var reusable = true
        defer { pool.checkIn(handle, reusable: reusable) }

        let curl = handle.pointer
        var setup = CurlSetup(curl: curl)
        configure(&setup, url: request.url, exchange: exchange, errorBuffer: errorBuffer)
        // curl adds "Expect: 100-continue" to larger POSTs, costing a round trip for nothing.
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            headerList = curl_slist_append(headerList, line)
        }
        setup.set(ccurl_setopt_slist(curl, CURLOPT_HTTPHEADER, headerList))
        Self.setMethod(&setup, request)
        if setup.failed {
            reusable = false
            throw .other("libcurl rejected an option")
        }

        let code = curl_easy_perform(curl)
        if code != CURLE_OK {
            reusable = code != CURLE_WRITE_ERROR
            throw CurlTransport.map(code, host: host, tooLarge: exchange.tooLarge, limit: options.maximumResponseBytes,
                                    detail: String(cString: errorBuffer))
        }
        var status = 0
        _ = ccurl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        return OutboundResponse(status: status, headers: exchange.headers, body: exchange.body)
    }

    /// Options that set up one easy handle, remembering whether libcurl refused any.
    private struct CurlSetup {
        /// The handle being set up.
        let curl: UnsafeMutableRawPointer
        /// libcurl refused an option: the request must not be sent half-configured.
        private(set) var failed = false

        /// A handle to set up.
        init(curl: UnsafeMutableRawPointer) {
            self.curl = curl
        }

        /// Notes the result of one curl_easy_setopt.
        mutating func set(_ result: CURLcode) {
            if result != CURLE_OK { failed = true }
        }
    }

    /// The URL, protocols, TLS verification, timeouts, and the callbacks that fill `exchange`.
    private func configure(
        _ setup: inout CurlSetup, url: String, exchange: CurlExchange, errorBuffer: UnsafeMutablePointer<CChar>
    ) {
        let curl = setup.curl
        let context = Unmanaged.passUnretained(exchange).toOpaque()
        setup.set(ccurl_setopt_string(curl, CURLOPT_URL, url))
        setup.set(ccurl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "http,https"))
        setup.set(ccurl_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 0))
        setup.set(options.tls.apply(to: curl))
        // No SIGALRM-based DNS timeouts: signals and worker threads do not mix.
        setup.set(ccurl_setopt_long(curl, CURLOPT_NOSIGNAL, 1))
        setup.set(ccurl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, CurlTransport.milliseconds(options.connectTimeout)))
        setup.set(ccurl_setopt_long(curl, CURLOPT_TIMEOUT_MS, CurlTransport.milliseconds(options.totalTimeout)))
        setup.set(ccurl_setopt_string(curl, CURLOPT_USERAGENT, options.userAgent))
        setup.set(ccurl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, errorBuffer))
        setup.set(ccurl_setopt_write_function(curl, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            Unmanaged<CurlExchange>.fromOpaque(context!).takeUnretainedValue().receiveBody(data, size * count)
        })
        setup.set(ccurl_setopt_pointer(curl, CURLOPT_WRITEDATA, context))
        setup.set(ccurl_setopt_write_function(curl, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            Unmanaged<CurlExchange>.fromOpaque(context!).takeUnretainedValue().receiveHeaderLine(data, size * count)
        })
        setup.set(ccurl_setopt_pointer(curl, CURLOPT_HEADERDATA, context))
    }

    /// The method, and the body for methods that send one.
    private static func setMethod(_ setup: inout CurlSetup, _ request: OutboundRequest) {
        let curl = setup.curl
        switch request.method {
        case .GET where request.body.isEmpty:
            setup.set(ccurl_setopt_long(curl, CURLOPT_HTTPGET, 1))
        case .HEAD:
            setup.set(ccurl_setopt_long(curl, CURLOPT_NOBODY, 1))
        default:
            if request.method != .POST {
                setup.set(ccurl_setopt_string(curl, CURLOPT_CUSTOMREQUEST, request.method.rawValue))
            }
            setup.set(ccurl_setopt_long(curl, CURLOPT_POST, 1))
            setup.set(ccurl_setopt_long(curl, CURLOPT_POSTFIELDSIZE, request.body.count))
            // COPYPOSTFIELDS copies now, so the Swift array need not outlive this call.
            var body = request.body
            if body.isEmpty { body = [0] }
            body.withUnsafeMutableBytes { setup.set(ccurl_setopt_pointer(curl, CURLOPT_COPYPOSTFIELDS, $0.baseAddress)) }
        }
    }

    static func map(_ code: CURLcode, host: String, tooLarge: Bool, limit: Int, detail: String) -> TransportError {
        switch code {
        case CURLE_WRITE_ERROR where tooLarge: return .responseTooLarge(limit: limit)
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

    static func containsLineBreak(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in bytes.contains { $0 == 13 || $0 == 10 } }
    }
}
