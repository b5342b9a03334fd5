import Foundation

/// Runs helper programs (openssl, redis-cli) to completion and finds them on the PATH.
enum Command {
    /// What a finished program printed, and how it ended.
    struct Output {
        /// The exit status.
        var status: Int32
        /// stdout and stderr together.
        var text: String
    }

    /// The first `name` in PATH (plus /usr/sbin and /sbin, where Debian keeps some servers).
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"] {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `executable` with `arguments`, stdout and stderr together.
    static func run(_ executable: String, _ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, text: String(decoding: data, as: UTF8.self))
    }

    /// Runs it and throws with its output when it fails.
    @discardableResult
    static func check(_ executable: String, _ arguments: [String]) throws -> String {
        let output = try run(executable, arguments)
        guard output.status == 0 else {
            throw RedisHarnessError("\(executable) \(arguments.first ?? "") exited with \(output.status): \(output.text)")
        }
        return output.text
    }
}

/// Why the harness could not do what a test asked (a missing program, a server that did
/// not start); the message says what to do.
public struct RedisHarnessError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) {
        self.description = description
    }
}
