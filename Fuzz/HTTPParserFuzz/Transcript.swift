// What one run of the parser over an input produced, as plain values that can be compared
// between runs: the requests in order, and how the run ended.
import HTTPCore

/// A parsed request reduced to what a handler can observe, so two runs can be compared.
struct ParsedRequest: Equatable, CustomStringConvertible {
    var method: String
    var path: String
    var query: String?
    var major: Int
    var minor: Int
    var headers: [[String]]
    /// Header names in ASCII lowercase, computed once: the invariants look fields up often.
    var lowercaseNames: [String]
    var body: [UInt8]
    var keepAlive: Bool

    init(_ request: HTTPRequest, keepAlive: Bool) {
        method = request.method.rawValue
        path = request.path
        query = request.query
        major = request.version.major
        minor = request.version.minor
        headers = request.headers.map { [$0.name, $0.value] }
        lowercaseNames = headers.map { asciiLowercase($0[0]) }
        body = request.body
        self.keepAlive = keepAlive
    }

    /// Every value of the field `name` (given in lowercase), in order.
    func header(_ name: String) -> [String] {
        var values: [String] = []
        for (i, lowercaseName) in lowercaseNames.enumerated() where lowercaseName == name { values.append(headers[i][1]) }
        return values
    }

    var description: String {
        "\(method) \(path)\(query.map { "?" + $0 } ?? "") HTTP/\(major).\(minor) headers=\(headers) body=\(body.count)B keepAlive=\(keepAlive)"
    }
}

/// How feeding stopped: a refusal (sticky, with its status), or waiting for more bytes.
enum Ending: Equatable, CustomStringConvertible {
    case error(status: Int, reason: String)
    /// All bytes used; `idle` = nothing of a next request buffered, `inBody` = a head was
    /// accepted and its body is still arriving.
    case waiting(idle: Bool, inBody: Bool)

    var status: Int? {
        if case .error(let status, _) = self { return status }
        return nil
    }

    var description: String {
        switch self {
        case .error(let status, let reason): return "error \(status) (\(reason))"
        case .waiting(let idle, let inBody): return "waiting (idle: \(idle), in body: \(inBody))"
        }
    }
}

/// Everything a run produced. `continues` records, per request, whether a 100-continue
/// cue came before it: that depends on chunking (the cue is only due when no body byte has
/// arrived yet), so runs are compared on `requests` and `ending` only.
struct Transcript: CustomStringConvertible {
    var requests: [ParsedRequest] = []
    var continues: [Bool] = []
    /// A cue for a request whose body had not finished arriving when the input ended.
    var trailingContinue = false
    var ending: Ending = .waiting(idle: true, inBody: false)

    var description: String {
        (requests.map { "  " + $0.description } + ["  -> \(ending)"]).joined(separator: "\n")
    }
}

/// ASCII-only lowercasing (header names and list tokens are ASCII); much cheaper than
/// `String.lowercased()`, which is Unicode-aware.
func asciiLowercase(_ text: String) -> String {
    String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
}
