// The stored form of a session, the same for every backend: a short readable header (format,
// times, version) and the rest sealed with AES-256-GCM under the key the cookie's secret
// derives, the header and the storage key bound in as associated data.
import CryptoSupport
import Encodings
import FoundationEssentials

/// Seals sessions for storage and opens them again. Backends store the bytes as they are
/// (a file, a Redis value); the sweeper and a backend's expiry read the header alone.
///
/// Layout (integers big-endian, times in whole milliseconds since 1970):
///
/// | bytes | field |
/// |------:|:------|
/// | 4     | magic `89 45 57 53` (`\x89EWS`) |
/// | 1     | format version, 2 |
/// | 8     | createdAt |
/// | 8     | lastSeen |
/// | 8     | version (the write counter) |
/// | 12    | nonce, fresh from the CSPRNG for every seal |
/// | n+16  | AES-256-GCM ciphertext and tag of the JSON of claims, token cache, attributes |
///
/// The associated data is the 29-byte header followed by the storage key, so changing a time
/// or the version, or moving the entry under another key, makes it fail to open. The id and
/// the secret are never stored. Format 1 (plain JSON, earlier versions) is recognised as
/// `legacy`: never opened, only swept.
package enum SessionRecord {
    /// The format version this code writes and reads.
    static let formatVersion: UInt8 = 2
    /// The first bytes of every record.
    private static let magic: [UInt8] = [0x89, 0x45, 0x57, 0x53]
    /// Bytes of the authenticated, readable header.
    package static let headerByteCount = 29
    /// Bytes of a record holding an empty plaintext: the smallest possible.
    static let minimumByteCount = headerByteCount + AES256GCM.nonceByteCount + AES256GCM.tagByteCount

    /// The readable part: enough to expire an entry without its key.
    package struct Header: Sendable, Equatable {
        package var createdAt: Date
        package var lastSeen: Date
        package var version: UInt64
    }

    /// What some stored bytes are.
    package enum Kind: Sendable, Equatable {
        /// A sealed session of this format.
        case sealed(Header)
        /// A plain-JSON session file of format 1: readable, but no cookie of this version
        /// can name it, so it is only ever removed.
        case legacy
        /// Anything else.
        case corrupt(reason: String)
    }

    /// What opening some bytes with a handle gave.
    package enum Opened: Sendable, Equatable {
        case session(Session)
        /// The tag did not verify: another secret than the one that sealed it, or altered
        /// bytes. Indistinguishable by design; either way, no session for this handle.
        case unauthenticated
        case legacy
        case corrupt(reason: String)
    }

    /// The bytes to store for `session`, sealed under `key` (the handle's `sealingKey()`)
    /// and bound to the handle's storage key.
    package static func seal(_ session: Session, key: [UInt8], random: any RandomSource) -> [UInt8] {
        let header = Header(createdAt: session.createdAt, lastSeen: session.lastSeen, version: session.version)
        var bytes = encodeHeader(header)
        let nonce = random.bytes(AES256GCM.nonceByteCount)
        let associatedData = bytes + Array(session.handle.storageKey.utf8)
        let sealed = AES256GCM.seal(Contents.encode(session)[...], key: key, nonce: nonce, associatedData: associatedData[...])
        bytes.reserveCapacity(bytes.count + nonce.count + sealed.count)
        bytes += nonce
        bytes += sealed
        return bytes
    }

    /// The session in `bytes` if `handle` (whose `sealingKey()` is `key`) sealed it.
    package static func open(_ bytes: [UInt8], handle: SessionHandle, key: [UInt8]) -> Opened {
        let header: Header
        switch kind(of: bytes) {
        case .legacy: return .legacy
        case .corrupt(let reason): return .corrupt(reason: reason)
        case .sealed(let value): header = value
        }
        let nonceEnd = headerByteCount + AES256GCM.nonceByteCount
        let associatedData = bytes[..<headerByteCount] + Array(handle.storageKey.utf8)
        guard let plaintext = AES256GCM.open(bytes[nonceEnd...], key: key, nonce: Array(bytes[headerByteCount..<nonceEnd]),
                                             associatedData: associatedData)
        else { return .unauthenticated }
        // Authentic but undecodable would be our own bug or a future format; never a session.
        guard let session = Contents.decode(plaintext, handle: handle, header: header) else {
            return .corrupt(reason: "sealed content is not a session")
        }
        return .session(session)
    }

    /// Classifies stored bytes by their header alone (no key needed).
    package static func kind(of bytes: [UInt8]) -> Kind {
        guard bytes.count >= minimumByteCount, Array(bytes.prefix(magic.count)) == magic else {
            return LegacyFormat.isLegacy(bytes) ? .legacy : .corrupt(reason: "not a session record")
        }
        guard bytes[magic.count] == formatVersion else { return .corrupt(reason: "unknown format \(bytes[magic.count])") }
        return .sealed(Header(createdAt: date(milliseconds: Int64(bitPattern: readUInt64(bytes, at: 5))),
                              lastSeen: date(milliseconds: Int64(bitPattern: readUInt64(bytes, at: 13))),
                              version: readUInt64(bytes, at: 21)))
    }

    /// The 29 readable bytes: magic, format, times, version.
    private static func encodeHeader(_ header: Header) -> [UInt8] {
        var bytes = magic
        bytes.reserveCapacity(headerByteCount + AES256GCM.nonceByteCount)
        bytes.append(formatVersion)
        appendUInt64(UInt64(bitPattern: milliseconds(header.createdAt)), to: &bytes)
        appendUInt64(UInt64(bitPattern: milliseconds(header.lastSeen)), to: &bytes)
        appendUInt64(header.version, to: &bytes)
        return bytes
    }

    /// Appends `value` big-endian.
    private static func appendUInt64(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// The big-endian integer at `offset`.
    private static func readUInt64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        bytes[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// `date` rounded to the millisecond, the precision of the format: the store only ever
    /// holds such times, so a session read back compares equal to the one written.
    package static func normalized(_ date: Date) -> Date {
        Self.date(milliseconds: milliseconds(date))
    }

    /// `date` in whole milliseconds since 1970.
    package static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// The date `milliseconds` after 1970.
    package static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}

/// The sealed plaintext: JSON of what the app keeps in a session.
private enum Contents {
    /// The JSON object sealed. Sessions written by earlier versions also hold a
    /// `pendingFlows` member, which is ignored.
    private struct Record: Codable {
        var claims: [String: JSONValue]
        var tokenCache: String?
        var attributes: [String: String]
    }

    /// The plaintext for `session`.
    static func encode(_ session: Session) -> [UInt8] {
        let record = Record(claims: session.claims, tokenCache: session.tokenCache, attributes: session.attributes)
        let encoder = JSONEncoder()
        // Non-finite numbers are the only thing JSON cannot hold; writing them as strings
        // keeps the encoding total, so a stray NaN claim cannot crash the server.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return Array(try! encoder.encode(record))
    }

    /// The session whose opened plaintext is `bytes`, nil when it is not one.
    static func decode(_ bytes: [UInt8], handle: SessionHandle, header: SessionRecord.Header) -> Session? {
        guard let record = try? JSONDecoder().decode(Record.self, from: Data(bytes)) else { return nil }
        return Session(handle: handle, createdAt: header.createdAt, lastSeen: header.lastSeen, version: header.version,
                       claims: record.claims, tokenCache: record.tokenCache, attributes: record.attributes)
    }
}

/// Format 1, written by versions before sealing: `{"v":1,"createdAt":<ms>,"lastSeen":<ms>,...}`.
private enum LegacyFormat {
    /// The part of a format-1 file that identifies it.
    private struct Times: Decodable {
        var v: Int
        var createdAt: Int64
        var lastSeen: Int64
    }

    /// True for a JSON object of format 1.
    static func isLegacy(_ bytes: [UInt8]) -> Bool {
        guard bytes.first == UInt8(ascii: "{"), let times = try? JSONDecoder().decode(Times.self, from: Data(bytes)) else { return false }
        return times.v == 1
    }
}
