import Encodings
import FoundationEssentials
import HTTPClient
import JOSE
import Logging

/// The proxy variables libcurl reads from the process environment, on every outbound call
/// (lower case first; `HTTP_PROXY` in upper case is ignored by libcurl, against "httpoxy").
enum OutboundProxy {
    /// The names, as libcurl spells them.
    static let environmentKeys = ["https_proxy", "HTTPS_PROXY", "http_proxy", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"]

    /// libcurl never sees `.env`: a proxy written only there would silently not be used, and
    /// on a network that needs it every sign-in would fail far from the cause.
    static func checkNotOnlyInDotEnv(environment: [String: String], dotEnv: [String: String]) throws(ConfigurationError) {
        for key in environmentKeys {
            guard let value = dotEnv[key], !value.trimmingWhitespace.isEmpty, environment[key] != value else { continue }
            throw ConfigurationError(key: key, reason: "is set in .env, but libcurl reads proxy settings from the process environment only: export it, or set it in the service's environment")
        }
    }

    /// One line for the start-up log: which proxy outbound https calls use, without any
    /// user name or password in its URL. Nil without a proxy.
    static func describe(_ environment: [String: String]) -> String? {
        let names = ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
        guard let key = names.first(where: { !(environment[$0] ?? "").trimmingWhitespace.isEmpty }), let value = environment[key] else { return nil }
        let bypass = environment["no_proxy"] ?? environment["NO_PROXY"]
        let shown = value.contains("@") ? "<proxy with credentials, not shown>" : value
        return "Outbound https calls go through the proxy \(shown) (\(key))" + (bypass.map { ", except NO_PROXY \($0)" } ?? "")
    }
}

extension AppConfiguration {
    /// What outbound TLS trusts: CA_BUNDLE alone, else SSL_CERT_FILE and SSL_CERT_DIR over
    /// the system store. Throws naming the key when a file or directory is unusable.
    public func outboundTLS() throws(ConfigurationError) -> OutboundTLS {
        try OutboundTrustSettings.resolve(self)
    }
}

/// CA_BUNDLE, else SSL_CERT_FILE and SSL_CERT_DIR, checked at start-up and turned into the
/// trust every outbound call (discovery, keys, token endpoint, Graph) verifies against.
enum OutboundTrustSettings {
    /// The trust for `configuration`; a file that cannot be read or holds no certificate,
    /// or a directory that is not one, stops start-up naming its key.
    static func resolve(_ configuration: AppConfiguration) throws(ConfigurationError) -> OutboundTLS {
        if let bundle = configuration.caBundle {
            try checkBundle(bundle, key: "CA_BUNDLE")
            return .only(bundle: bundle)
        }
        var tls = OutboundTLS.system
        if let file = configuration.sslCertFile {
            try checkBundle(file, key: "SSL_CERT_FILE")
            tls.caFile = .path(file)
        }
        if let directories = configuration.sslCertDirectory {
            // OpenSSL takes a colon-separated list, as libcurl passes it on.
            for directory in directories.split(separator: ":").map(String.init) {
                var isDirectory = false
                guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory else {
                    throw ConfigurationError(key: "SSL_CERT_DIR", reason: "names \(directory), which is not a directory")
                }
            }
            tls.caDirectory = .path(directories)
        }
        return tls
    }

    /// A readable PEM file with at least one certificate.
    private static func checkBundle(_ path: String, key: String) throws(ConfigurationError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(key: key, reason: "cannot read \(path)")
        }
        let count = Certificate.all(inPEM: String(decoding: data, as: UTF8.self)).count
        guard count > 0 else {
            throw ConfigurationError(key: key, reason: "names \(path), which holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
    }

    /// The start-up log line saying what outbound TLS trusts.
    static func describe(_ configuration: AppConfiguration) -> String? {
        if let bundle = configuration.caBundle { return "Outbound TLS trusts only the CAs in CA_BUNDLE (\(bundle))" }
        let conventional = [("SSL_CERT_FILE", configuration.sslCertFile), ("SSL_CERT_DIR", configuration.sslCertDirectory)]
            .compactMap { key, value in value.map { "\(key) \($0)" } }
        return conventional.isEmpty ? nil : "Outbound TLS trusts the CAs of \(conventional.joined(separator: " and "))"
    }
}
