import Encodings
import HTTPServer

/// Who may talk to the development provider: only this machine, directly. Its demo users
/// let anyone who reaches it sign in, so a request is refused unless its TCP peer is a
/// loopback address, its `Host` names a loopback host (a DNS-rebinding page on another
/// site cannot drive it), and it carries no header a proxy adds (`X-Forwarded-*`,
/// `Forwarded`, `X-Real-IP`): behind a proxy the peer is loopback for everyone.
enum DevAccessGate {
    /// Why `request` is refused, in words for the log; nil when it may proceed.
    static func refusal(_ request: HTTPRequest) -> String? {
        guard let peer = request.peerAddress, LoopbackHost.isLoopback(peer) else {
            return "the connection does not come from this machine"
        }
        guard let host = request.headers["Host"], LoopbackHost.isLoopback(hostHeader: host) else {
            return "its Host header does not name a loopback address"
        }
        if let proxied = request.headers.first(where: { isProxyHeader($0.name) }) {
            return "it came through a proxy (\(proxied.name) header)"
        }
        return nil
    }

    /// Headers that proxies add to say whom they forward for.
    static func isProxyHeader(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasPrefix("x-forwarded-") || lower == "forwarded" || lower == "x-real-ip"
    }
}
