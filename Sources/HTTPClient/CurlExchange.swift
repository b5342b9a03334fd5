import Encodings
import HTTPCore

/// Collects one response's headers and body from libcurl's callbacks, enforcing the size
/// limit as data arrives rather than after the whole body is buffered.
final class CurlExchange {
    private(set) var body: [UInt8] = []
    private(set) var headers = HTTPHeaders()
    private(set) var tooLarge = false
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Returns the number of bytes taken; anything else makes libcurl abort the transfer.
    func receiveBody(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard count > 0, let data else { return 0 }
        if body.count + count > limit {
            tooLarge = true
            return 0
        }
        data.withMemoryRebound(to: UInt8.self, capacity: count) { body.append(contentsOf: UnsafeBufferPointer(start: $0, count: count)) }
        return count
    }

    func receiveHeaderLine(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard count > 0, let data else { return count }
        let line = data.withMemoryRebound(to: UInt8.self, capacity: count) { String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self) }
        if line.hasPrefix("HTTP/") {
            // A new status line (after 100 Continue or a proxy's CONNECT): earlier headers
            // belonged to another response.
            headers = HTTPHeaders()
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon].trimmingWhitespace)
            let value = String(line[line.index(after: colon)...].trimmingWhitespace)
            if !name.isEmpty { headers.add(name, value) }
        }
        return count
    }
}
