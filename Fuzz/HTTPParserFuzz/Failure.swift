#if canImport(Glibc)
import Glibc
#endif

/// How the fuzz target reports a broken invariant: a message on stderr, then a trap, which
/// libFuzzer treats as a crash and saves the input for.
enum Failure {
    /// Context for the report (which limits, which chunking), set by the caller for every
    /// run, so it is kept as parts and only made into text when something is reported.
    nonisolated(unsafe) static var context: (limits: String, run: String) = ("", "")

    static func report(_ message: String) -> Never {
        let text = "\nINVARIANT BROKEN [\(context.limits), \(context.run)]: \(message)\n"
        writeStderr(text)
        fatalError("parser invariant broken")
    }
}

@inline(__always)
func invariant(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { Failure.report(message()) }
}

/// stderr without touching the C global (not concurrency-safe in Swift 6).
func writeStderr(_ text: String) {
    var bytes = Array(text.utf8)
    _ = write(2, &bytes, bytes.count)
}
