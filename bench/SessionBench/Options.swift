// Minimal `--name value` option parsing (the bench has no dependencies beyond the store),
// and unbuffered output.
import Foundation

/// Prints a line at once, even into a pipe (where `print` buffers), so progress shows while
/// the long setup runs.
func say(_ line: String = "") {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

struct Options {
    private var values: [String: String] = [:]
    private(set) var positional: [String] = []

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    init(_ arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            if argument.hasPrefix("--") {
                guard let value = iterator.next() else { throw Invalid(description: "\(argument) needs a value") }
                values[String(argument.dropFirst(2))] = value
            } else {
                positional.append(argument)
            }
        }
    }

    func string(_ name: String) -> String? {
        values[name]
    }

    func int(_ name: String, default fallback: Int) throws -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text) else { throw Invalid(description: "--\(name) must be a number") }
        return value
    }

    func double(_ name: String, default fallback: Double) throws -> Double {
        guard let text = values[name] else { return fallback }
        guard let value = Double(text) else { throw Invalid(description: "--\(name) must be a number") }
        return value
    }
}
