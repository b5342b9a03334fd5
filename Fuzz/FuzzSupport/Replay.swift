import Glibc

/// Without libFuzzer (a plain `swift build`), the target is a replay tool: it runs the same
/// checks over files or directories named on the command line, e.g. the seed corpus or a
/// crash file, in an ordinary debug build where the debugger and bounds checks work.
///
///     swift run http-parser-fuzz Fuzz/corpus/http-parser crash-1234
public enum Replay {
    /// Runs `check` over every file named in `arguments` (directories: the files in them).
    public static func run(_ arguments: [String], check: (UnsafeBufferPointer<UInt8>) -> Void) {
        var count = 0
        for argument in arguments {
            for path in files(at: argument) {
                guard let bytes = read(path) else {
                    writeStderr("cannot read \(path)\n")
                    exit(2)
                }
                writeStderr("\(path) (\(bytes.count) bytes)\n")
                bytes.withUnsafeBufferPointer { check($0) }
                count += 1
            }
        }
        print("\(count) inputs, all invariants hold")
    }

    /// `path` itself, or the regular files directly inside it when it is a directory.
    private static func files(at path: String) -> [String] {
        guard let dir = opendir(path) else { return [path] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if !name.hasPrefix(".") { names.append(path + "/" + name) }
        }
        return names.sorted()
    }

    /// The whole file, or nil when it cannot be read.
    private static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            bytes += chunk[0..<n]
            if n < chunk.count { return ferror(file) == 0 ? bytes : nil }
        }
    }
}
