import Foundation
import Logging
import SessionStore

/// The benchmark: reads/s and writes/s (a locked update of one field, with both fsyncs) with
/// few and with many sessions on disk, then the sweep over the large directory.
///
/// Workloads, each timed in alternating short rounds so that whatever else the machine does
/// (other builds, other disk users) hits all of them alike:
/// - the small store, requests over all its sessions;
/// - the same once more on another directory, as a control: the spread between these two
///   identical workloads is the measurement noise of the machine;
/// - the large store, requests over as many sessions as the small one has: the same work on a
///   directory with 100,000 more files, which isolates what the criterion is about (the
///   store's own cost must not grow with the number of stored sessions);
/// - the large store, requests spread over all its sessions: adds the OS's caching of that
///   many files (page cache, inode cache), which is the machine's, not the store's, and is
///   shown for information.
struct Bench {
    let root: String
    let counts: [Int]
    let seconds: Double
    let rounds: Int
    /// Which operations to time ("reads,writes"); handy for profiling one of them.
    let operations: Set<String>
    /// Per-request cost may differ by this much between the sizes (the issue allows 10%).
    let tolerance = 0.10
    /// Quiet: the store's info lines would interleave with the table.
    let logger: Logger = {
        var logger = Logger(label: "session-bench")
        logger.logLevel = .warning
        return logger
    }()

    init(arguments: [String]) throws {
        let options = try Options(arguments)
        root = options.string("dir") ?? FileManager.default.temporaryDirectory.path + "/session-bench-\(getpid())"
        counts = try (options.string("counts") ?? "10,100000").split(separator: ",").map {
            guard let count = Int($0), count > 0 else { throw Options.Invalid(description: "--counts takes positive numbers") }
            return count
        }.sorted()
        seconds = try options.double("seconds", default: 1)
        rounds = try options.int("rounds", default: 10)
        operations = Set((options.string("operations") ?? "reads,writes").split(separator: ",").map(String.init))
    }

    /// One line of the table: a store and the sessions requests go to.
    private struct Workload {
        var label: String
        var store: FileSessionStore
        var ids: [SessionHandle]
        var reads: [Sample] = []
        var writes: [Sample] = []
    }

    func run() throws {
        // Touches would turn reads into writes; this bench measures them apart.
        let policy = SessionPolicy(idleTimeout: 3600, absoluteLifetime: 86400, touchInterval: 3000)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }

        var workloads: [Workload] = []
        var largest: Population?
        for count in counts {
            let directory = "\(root)/\(count)"
            let store = try FileSessionStore(directory: directory, policy: policy, logger: logger)
            let start = Date()
            let population = try Population.create(count: count, in: directory, store: store)
            say(String(format: "created %d sessions (and their lock files) in %.1f s", count, Date().timeIntervalSince(start)))
            if count == counts.first {
                workloads.append(Workload(label: "\(count), requests over all \(count)", store: store, ids: population.ids))
                // The same workload on a second directory: how far apart two identical
                // workloads come out on this machine, i.e. the noise floor of the ratios.
                let controlDirectory = "\(root)/\(count)-control"
                let control = try FileSessionStore(directory: controlDirectory, policy: policy, logger: logger)
                let controlIDs = try Population.create(count: count, in: controlDirectory, store: control).ids
                workloads.append(Workload(label: "\(count) again (control, another directory)", store: control, ids: controlIDs))
            } else {
                let active = counts[0]
                workloads.append(Workload(label: "\(count), requests over \(active) of them", store: store, ids: Array(population.ids.prefix(active))))
                workloads.append(Workload(label: "\(count), requests over all \(count)", store: store, ids: population.ids))
            }
            largest = population
        }

