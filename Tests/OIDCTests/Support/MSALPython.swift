import Foundation

/// Runs the MSAL Python interop script with the test venv's interpreter
/// (`.build-venv/bin/python3`, created by `make test`).
enum MSALPython {
    /// The package root, found from this file's location (Tests/OIDCTests/Support/).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = packageRoot.appendingPathComponent("Tests/OIDCTests/Fixtures/msal")
    static let script = fixtures.appendingPathComponent("msal_cache.py")
    static let python = packageRoot.appendingPathComponent(".build-venv/bin/python3")

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: python.path) }
    static var isCI: Bool { !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty }
    /// Run the interop tests when the venv exists, and on CI always (where a missing venv
    /// must fail, not skip).
    static var shouldRun: Bool { isAvailable || isCI }
    static let missingMessage = "MSAL interop needs \(python.path): run `make test`, or `python3 -m venv .build-venv && .build-venv/bin/pip install -r Tests/requirements.txt`"

    /// Prints the skip reason once (trait conditions may be evaluated several times).
    static let announceSkip: Bool = {
        print("⚠️ Skipping MSAL Python interop tests: \(missingMessage)")
        return false
    }()

    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "CI is set but the MSAL venv is missing. " + MSALPython.missingMessage }
    }

    /// Fails the test with instructions when the venv is missing (reached only on CI).
    static func requireAvailable() throws {
        guard isAvailable else {
            throw Unavailable()
        }
    }

    struct Output {
        var status: Int32
        var text: String
    }

    static func run(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = python
        process.arguments = [script.path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, text: String(decoding: data, as: UTF8.self))
    }
}
