import Glibc

/// An error from a socket system call, with the call's name and errno for the log.
public struct SocketError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let code: Int32

    init(_ operation: String, code: Int32 = errno) {
        self.operation = operation
        self.code = code
    }

    public var description: String { "\(operation) failed: \(Linux.errorString(code)) (errno \(code))" }
}