        var order = SplitMix64(seed: 42)
        for round in 0..<rounds {
            // A new order every round, so that no workload always follows the same one (a
            // journal commit left behind by the previous workload's writes, for instance).
            for index in workloads.indices.shuffled(using: &order) {
                let store = workloads[index].store
                let ids = workloads[index].ids
                let seed = UInt64(round * 1000 + index)
                if operations.contains("reads") {
                    workloads[index].reads.append(try Measure.run(seconds: seconds, ids: ids, seed: seed) { id in
                        guard try store.load(id) != nil else { throw Options.Invalid(description: "session missing") }
                    })
                }
                if operations.contains("writes") {
                    var counter = 0
                    workloads[index].writes.append(try Measure.run(seconds: seconds, ids: ids, seed: seed) { id in
                        counter += 1
                        guard try store.update(id, { $0.attributes["n"] = String(counter) }) != nil else {
                            throw Options.Invalid(description: "session missing")
                        }
                    })
                }
            }
        }
        printTable(workloads)
        SealingCost.report(seconds: seconds)
        if let largest { try sweep(largest, policy: policy) }
    }

    private func printTable(_ workloads: [Workload]) {
        say("")
        say("\(rounds) alternating rounds of \(seconds) s per workload and operation; rates in operations per second (median of the rounds, best round in brackets); CPU: the measuring thread's CPU time per operation (median)")
        say("")
        say("| sessions on disk, requests | reads/s | CPU µs/read | writes/s | CPU µs/write |")
        say("|:---------------------------|--------:|------------:|---------:|-------------:|")
        for workload in workloads {
            say("| \(workload.label) | \(rate(workload.reads)) | \(cpu(workload.reads)) | \(rate(workload.writes)) | \(cpu(workload.writes)) |")
        }
        guard workloads.count >= 3 else { return }
        // CPU time per operation is the store's cost; wall-clock time adds whatever else the
        // machine is doing (on a shared 2-core box, a lot) and, for writes, the disk's fsync
        // latency. The control line shows how far two identical workloads land apart; a
        // difference within that spread cannot be told from noise.
        say("")
        say("| cost per request vs the first line | reads, CPU | writes, CPU | reads, wall | writes, wall | verdict (CPU) |")
        say("|:-----------------------------------|-----------:|------------:|------------:|-------------:|:--------------|")
        let base = workloads[0]
        let control = workloads[1]
        let noise = [cpuRatio(base.reads, control.reads), cpuRatio(base.writes, control.writes)].compactMap { $0 }.map { abs($0 - 1) }.max() ?? 0
        for workload in workloads.dropFirst() {
            let readsCPU = cpuRatio(base.reads, workload.reads)
            let writesCPU = cpuRatio(base.writes, workload.writes)
            let worst = [readsCPU, writesCPU].compactMap { $0 }.map { abs($0 - 1) }.max() ?? 0
            let verdict = workload.label == control.label ? "noise floor"
                : worst <= tolerance ? "within \(Int(tolerance * 100))%"
                : worst <= noise ? "within noise (control)" : "OVER"
            say("| \(workload.label) | \(format(readsCPU)) | \(format(writesCPU)) | \(format(wallRatio(base.reads, workload.reads))) | \(format(wallRatio(base.writes, workload.writes))) | \(verdict) |")
        }
    }

    private func rate(_ samples: [Sample]) -> String {
        guard !samples.isEmpty else { return "-" }
        return String(format: "%.0f (%.0f)", Measure.median(samples.map(\.rate)), samples.map(\.rate).max()!)
    }

    private func cpu(_ samples: [Sample]) -> String {
        samples.isEmpty ? "-" : String(format: "%.1f", Measure.median(samples.map(\.cpuMicroseconds)))
    }

    /// Median wall-clock time per operation of `samples` over that of `baseline`.
    private func wallRatio(_ baseline: [Sample], _ samples: [Sample]) -> Double? {
        guard !baseline.isEmpty, !samples.isEmpty else { return nil }
        return Measure.median(baseline.map(\.rate)) / Measure.median(samples.map(\.rate))
    }

    /// Median CPU time per operation of `samples` over that of `baseline`.
    private func cpuRatio(_ baseline: [Sample], _ samples: [Sample]) -> Double? {
        guard !baseline.isEmpty, !samples.isEmpty else { return nil }
        return Measure.median(samples.map(\.cpuMicroseconds)) / Measure.median(baseline.map(\.cpuMicroseconds))
    }

    private func format(_ ratio: Double?) -> String {
        ratio.map { String(format: "%.3f", $0) } ?? "-"
    }

    /// Sweeps the largest directory twice: once with every session live (a scan that removes
    /// nothing), once two days later (removes everything, which is also the cleanup).
    private func sweep(_ population: Population, policy: SessionPolicy) throws {
        let live = try FileSessionStore(directory: population.directory, policy: policy, logger: logger)
        var start = Date()
        var report = try live.sweepExpired()
        say("")
        say(String(format: "sweep of %d entries, none expired: %.2f s", report.scanned, Date().timeIntervalSince(start)))
        let later = try FileSessionStore(
            directory: population.directory, policy: policy, clock: { Date().addingTimeInterval(2 * 86400) }, logger: logger
        )
        start = Date()
        report = try later.sweepExpired()
        say(String(format: "sweep two days later, all %d sessions expired: %.2f s, removed %d sessions", population.ids.count,
                     Date().timeIntervalSince(start), report.expiredRemoved))
        say(String(format: "peak memory of the bench process: %.0f MiB", Measure.peakMemoryMiB()))
    }
}
