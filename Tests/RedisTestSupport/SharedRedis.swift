import Foundation

extension RedisServer {
    /// Guards `sharedResult`.
    private static let sharedServer = NSLock()
    /// The shared server, or why it did not start; made once.
    nonisolated(unsafe) private static var sharedResult: Result<RedisServer, Error>?

    /// One plain + TLS server for the whole test process, for tests that only need *a*
    /// Redis (each uses its own keys). Started on first use; stopped by the watchdog when
    /// the test process exits. Tests that stop, restart or reconfigure Redis start their own.
    public static func shared() throws -> RedisServer {
        try sharedServer.withLock {
            if sharedResult == nil { sharedResult = Result { try RedisServer.start(RedisServerOptions(tls: true)) } }
            return try sharedResult!.get()
        }
    }
}
