import CryptoSupport
import Foundation
import Glibc
import SessionStore

/// Puts N sessions on disk quickly: one real session is created through the store, and N-1
/// more are sealed with the same content under fresh handles (each file is bound to its own
/// handle, so copies would not open) and written with a lock file each, as a server that has
/// been running for a while would have. No fsync: the bench measures requests, not the setup.
struct Population {
    let directory: String
    let ids: [SessionHandle]

    /// A session of realistic size: the claims of an Entra ID token and a token cache with
    /// the raw ID token, an access and a refresh token (about 5 KB in all).
    static func realisticContent(_ session: inout Session) {
        session.claims = [
            "aud": .string("6731de76-14a6-49ae-97bc-6eba6914391e"),
            "iss": .string("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"),
            "iat": .number(1_700_000_000), "nbf": .number(1_700_000_000), "exp": .number(1_700_003_600),
            "name": .string("Ada Lovelace"), "preferred_username": .string("ada@contoso.com"),
            "oid": .string("00000000-0000-0000-66f3-3332eca7ea81"),
            "sub": .string("AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ"),
            "tid": .string("72f988bf-86f1-41af-91ab-2d7cd011db47"),
            "roles": .array([.string("Reader"), .string("Writer")]),
            "ver": .string("2.0"),
        ]
        session.tokenCache = String(repeating: "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9", count: 30) + String(repeating: "x", count: 3000)
        session.attributes["returnTo"] = "/"
    }

    /// Creates `count` sessions in `directory` (which must be new or empty).
    static func create(count: Int, in directory: String, store: FileSessionStore) throws -> Population {
        let template = try store.create(realisticContent)
        var ids = [template.handle]
        ids.reserveCapacity(count)
        let random = OpenSSLRandom()
        while ids.count < count {
            let session = Session(handle: SessionHandle.generate(using: random), createdAt: template.createdAt, lastSeen: template.lastSeen,
                              claims: template.claims, tokenCache: template.tokenCache, attributes: template.attributes)
            let name = directory + "/" + session.handle.storageKey
            try write(SessionRecord.seal(session, key: session.handle.sealingKey(), random: random), to: name)
            try write([], to: name + ".lock")
            ids.append(session.handle)
        }
        return Population(directory: directory, ids: ids)
    }

    private static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }
}
