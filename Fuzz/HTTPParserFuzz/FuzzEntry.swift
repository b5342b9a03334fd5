
#if HTTP_PARSER_FUZZ
import Glibc

/// The entry points. Built with `-sanitize=fuzzer -D HTTP_PARSER_FUZZ` (bench/fuzz.sh), `main`
/// hands over to libFuzzer's driver with our callback; in a plain build it replays files.
///
/// We call `LLVMFuzzerRunDriver` rather than let libFuzzer supply `main`, because SwiftPM
/// links Linux executables with `main` aliased to the module's own entry point, which would
/// leave libFuzzer's `main` unused.
@_extern(c, "LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// libFuzzer's archive brings its own `main`, which references this symbol; ours wins (see above).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    ParserFuzz.check(UnsafeBufferPointer(start: data, count: size))
    return 0
}
#endif

@main
struct Main {
    static func main() {
        #if HTTP_PARSER_FUZZ
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
        #else
        Replay.run(Array(CommandLine.arguments.dropFirst()))
        #endif
    }
}
