import FuzzSupport

/// Fuzzes the request parser under libFuzzer (bench/fuzz.sh), or replays files (see `Replay`).
@main
struct Main {
    static func main() {
        FuzzMain.run(ParserFuzz.check)
    }
}
