/// Placeholder for the benchmark proper.
struct Bench {
    init(arguments: [String]) throws {}
    func run() throws { print("not yet") }
}
