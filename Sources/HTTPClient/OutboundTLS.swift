import CCurl

/// How outbound TLS is verified: always the peer's certificate chain and host name, against
/// the certificate authorities chosen here. libcurl built with OpenSSL reads neither
/// `SSL_CERT_FILE` nor `SSL_CERT_DIR` by itself, so the app resolves its settings into this
/// value and every easy handle gets it from `apply(to:)`.
public struct OutboundTLS: Sendable, Equatable {
    /// Where one kind of trusted CA comes from.
    public enum Source: Sendable, Equatable {
        /// libcurl's built-in default (on Debian `/etc/ssl/certs/ca-certificates.crt` for the
        /// file and `/etc/ssl/certs` for the directory): the system store.
        case systemDefault
        /// This PEM file (`CURLOPT_CAINFO`) or hashed directory (`CURLOPT_CAPATH`).
        case path(String)
        /// None of this kind: the other source alone is trusted.
        case none
    }

    /// The PEM bundle of trusted CAs.
    public var caFile: Source
    /// The directory (or colon-separated directories) of hashed CA certificates.
    public var caDirectory: Source

    /// Trust whatever libcurl trusts by default: the system store.
    public static let system = OutboundTLS(caFile: .systemDefault, caDirectory: .systemDefault)

    /// Trust exactly the CAs in `path` and nothing else (`CA_BUNDLE`).
    public static func only(bundle path: String) -> OutboundTLS {
        OutboundTLS(caFile: .path(path), caDirectory: .none)
    }

    /// Trust from the given sources.
    public init(caFile: Source, caDirectory: Source) {
        self.caFile = caFile
        self.caDirectory = caDirectory
    }

    /// Sets verification and trust on one easy handle; the first option libcurl refuses,
    /// or `CURLE_OK`. The one place TLS options are set, so every call (discovery, keys,
    /// token endpoint, Graph) verifies the same way.
    func apply(to curl: UnsafeMutableRawPointer) -> CURLcode {
        var results = [
            ccurl_setopt_long(curl, CURLOPT_SSL_VERIFYPEER, 1),
            ccurl_setopt_long(curl, CURLOPT_SSL_VERIFYHOST, 2),
        ]
        // The same trust for an https:// proxy (HTTPS_PROXY=https://...) as for the servers.
        for option in [CURLOPT_CAINFO, CURLOPT_PROXY_CAINFO] { results.append(Self.set(caFile, option, on: curl)) }
        for option in [CURLOPT_CAPATH, CURLOPT_PROXY_CAPATH] { results.append(Self.set(caDirectory, option, on: curl)) }
        return results.first { $0 != CURLE_OK } ?? CURLE_OK
    }

    /// `CURLOPT_CAINFO` or `CURLOPT_CAPATH` for one source; a NULL value switches libcurl's
    /// built-in default off, which a reset handle would otherwise fall back to.
    private static func set(_ source: Source, _ option: CURLoption, on curl: UnsafeMutableRawPointer) -> CURLcode {
        switch source {
        case .systemDefault: return CURLE_OK
        case .path(let path): return ccurl_setopt_string(curl, option, path)
        case .none: return ccurl_setopt_pointer(curl, option, nil)
        }
    }
}
