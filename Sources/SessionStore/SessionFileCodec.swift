import Encodings
import FoundationEssentials

/// The on-disk form of a session: versioned JSON without the id (the file name is a hash of
/// the id, and the id itself is never written anywhere). Times are whole milliseconds since
/// 1970, and the store only ever holds times rounded to milliseconds (`normalized`), so a
/// session read back compares equal to the one written.
enum SessionFileCodec {
    static let currentVersion = 1

    /// Everything stored about a session; the id is supplied by the caller on decode.
    private struct Record: Codable {
        var v: Int
        var createdAt: Date
        var lastSeen: Date
        var claims: [String: JSONValue]
        var idToken: String?
        var tokenCache: String?
        var pendingFlows: [String: String]
        var attributes: [String: String]
    }

    /// Just the timestamps, which is all the sweep needs.
    struct Times: Decodable {
        var v: Int
        var createdAt: Date
        var lastSeen: Date
    }

    static func encode(_ session: Session) -> [UInt8] {
        let record = Record(
            v: currentVersion, createdAt: session.createdAt, lastSeen: session.lastSeen,
            claims: session.claims, idToken: session.idToken, tokenCache: session.tokenCache,
            pendingFlows: session.pendingFlows, attributes: session.attributes
        )
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(milliseconds(date))
        }
        // Non-finite numbers are the only thing JSON cannot hold; writing them as strings
        // keeps the encoding total, so a stray NaN claim cannot crash the server.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return Array(try! encoder.encode(record))
    }

    /// The session stored in `bytes`, or nil when they are not a session file of this version.
    static func decode(_ bytes: [UInt8], id: String) -> Session? {
        guard let record = try? decoder().decode(Record.self, from: Data(bytes)),
              record.v == currentVersion
        else { return nil }
        return Session(
            id: id, createdAt: record.createdAt, lastSeen: record.lastSeen,
            claims: record.claims, idToken: record.idToken, tokenCache: record.tokenCache,
            pendingFlows: record.pendingFlows, attributes: record.attributes
        )
    }

    static func decodeTimes(_ bytes: [UInt8]) -> Times? {
        guard let times = try? decoder().decode(Times.self, from: Data(bytes)),
              times.v == currentVersion
        else { return nil }
        return times
    }

    private static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            date(milliseconds: try decoder.singleValueContainer().decode(Int64.self))
        }
        return decoder
    }

    /// `date` rounded to the millisecond, the precision of the file format.
    static func normalized(_ date: Date) -> Date {
        Self.date(milliseconds: milliseconds(date))
    }

    private static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    private static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
