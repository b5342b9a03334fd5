@testable import LogOutput
import Glibc
import Logging
import Testing

/// The log output: lines arrive in order, a reader that stalls never blocks the writer of a
/// line, what does not fit is dropped and counted, and flush gives up on a reader that
/// never comes back.
@Suite struct LogOutputTests {
    /// A pipe whose read end is non-blocking, so the test can drain it without hanging.
    struct Pipe {
        let read: Int32
        let write: Int32

        init() {
            var fds: [Int32] = [0, 0]
            precondition(pipe(&fds) == 0)
            read = fds[0]
            write = fds[1]
            _ = fcntl(read, F_SETFL, fcntl(read, F_GETFL) | O_NONBLOCK)
        }

        /// Everything readable right now.
        func drain() -> String {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = Glibc.read(read, &chunk, chunk.count)
                if n <= 0 { break }
                bytes += chunk[..<n]
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        /// Reads until `done` holds, for at most 10 s, then takes what is left in the pipe.
        func read(until done: () -> Bool) -> String {
            var text = ""
            for _ in 0..<5000 {
                text += drain()
                if done() { break }
                usleep(2000)
            }
            return text + drain()
        }
    }

    @Test func linesArriveInOrderAndFlushWaitsForThem() throws {
        let pipe = Pipe()
        defer { close(pipe.read) }
        let output = try LogOutput(descriptor: pipe.write)
        let lines = (0..<500).map { "line \($0)\n" }
        for line in lines { output.write(line) }
        #expect(output.flush(timeout: 10))
        #expect(pipe.drain() == lines.joined())
    }

    @Test func aStalledReaderNeverBlocksAndDroppedLinesAreCounted() throws {
        let pipe = Pipe()
        defer { close(pipe.read) }
        let output = try LogOutput(descriptor: pipe.write, capacity: 100_000)
        // 2 MB, 30 times what the pipe and the queue hold together. A blocking output
        // would hang here for good, since nothing reads the pipe yet.
        let count = 20_000
        for index in 0..<count {
            output.write("line \(index) " + String(repeating: "x", count: 90) + "\n")
        }
        // Read as a log collector would once it is back, until the output has nothing left.
        let text = pipe.read { output.flush(timeout: 0) }
        let received = text.split(separator: "\n").filter { $0.hasPrefix("line ") }.map { Int($0.split(separator: " ")[1])! }
        let dropped = text.split(separator: "\n").filter { $0.contains("log lines dropped") }.map { Int($0.split(separator: " ")[0])! }
        #expect(received == received.sorted(), "lines out of order")
        #expect(received.first == 0)
        #expect(dropped.reduce(0, +) > 0)
        #expect(received.count + dropped.reduce(0, +) == count, "every line is either written or counted as dropped")
    }

    @Test func flushGivesUpOnAReaderThatNeverReturns() throws {
        let pipe = Pipe()  // both ends stay open: the output's thread stays blocked in write()
        let output = try LogOutput(descriptor: pipe.write)
        for _ in 0..<2000 { output.write(String(repeating: "y", count: 99) + "\n") }
        #expect(!output.flush(timeout: 0.2))
    }

    @Test func theLogHandlerFormatsLikeSwiftLogsStreamHandler() throws {
        let pipe = Pipe()
        defer { close(pipe.read) }
        let output = try LogOutput(descriptor: pipe.write)
        let logger = Logger(label: "test") { output.logHandler(label: $0, level: .info) }
        logger.info("shown", metadata: ["b": "2", "a": "1"])
        logger.debug("below the level")
        #expect(output.flush(timeout: 10))
        let text = pipe.drain()
        #expect(text.hasSuffix(" info test: a=1 b=2 [LogOutputTests] shown\n"), "\(text)")
        #expect(!text.contains("below the level"))
    }
}
