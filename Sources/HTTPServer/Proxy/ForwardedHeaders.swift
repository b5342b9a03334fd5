/// Applies X-Forwarded-For/-Proto/-Host to a request when, and only when, the TCP peer is a
/// trusted proxy; from anyone else those headers are attacker-controlled and ignored.
enum ForwardedHeaders {
    /// Sets clientAddress, scheme and host on `request`, which came from `peer`.
    static func apply(to request: inout HTTPRequest, peer: IPAddress, peerText: String, trusted proxies: TrustedProxies) {
        request.clientAddress = peerText
        request.scheme = "http"
        guard proxies.contains(peer) else { return }

        // The rightmost address no trusted proxy vouches for is the client; everything left of
        // it could have been written by that client.
        let hops = request.headers.values("X-Forwarded-For")
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingWhitespace }
            .filter { !$0.isEmpty }
        var client = peerText
        for hop in hops.reversed() {
            guard let address = parseHop(hop) else { break }
            client = address.description
            if !proxies.contains(address) { break }
        }
        request.clientAddress = client

        if let proto = lastListElement(request.headers.values("X-Forwarded-Proto")) {
            let lower = proto.lowercased()
            if lower == "https" || lower == "http" { request.scheme = lower }
        }
        if let host = lastListElement(request.headers.values("X-Forwarded-Host")),
            !host.isEmpty, host.utf8.allSatisfy(ASCII.isHostChar)
        {
            request.host = String(host)
        }
    }

    /// The element the nearest proxy appended: the last one of a comma-separated list.
    private static func lastListElement(_ values: [String]) -> Substring? {
        guard let last = values.last else { return nil }
        return last.split(separator: ",").last?.trimmingWhitespace
    }

    /// An X-Forwarded-For element: `1.2.3.4`, `1.2.3.4:5678`, `::1` or `[::1]:5678`.
    private static func parseHop(_ hop: Substring) -> IPAddress? {
        if let address = IPAddress(hop) { return address }
        if hop.hasPrefix("["), let close = hop.firstIndex(of: "]") {
            return IPAddress(hop[hop.index(after: hop.startIndex)..<close])
        }
        if let colon = hop.firstIndex(of: ":"), hop.filter({ $0 == ":" }).count == 1 {
            return IPAddress(hop[..<colon])
        }
        return nil
    }
}
