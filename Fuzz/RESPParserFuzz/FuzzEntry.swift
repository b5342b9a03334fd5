import FuzzSupport

/// Fuzzes the Redis reply parser under libFuzzer (bench/fuzz.sh), or replays files.
@main
struct Main {
    /// Hands over to libFuzzer or the replay.
    static func main() {
        FuzzMain.run(ReplyFuzz.check)
    }
}
