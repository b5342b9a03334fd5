// Timing loops: run an operation on randomly chosen sessions for a fixed time and report
// operations per second.
import Foundation
import Glibc

/// A small, fast, seedable generator (SplitMix64), so choosing the next session costs next
/// to nothing next to the operation being measured.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One timed run: how many operations, in how much wall-clock and CPU time.
struct Sample {
    var operations: Int
    var wallSeconds: Double
    /// CPU time of the measuring thread (user + system): unlike wall-clock time, barely
    /// affected by other processes competing for the two cores, but blind to I/O waits.
    var cpuSeconds: Double

    var rate: Double { Double(operations) / wallSeconds }
    var cpuMicroseconds: Double { cpuSeconds * 1e6 / Double(operations) }
}

enum Measure {
    /// Calls `operation` with random elements of `ids` for about `seconds`.
    static func run<ID>(seconds: Double, ids: [ID], seed: UInt64, _ operation: (ID) throws -> Void) rethrows -> Sample {
        var generator = SplitMix64(seed: seed)
        let clock = ContinuousClock()
        let cpuStart = threadCPUSeconds()
        let start = clock.now
        let budget = Duration.milliseconds(Int64(seconds * 1000))
        var operations = 0
        var elapsed = Duration.zero
        repeat {
            // Check the clock every few operations only: reading it is not free either.
            for _ in 0..<16 {
                try operation(ids[Int(generator.next() % UInt64(ids.count))])
            }
            operations += 16
            elapsed = clock.now - start
        } while elapsed < budget
        let (secondsPart, attoseconds) = elapsed.components
        return Sample(
            operations: operations,
            wallSeconds: Double(secondsPart) + Double(attoseconds) / 1e18,
            cpuSeconds: threadCPUSeconds() - cpuStart
        )
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// CPU time used so far by the calling thread.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Peak resident memory of this process, in MiB.
    static func peakMemoryMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
