import CryptoSupport
import Foundation
import SessionStore

/// What sealing adds to each session read and write, without the file system: the keyed hash
/// of the cookie's secret a read of an unchanged file checks the decoded session with, the
/// key derivation (reads of changed files, writes), sealing (every write) and opening (a read
/// of a file not decoded before) a session of realistic size.
enum SealingCost {
    /// Times each operation for about `seconds` and prints one line.
    static func report(seconds: Double) {
        let random = OpenSSLRandom()
        let handle = SessionHandle.generate(using: random)
        var session = Session(handle: handle, createdAt: Date(), lastSeen: Date())
        Population.realisticContent(&session)
        let key = handle.sealingKey()
        let sealed = SessionRecord.seal(session, key: key, random: random)
        let fingerprintKey = random.bytes(32)
        let fingerprint = Measure.run(seconds: seconds, ids: [handle], seed: 1) { handle in _ = handle.fingerprint(keyedBy: fingerprintKey) }
        let derive = Measure.run(seconds: seconds, ids: [handle], seed: 1) { handle in _ = handle.sealingKey() }
        let seal = Measure.run(seconds: seconds, ids: [session], seed: 2) { session in _ = SessionRecord.seal(session, key: key, random: random) }
        let open = Measure.run(seconds: seconds, ids: [sealed], seed: 3) { bytes in _ = SessionRecord.open(bytes, handle: handle, key: key) }
        say("")
        say(String(format: "sealing a %d-byte session, CPU µs per operation: fingerprint the secret %.2f, derive the key %.2f, seal %.1f, open %.1f",
                   sealed.count, fingerprint.cpuMicroseconds, derive.cpuMicroseconds, seal.cpuMicroseconds, open.cpuMicroseconds))
    }
}
