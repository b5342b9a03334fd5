import Encodings
import FoundationEssentials
import Logging
import SessionStore
import Synchronization

/// What `/readyz` reports: whether this instance can serve signed-in users right now. The
/// session store must answer (Redis PING; the session directory writable) and the identity
/// provider's metadata must be at hand (a cached copy counts; a provider whose first fetch
/// failed recently does not). Results are kept for `cacheDuration`, and one check runs at a
/// time, so however many load balancers probe, Redis and the provider see one check per
/// interval. Changes are logged once, with the reason, which the answer itself leaves out.
final class ReadinessProbe: Sendable {
    /// One check's outcome, as the JSON shows it.
    enum Status: String, Sendable {
        /// The check passed.
        case ok
        /// The store or the provider did not answer as it should.
        case unreachable
        /// No identity provider is configured at all.
        case notConfigured = "not configured"
    }

    /// The outcome of one round of checks.
    struct Report: Sendable, Equatable {
        /// The session store's check.
        var sessionStore: Status
        /// The provider metadata's check.
        var identityProvider: Status

        /// True when every check passed.
        var isReady: Bool { sessionStore == .ok && identityProvider == .ok }

        /// `{"checks":{...},"status":"ready"}`, or "unavailable" with a short reason: no
        /// host names, no error texts (those are in the log).
        var json: [UInt8] {
            var object: [String: JSONValue] = [
                "status": .string(isReady ? "ready" : "unavailable"),
                "checks": .object(["sessionStore": .string(sessionStore.rawValue), "identityProvider": .string(identityProvider.rawValue)]),
            ]
            if sessionStore != .ok {
                object["reason"] = .string("session store \(sessionStore.rawValue)")
            } else if identityProvider != .ok {
                object["reason"] = .string("identity provider metadata \(identityProvider == .notConfigured ? "not configured" : "unavailable")")
            }
            return JSONValue.serialize(object)
        }
    }

    /// The session store to check.
    private let store: any SessionStore
    /// The sign-in set-up, whose metadata is checked.
    private let identitySlot: IdentitySlot
    /// How long a report is reused.
    let cacheDuration: Duration
    /// Where changes are logged.
    private let logger: Logger
    /// The last report and when it was made.
    private let last = Mutex<(report: Report, at: ContinuousClock.Instant)?>(nil)
    /// Held while a check runs, so concurrent probes wait for that one.
    private let checking = Mutex(())

    /// A probe of `store` and the identity in `identitySlot`.
    init(store: any SessionStore, identitySlot: IdentitySlot, cacheDuration: Duration = .seconds(2), logger: Logger) {
        self.store = store
        self.identitySlot = identitySlot
        self.cacheDuration = cacheDuration
        self.logger = logger
    }

    /// The current report: the cached one while fresh, else a new check. Blocks (a PING, a
    /// metadata fetch): call it from a worker.
    func report() -> Report {
        if let fresh = fresh() { return fresh }
        return checking.withLock { _ in
            if let fresh = fresh() { return fresh }
            let previous = last.withLock { $0?.report }
            let report = Report(sessionStore: checkStore(), identityProvider: checkIdentity())
            last.withLock { $0 = (report, .now) }
            if report != previous { log(report, previous: previous) }
            return report
        }
    }

    /// The last report if it is younger than `cacheDuration`.
    private func fresh() -> Report? {
        last.withLock { last in
            guard let last, ContinuousClock.now - last.at < cacheDuration else { return nil }
            return last.report
        }
    }

    /// The store's own readiness check.
    private func checkStore() -> Status {
        do {
            try store.checkReadiness()
            return .ok
        } catch {
            logger.warning("Readiness: the session store is not available", metadata: ["error": "\(error)"])
            return .unreachable
        }
    }

    /// The provider's metadata, cached or fetched now.
    private func checkIdentity() -> Status {
        guard let identity = identitySlot.current else { return .notConfigured }
        do {
            _ = try identity.client.metadataStore.metadata()
            return .ok
        } catch {
            logger.warning("Readiness: the identity provider's metadata is not available", metadata: [
                "reason": "\(error.logReason)", "detail": "\(error.detail ?? "-")",
            ])
            return .unreachable
        }
    }

    /// One line when readiness changes.
    private func log(_ report: Report, previous: Report?) {
        let metadata: Logger.Metadata = [
            "sessionStore": "\(report.sessionStore.rawValue)", "identityProvider": "\(report.identityProvider.rawValue)",
        ]
        if report.isReady {
            logger.notice("Ready", metadata: metadata)
        } else {
            logger.warning("Not ready: /readyz answers 503", metadata: metadata)
        }
    }
}
