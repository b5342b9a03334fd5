#if canImport(Glibc)
import Glibc
#endif

#if LIBFUZZER
/// libFuzzer's driver. We call it rather than let libFuzzer supply `main`, because SwiftPM
/// links Linux executables with `main` aliased to the module's own entry point, which would
/// leave libFuzzer's `main` unused.
@_extern(c, "LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// libFuzzer's archive brings its own `main`, which references this symbol; the driver is
/// handed it too.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzMain.check?(UnsafeBufferPointer(start: data, count: size))
    return 0
}
#endif

/// The entry point of a fuzz target. Built with `-sanitize=fuzzer -D LIBFUZZER`
/// (bench/fuzz.sh), it hands over to libFuzzer's driver with the target's check; in a plain
/// build it replays the files named on the command line through the same check.
public enum FuzzMain {
    /// The target's check, for libFuzzer's callback (set once, before the driver starts).
    nonisolated(unsafe) static var check: ((UnsafeBufferPointer<UInt8>) -> Void)?

    /// Fuzzes, or replays, with `check`; never returns.
    public static func run(_ check: @escaping (UnsafeBufferPointer<UInt8>) -> Void) -> Never {
        #if LIBFUZZER
        self.check = check
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
        #else
        Replay.run(Array(CommandLine.arguments.dropFirst()), check: check)
        exit(0)
        #endif
    }
}
