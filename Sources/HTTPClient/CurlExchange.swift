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
        data.withMemoryRebound(to: UInt8.self, capacity: count) { receive(line: UnsafeBufferPointer(start: $0, count: count)) }
        return count
    }

    /// One header line as bytes (it arrives with every response: no Character work).
    private func receive(line: UnsafeBufferPointer<UInt8>) {
        if line.starts(with: "HTTP/".utf8) {
            // A new status line (after 100 Continue or a proxy's CONNECT): earlier headers
            // belonged to another response.
            headers = HTTPHeaders()
        } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            let name = Self.trimmed(line[..<colon])
            if !name.isEmpty { headers.add(String(decoding: name, as: UTF8.self), String(decoding: Self.trimmed(line[(colon + 1)...]), as: UTF8.self)) }
        }
    }

    /// `bytes` without surrounding spaces, tabs, CRs and LFs.
    private static func trimmed(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>> {
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        var result = bytes
        while let first = result.first, isBlank(first) { result = result.dropFirst() }
        while let last = result.last, isBlank(last) { result = result.dropLast() }
        return result
    }
}
