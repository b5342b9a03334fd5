import FoundationEssentials
import Glibc
import Logging

/// The sweep: removes expired sessions and the leftovers of crashes, streaming the directory
/// so that 100,000 files cost constant memory, and never waiting for a request's lock.
extension FileSessionStore {
    @discardableResult
    public func sweepExpired() throws -> SweepReport {
        let now = currentTime()
        var report = SweepReport()
        do {
            try fileSystem.forEachEntry(inDirectory: directory) { entry in
                report.scanned += 1
                sweep(entry, now: now, report: &report)
                return true
            }
        } catch {
            throw unavailable(error, "sweeping the session directory", name: nil)
        }
        let removed = report.expiredRemoved + report.temporaryRemoved + report.locksRemoved + report.corruptRemoved
            + report.legacyRemoved + report.claimsRemoved
        if removed > 0 {
            try? syncDirectory()
            logger.info("session sweep", metadata: [
                "scanned": "\(report.scanned)", "expired": "\(report.expiredRemoved)",
                "temporary": "\(report.temporaryRemoved)", "locks": "\(report.locksRemoved)",
                "corrupt": "\(report.corruptRemoved)", "legacy": "\(report.legacyRemoved)",
                "claims": "\(report.claimsRemoved)", "busy": "\(report.skippedBusy)",
            ])
        } else {
            logger.debug("session sweep found nothing to remove", metadata: ["scanned": "\(report.scanned)"])
        }
        return report
    }

    /// Handles one directory entry. Failures are logged and skipped: one bad file must not
    /// stop the sweep of the others.
    private func sweep(_ entry: String, now: Date, report: inout SweepReport) {
        switch SessionFileName(classifying: entry) {
        case .session(let name):
            sweepSession(name, now: now, report: &report)
        case .lock(let session):
            removeIfOrphaned(session + SessionFileName.lockSuffix, of: session, report: &report)
        case .refreshLock(let session):
            removeIfOrphaned(session + SessionFileName.refreshLockSuffix, of: session, report: &report)
        case .claim:
            sweepClaim(entry, now: now, report: &report)
        case .temporary:
            // Young temporary files may belong to a write in progress in another process.
            if isOlder(entry, than: policy.temporaryFileGrace, now: now) {
                remove(entry, counting: &report.temporaryRemoved)
            }
        case .corrupt:
            // Kept for a while for whoever investigates, then removed: they may hold tokens.
            if isOlder(entry, than: policy.absoluteLifetime, now: now) {
                remove(entry, counting: &report.corruptRemoved)
            }
        case .other:
            break
        }
    }

    private func sweepSession(_ name: String, now: Date, report: inout SweepReport) {
        // A first look without the lock: most sessions are live and need nothing.
        switch sessionState(name, now: now) {
        case .expired, .legacy, .corrupt: break
        case .live, .missing, .unreadable: return
        }
        guard let lock = tryLock(name + SessionFileName.lockSuffix, report: &report) else { return }
        defer { lock.release() }
        // Look again under the lock: a request may have refreshed it in between.
        switch sessionState(name, now: now) {
        case .expired:
            decodedSessions.forget(name)
            remove(name, counting: &report.expiredRemoved)
            lock.removeFile()
        case .legacy:
            // Written by a version before sealing: its cookie is no longer accepted, and it
            // holds tokens in clear, so it goes now rather than at its expiry.
            remove(name, counting: &report.legacyRemoved)
            lock.removeFile()
        case .missing:
            lock.removeFile()
        case .corrupt(let reason):
            moveAside(name, reason: reason, lock: lock)
        case .live, .unreadable:
            break
        }
    }

    private enum SweepState {
        case live, expired, legacy, missing, unreadable
        case corrupt(String)
    }

    private func sessionState(_ name: String, now: Date) -> SweepState {
        switch Result(catching: { () throws(SessionStoreError) in try readRecordKind(name) }) {
        case .failure: return .unreadable
        case .success(nil): return .missing
        case .success(.legacy): return .legacy
        case .success(.corrupt(let reason)): return .corrupt(reason)
        case .success(.sealed(let header)):
            return policy.isExpired(createdAt: header.createdAt, lastSeen: header.lastSeen, now: now) ? .expired : .live
        }
    }

    /// Removes a session's lock file once the session is gone and nobody holds the lock. A
    /// lock file outlives its session when a process died between removing the two, and
    /// refresh locks are left to the sweep on purpose (see `delete`).
    private func removeIfOrphaned(_ lockName: String, of session: String, report: inout SweepReport) {
        guard (try? sessionFileExists(session)) == false else { return }
        guard let lock = tryLock(lockName, report: &report) else { return }
        defer { lock.release() }
        if (try? sessionFileExists(session)) == false {
            lock.removeFile()
            report.locksRemoved += 1
        }
    }

    /// Removes a claim whose time is up; one without an expiry (its claimer died before
    /// writing it) once it is older than the temporary-file grace.
    private func sweepClaim(_ entry: String, now: Date, report: inout SweepReport) {
        func isStale(_ fd: Int32) -> Bool {
            guard let expiry = try? readClaimExpiry(fd) else { return isOlder(entry, than: policy.temporaryFileGrace, now: now) }
            return expiry <= SessionRecord.milliseconds(now)
        }
        guard let lock = tryLock(entry, report: &report) else { return }
        defer { lock.release() }
        if isStale(lock.fd) {
            lock.removeFile()
            report.claimsRemoved += 1
        }
    }

    /// The lock on `entry` if nobody holds it; the sweep never waits for a request.
    private func tryLock(_ entry: String, report: inout SweepReport) -> SessionLock? {
        // try? flattens "held by someone" (nil) and "cannot lock" (error): skip either way.
        let lock = try? SessionLock.acquire(path(entry), fileSystem: fileSystem, wait: false)
        if lock == nil { report.skippedBusy += 1 }
        return lock
    }

    private func isOlder(_ entry: String, than age: TimeInterval, now: Date) -> Bool {
        guard let status = try? fileSystem.status(atPath: path(entry)) else { return false }
        return now.timeIntervalSince1970 - status.modified > age
    }

    private func remove(_ entry: String, counting counter: inout Int) {
        do {
            try fileSystem.unlink(path(entry))
            counter += 1
        } catch where error.code == ENOENT {
            // Removed by someone else meanwhile.
        } catch {
            logger.warning("sweep could not remove a file", metadata: [
                "file": "\(SessionFileName.logPrefix(entry))", "error": "\(error)",
            ])
        }
    }
}
