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
        // Header names are ASCII: compared byte by byte, case-insensitively, without copies.
        func lowered(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte }
        let bytes = name.utf8
        func matches(_ word: String, prefix: Bool) -> Bool {
            let target = word.utf8
            guard prefix ? bytes.count >= target.count : bytes.count == target.count else { return false }
            return zip(bytes, target).allSatisfy { lowered($0) == $1 }
        }
        return matches("x-forwarded-", prefix: true) || matches("forwarded", prefix: false) || matches("x-real-ip", prefix: false)
    }
}
