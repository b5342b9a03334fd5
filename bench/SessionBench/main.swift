import Foundation

/// session-bench: measures the file session store (reads and writes per second with few and
/// with many sessions on disk), and, in `hammer` mode, serves the tests as a second process
/// updating a session concurrently with the test process.
let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "hammer":
        try Hammer(arguments: Array(arguments.dropFirst())).run()
    case "bench", nil:
        try Bench(arguments: Array(arguments.dropFirst())).run()
    default:
        FileHandle.standardError.write(Data("""
            usage: session-bench [bench] [--dir DIR] [--counts 10,100000] [--seconds S]
                   session-bench hammer DIR --count N --key-prefix P   (session id on stdin)

            """.utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("session-bench: \(error)\n".utf8))
    exit(1)
}
