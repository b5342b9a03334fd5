import Logging

/// The one-line-per-request access log: method, path, status, body bytes and duration.
/// Only the path is logged: never the query string (codes, tokens), cookies or
/// Authorization headers.
package enum AccessLog {
    /// Logs one request's line at `info`; `reason` says why a refused request was refused.
    package static func log(
        _ logger: Logger, method: String, path: String, status: Int, bytes: Int,
        nanoseconds: UInt64, reason: String? = nil
    ) {
        let micros = nanoseconds / 1000
        let fraction = micros % 1000
        let padded = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        let line = "\(method) \(path) \(status) \(bytes) \(micros / 1000).\(padded)ms"
        if let reason {
            logger.info("\(line)", metadata: ["reason": "\(reason)"])
        } else {
            logger.info("\(line)")
        }
    }
}
