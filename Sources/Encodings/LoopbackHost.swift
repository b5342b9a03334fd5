/// The one rule for "this host is the local machine", used wherever loopback earns trust:
/// plain http for provider URLs and GRAPH_ENDPOINT, the development provider's gates, and
/// the sign-in host move between `127.0.0.1` and `localhost`.
///
/// Only literal forms count: an IPv4 address in 127.0.0.0/8 written as four decimal octets
/// without leading zeros, `::1` (or `0:0:0:0:0:0:0:1`, bracketed or not), and `localhost`.
/// Anything a resolver or a URL parser could turn into another address is refused:
/// `127.example.com`, `127.0.0.1.example.com`, `localhost.evil.com`, `localhost.`,
/// percent escapes, octal or hex octets, zone ids.
public enum LoopbackHost {
    /// True when `host` (as written in a URL or an address field, without a port) is a
    /// loopback address or `localhost`.
    public static func isLoopback(_ host: some StringProtocol) -> Bool {
        var name = Substring(host).lowercased()[...]
        if name.hasPrefix("[") && name.hasSuffix("]") { name = name.dropFirst().dropLast() }
        if name == "localhost" || name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        return isLoopbackIPv4(name)
    }

    /// True when an HTTP `Host` header value (`name[:port]` or `[v6][:port]`) names a
    /// loopback host.
    public static func isLoopback(hostHeader: some StringProtocol) -> Bool {
        isLoopback(name(ofHostHeader: hostHeader))
    }

    /// The host part of a `Host` header value: `[::1]` for `[::1]:5000`, `localhost` for
    /// `localhost:5000`.
    public static func name(ofHostHeader value: some StringProtocol) -> Substring {
        let header = Substring(value)
        if header.hasPrefix("[") {
            guard let end = header.firstIndex(of: "]") else { return "" }
            return header[...end]
        }
        return header.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    }

    /// Four decimal octets in canonical form, the first 127.
    private static func isLoopbackIPv4(_ text: Substring) -> Bool {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in
            guard (1...3).contains(octet.utf8.count),
                  octet.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  octet == "0" || octet.first != "0",
                  let value = Int(octet)
            else { return false }
            return value <= 255
        }
    }
}
