import Foundation

/// One run of redis-server under the shell watchdog (see `RedisServer`).
final class RunningRedis: @unchecked Sendable {
    /// The watchdog: starts Redis, prints its pid, stops it when stdin reaches its end (the
    /// test process closed the pipe or died), and exits when Redis exits, with its status.
    /// Redis itself gets neither end of the pipe.
    private static let watchdog = #"""
        exec 3<&0
        "$1" "$2" </dev/null >"$3" 2>&1 3<&- &
        r=$!
        echo "$r"
        { read _ <&3; kill -TERM "$r" 2>/dev/null; } &
        w=$!
        exec 3<&-
        wait "$r"
        s=$?
        kill "$w" 2>/dev/null
        exit "$s"
        """#

    /// The watchdog's pid.
    private let watchdogPID: pid_t
    /// Our end of the watchdog's stdin; closing it stops Redis.
    private var control: Int32
    /// redis-server's own pid.
    let redisPID: Int32
    /// The server's directory, for its log.
    private let directory: String
    /// How long the log was when this run started: a restart appends to the same log.
    private let logStart: Int
    /// Guards `exitStatus` and `control`.
    private let lock = NSLock()
    /// The watchdog's status once reaped.
    private var exitStatus: Int32?

    /// Starts the watchdog, which starts Redis; returns once Redis's pid is known.
    init(executable: String, configurationFile: String, directory: String) throws {
        self.directory = directory
        logStart = (try? FileManager.default.attributesOfItem(atPath: directory + "/redis.log")[.size] as? Int) ?? 0
        let input = try Spawn.pipe()
        let output = try Spawn.pipe()
        let devNull = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { close(input.read); close(output.write); close(devNull) }
        let arguments = ["/bin/sh", "-c", Self.watchdog, "redis-watchdog", executable, configurationFile, directory + "/redis.stdout"]
        do {
            watchdogPID = try Spawn.start(arguments, stdin: input.read, stdout: output.write, stderr: devNull)
        } catch {
            close(input.write)
            close(output.read)
            throw error
        }
        control = input.write
        let line = Self.readLine(output.read)
        close(output.read)
        guard let pid = Int32(line) else {
            throw RedisHarnessError("the redis-server watchdog did not start (it printed '\(line)')")
        }
        redisPID = pid
    }

    /// True until the watchdog (which exits with Redis) has exited.
    var isRunning: Bool {
        lock.withLock {
            if exitStatus != nil { return false }
            var status: Int32 = 0
            if waitpid(watchdogPID, &status, WNOHANG) == watchdogPID { exitStatus = status }
            return exitStatus == nil
        }
    }

    /// Waits for "Ready to accept connections" in this run's log; throws `PortTaken` when
    /// Redis could not bind, and its log for any other failure to start.
    func waitUntilReady(timeout: TimeInterval = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let log = newLog()
            if log.contains("Ready to accept connections") { return }
            if !isRunning {
                let reason = log + ((try? String(contentsOfFile: directory + "/redis.stdout", encoding: .utf8)) ?? "")
                if reason.contains("Address already in use") { throw PortTaken(description: reason) }
                throw RedisHarnessError("redis-server did not start:\n\(reason)")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill()
        throw RedisHarnessError("redis-server did not get ready within \(Int(timeout)) s:\n\(newLog())")
    }

    /// SIGTERM through the watchdog, then waits up to 20 s for Redis to exit (SIGKILL after).
    func stop() {
        closeControl()
        if !waitForExit(seconds: 20) { kill() }
    }

    /// SIGKILL to Redis; the watchdog exits with it.
    func kill() {
        _ = Foundation.kill(redisPID, SIGKILL)
        if !waitForExit(seconds: 10) { _ = Foundation.kill(watchdogPID, SIGKILL) }
        _ = waitForExit(seconds: 5)
        closeControl()
    }

    /// Closes our end of the watchdog's stdin, once.
    private func closeControl() {
        lock.withLock {
            if control >= 0 { close(control) }
            control = -1
        }
    }

    /// Polls until the watchdog exited or `seconds` passed; true if it exited.
    private func waitForExit(seconds: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        return !isRunning
    }

    /// The part of redis.log this run wrote.
    private func newLog() -> String {
        guard let data = FileManager.default.contents(atPath: directory + "/redis.log"), data.count > logStart else { return "" }
        return String(decoding: data[logStart...], as: UTF8.self)
    }

    /// The watchdog's first line (Redis's pid), read byte by byte so nothing after it is lost.
    private static func readLine(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while bytes.count < 32, read(fd, &byte, 1) == 1, byte != 10 { bytes.append(byte) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
