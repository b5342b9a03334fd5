@testable import HTTPServer
import Glibc
import Logging
import Synchronization
import TestSupport

/// Starts a real server on 127.0.0.1 port 0 for a test and stops it afterwards, with a
/// log handler that keeps every line so tests can check what was (not) logged.
final class TestServer: Sendable {
    let server: HTTPServer
    let port: Int
    let log: LogCapture

    /// `startWorkerThread` replaces how worker threads are started (to make it fail).
    init(
        _ responder: any HTTPResponder,
        configure: (inout ServerConfiguration) -> Void = { _ in },
        startWorkerThread: WorkerPool.ThreadStarter? = nil
    ) throws {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
        configure(&configuration)
        let capture = LogCapture()
        let logger = capture.logger
        server = HTTPServer(configuration: configuration, responder: responder, logger: logger, startWorkerThread: startWorkerThread)
        port = try server.start()
        log = capture
    }

    /// A new connection to the server.
    func client(timeout: Double = 10, source: String? = nil, receiveBuffer: Int32? = nil) throws -> RawClient {
        try RawClient(port: port, timeout: timeout, source: source, receiveBuffer: receiveBuffer)
    }

    /// Waits (up to `seconds`) until `condition` holds; false when it never did.
    func eventually(within seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = monotonicSeconds() + seconds
        while !condition() {
            if monotonicSeconds() > deadline { return false }
            sleepSeconds(0.01)
        }
        return true
    }

    /// Sends one request on a new connection and reads the answer.
    func roundTrip(_ raw: String, bodyExpected: Bool = true) throws -> RawResponse {
        let c = try client()
        try c.send(raw)
        return try c.readResponse(bodyExpected: bodyExpected)
    }

    deinit { server.shutdown() }
}

func get(_ path: String, headers: String = "") -> String {
    "GET \(path) HTTP/1.1\r\nHost: test\r\n\(headers)\r\n"
}

func sleepSeconds(_ seconds: Double) {
    usleep(UInt32(seconds * 1_000_000))
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
