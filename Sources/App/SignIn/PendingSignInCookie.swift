// Sign-ins in progress travel with the browser, sealed, instead of being written to the
// session store: nothing is stored for anyone who has not signed in, and every instance
// that shares SESSION_SECRET can finish a sign-in another one started.
import CryptoSupport
import Encodings
import FoundationEssentials
import HTTPServer
import OIDC

/// The cookie that carries a browser's pending sign-ins (`PendingFlows`: state, nonce, PKCE
/// verifier, return path, scopes, start time), sealed with AES-256-GCM under a key derived
/// from SESSION_SECRET for this purpose only. Only this server can read or make one: a
/// modified, foreign, expired or truncated cookie opens to nothing, which is "no sign-in in
/// progress", never an error.
///
/// `__Host-signin` over https (Secure, host-only, `Path=/`, which the prefix enforces), `signin`
/// over http; HttpOnly; SameSite=Lax, which browsers send on the provider's top-level redirect
/// back to the callback. It lives as long as its youngest flow. Each sign-in started adds a
/// flow (the OIDC client keeps at most five and drops expired ones), and the cookie drops its
/// oldest flows beyond `valueBudget`, so several tabs fit and the cookie stays far below the
/// 4 KB browsers allow.
struct PendingSignInCookie: Sendable {
    /// HKDF info for the sealing key: a new format gets a new label and with it a new key.
    static let keyPurpose = "entra-web pending sign-in cookie v1"
    /// The value's first characters: the format.
    static let versionPrefix = "v1."
    /// Longest value opened; a longer one is ignored without being decoded.
    static let maximumValueLength = 4000
    /// Longest value written: flows beyond it are dropped, oldest first.
    static let valueBudget = 3000

    /// The sealing key.
    private let key: [UInt8]
    /// Where nonces come from.
    private let random: any RandomSource

    /// The cookie sealed with `secret`'s key for this purpose.
    init(secret: SessionSecret, random: any RandomSource = OpenSSLRandom()) {
        key = secret.key(for: Self.keyPurpose)
        self.random = random
    }

    /// The cookie's name for a request over https (`secure`) or plain http.
    static func name(secure: Bool) -> String {
        secure ? "__Host-signin" : "signin"
    }

    /// The pending sign-ins this browser sent; empty when it sent none this server sealed.
    func flows(in request: HTTPRequest) -> PendingFlows {
        let secure = request.scheme == "https"
        for header in request.headers.values("Cookie") {
            if let flows = CookieHeader.firstValue(named: Self.name(secure: secure), in: header, { open($0, secure: secure) }) {
                return flows
            }
        }
        return PendingFlows()
    }

    /// The `Set-Cookie` value that keeps `flows` in the browser for `maxAge` seconds, or
    /// drops the cookie when there are none left.
    func setCookie(_ flows: PendingFlows, maxAge: Int, secure: Bool) -> String {
        let attributes = secure ? "Path=/; HttpOnly; SameSite=Lax; Secure" : "Path=/; HttpOnly; SameSite=Lax"
        var remaining = flows
        while !remaining.isEmpty {
            let value = seal(remaining, secure: secure)
            if value.utf8.count <= Self.valueBudget {
                return "\(Self.name(secure: secure))=\(value); Max-Age=\(max(0, maxAge)); \(attributes)"
            }
            remaining.dropOldest()
        }
        return "\(Self.name(secure: secure))=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; \(attributes)"
    }

    /// `v1.` and the base64url of nonce, ciphertext and tag. The cookie's name is bound in as
    /// associated data, so a value cannot move between the https and the http cookie.
    private func seal(_ flows: PendingFlows, secure: Bool) -> String {
        let plaintext = Array((try? JSONEncoder().encode(flows)) ?? Data())
        let nonce = random.bytes(AES256GCM.nonceByteCount)
        let sealed = AES256GCM.seal(plaintext[...], key: key, nonce: nonce, associatedData: Self.associatedData(secure: secure))
        return Self.versionPrefix + Base64URL.encode(nonce + sealed)
    }

    /// The flows in a value of the cookie named for `secure`, if this server sealed it so.
    private func open(_ value: Substring, secure: Bool) -> PendingFlows? {
        guard value.utf8.count <= Self.maximumValueLength, value.hasPrefix(Self.versionPrefix),
              let bytes = Base64URL.decode(value.dropFirst(Self.versionPrefix.utf8.count)),
              bytes.count >= AES256GCM.nonceByteCount + AES256GCM.tagByteCount,
              let plaintext = AES256GCM.open(bytes[AES256GCM.nonceByteCount...], key: key,
                                             nonce: Array(bytes.prefix(AES256GCM.nonceByteCount)),
                                             associatedData: Self.associatedData(secure: secure))
        else { return nil }
        // Authentic but undecodable would be our own bug or a future format: no flows.
        return try? JSONDecoder().decode(PendingFlows.self, from: Data(plaintext))
    }

    /// What every sealed value is bound to besides its content: the format and the name.
    private static func associatedData(secure: Bool) -> ArraySlice<UInt8> {
        Array((versionPrefix + name(secure: secure)).utf8)[...]
    }
}
