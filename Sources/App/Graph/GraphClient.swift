import Encodings
import FoundationEssentials
import HTTPClient

/// Calls the Graph resource `/graph` shows (Microsoft Graph `/me` by default) with the
/// user's access token, and sorts what comes back into the cases a page must tell apart.
struct GraphClient: Sendable {
    let endpoint: String
    let transport: any HTTPTransport

    enum Failure: Error, Equatable {
        /// 401 with a Conditional Access claims challenge: sign in again with these claims.
        case claimsChallenge(String)
        case unauthorized
        case forbidden
        case unavailable(status: Int)
        case unexpectedStatus(Int)
        case unreachable(TransportError)
        case notJSON
    }

    /// The profile's JSON as Graph sent it (its bytes key `ProfileViews`); failures sorted
    /// by status. Whether the body is a JSON object is the caller's check (`.notJSON`).
    func profile(accessToken: String) throws(Failure) -> [UInt8] {
        let response: OutboundResponse
        do {
            response = try transport.send(request(accessToken: accessToken))
        } catch {
            throw .unreachable(error)
        }
        return try Self.profile(in: response)
    }

    /// The profile request: a GET of the endpoint with the access token.
    func request(accessToken: String) -> OutboundRequest {
        OutboundRequest(url: endpoint, headers: ["Authorization": "Bearer \(accessToken)", "Accept": "application/json"])
    }

    /// The profile's JSON in Graph's `response`, or the failure its status means.
    static func profile(in response: OutboundResponse) throws(Failure) -> [UInt8] {
        switch response.status {
        case 200:
            return response.body
        case 401:
            if let claims = response.headers["WWW-Authenticate"].flatMap(Self.claimsChallenge) { throw .claimsChallenge(claims) }
            throw .unauthorized
        case 403: throw .forbidden
        case 500...599: throw .unavailable(status: response.status)
        default: throw .unexpectedStatus(response.status)
        }
    }

    /// The decoded `claims` of a `WWW-Authenticate` header with `error="insufficient_claims"`.
    /// Graph sends the claims request base64-encoded; the authorize endpoint wants the JSON.
    static func claimsChallenge(_ header: String) -> String? {
        let parameters = authenticateParameters(header)
        guard parameters["error"] == "insufficient_claims", let encoded = parameters["claims"], !encoded.isEmpty else { return nil }
        var base64 = encoded.replacing("-", with: "+").replacing("_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let json = String(data: data, encoding: .utf8),
              JSONValue.parseObject(Array(data)) != nil
        else { return nil }
        return json
    }

    /// `name="value"` pairs of a `WWW-Authenticate: Bearer ...` header.
    static func authenticateParameters(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(header)
        if let space = rest.firstIndex(of: " "), !rest[..<space].contains("=") { rest = rest[rest.index(after: space)...] }
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let eq = rest.firstIndex(of: "=") else { break }
            let name = rest[..<eq].trimmingWhitespace.lowercased()
            rest = rest[rest.index(after: eq)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                while let char = rest.first, char != "\"" {
                    if char == "\\", let next = rest.dropFirst().first { value.append(next); rest = rest.dropFirst(2); continue }
                    value.append(char)
                    rest = rest.dropFirst()
                }
                rest = rest.dropFirst()
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = String(rest[..<end].trimmingWhitespace)
                rest = rest[end...]
            }
            if result[name] == nil { result[name] = value }
        }
        return result
    }
}
