import FuzzSupport

/// Fuzzes the outbound HTTP/1.1 response parser under libFuzzer (bench/fuzz.sh), or replays files.
@main
struct Main {
    /// Hands over to libFuzzer or the replay.
    static func main() {
        FuzzMain.run(ResponseFuzz.check)
    }
}
