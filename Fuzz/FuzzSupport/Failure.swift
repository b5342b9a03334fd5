#if canImport(Glibc)
import Glibc
#endif

/// How the fuzz target reports a broken invariant: a message on stderr, then a trap, which
/// libFuzzer treats as a crash and saves the input for.
public enum Failure {
    /// Context for the report (which limits, which chunking), set by the caller for every
    /// run, so it is kept as parts and only made into text when something is reported.
    nonisolated(unsafe) public static var context: (limits: String, run: String) = ("", "")

    /// Prints `message` with the context and traps.
    public static func report(_ message: String) -> Never {
        let text = "\nINVARIANT BROKEN [\(context.limits), \(context.run)]: \(message)\n"
        writeStderr(text)
        fatalError("parser invariant broken")
    }
}

/// Reports `message` unless `condition` holds.
@inlinable @inline(__always)
public func invariant(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { Failure.report(message()) }
}

/// stderr without touching the C global (not concurrency-safe in Swift 6).
public func writeStderr(_ text: String) {
    var bytes = Array(text.utf8)
    _ = write(2, &bytes, bytes.count)
}
