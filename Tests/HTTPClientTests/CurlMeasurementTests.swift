import Foundation
import HTTPClient
import Testing

/// The cost of one libcurl round trip, printed when OIDC_MEASURE=1 (off in normal runs, so
/// the suite stays fast and free of timing assertions).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["OIDC_MEASURE"] == "1", "set OIDC_MEASURE=1 to print timings"))
struct CurlMeasurementTests {
    @Test func curlRoundTripTimings() throws {
        let server = try LocalHTTPServer(.respond(status: 200, headers: [], body: Array(repeating: 0x61, count: 2048)))
        defer { server.stop() }
        let transport = CurlTransport()
        let iterations = 200
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations { _ = try transport.send(OutboundRequest(url: server.url + "/")) }
        let perCall = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(iterations) / 1000
        print(String(format: "MEASURE CurlTransport GET 2 KiB from 127.0.0.1 (new connection each time): %.1f µs per call (%d calls)", perCall, iterations))
    }
}
