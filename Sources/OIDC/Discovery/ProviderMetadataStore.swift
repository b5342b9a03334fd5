import FoundationEssentials
import HTTPClient
import JOSE
import Logging
import Synchronization

/// The process-wide copy of the provider's discovery document and signing keys: fetched
/// once, shared by every request and session, refreshed after 24 hours, and refetched when
/// a token names a key we do not have (once per unknown key id, at most
/// `unknownKeyRefetchLimit` times per `unknownKeyRefetchInterval`). A first fetch that
/// fails is remembered for `failureRetryInterval`, so while the provider is down requests
/// fail at once instead of queueing behind one another's fetches.
public final class ProviderMetadataStore: Sendable {
    /// One downloaded document: when it was fetched and, after a failed refresh, until when
    /// the old copy is used before trying again; or, with no copy yet, the failure to report
    /// until the next try.
    private struct Cached<Value: Sendable> {
        var value: Value?
        var fetchedAt: Date?
        var retryAfter: Date?
        var failure: (error: OIDCError, until: Date)?

        func fresh(at now: Date, refreshInterval: TimeInterval) -> Value? {
            guard let value, let fetchedAt else { return nil }
            if now.timeIntervalSince(fetchedAt) < refreshInterval { return value }
            if let retryAfter, now < retryAfter { return value }
            return nil
        }

        func recentFailure(at now: Date) -> OIDCError? {
            guard let failure, now < failure.until else { return nil }
            return failure.error
        }

        mutating func store(_ value: Value, at now: Date) {
            self.value = value
            fetchedAt = now
            retryAfter = nil
            failure = nil
        }
    }

    private struct Snapshot {
        var metadata = Cached<ProviderMetadata>()
        var keys = Cached<JWKSet>()
        var unknownKeyRefetches = UnknownKeyRefetches()
    }

    private let authority: Authority
    private let transport: any HTTPTransport
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private let snapshot = Mutex(Snapshot())
    /// Held across a fetch so concurrent callers that all find the cache empty wait for
    /// one download instead of each starting their own. Readers of a fresh snapshot never
    /// take it.
    private let fetchLock = Mutex(())

    /// How long metadata and keys are used before being fetched again.
    public let refreshInterval: TimeInterval
    /// How long one unknown key id waits before it may cause another refetch.
    public let unknownKeyRefetchInterval: TimeInterval
    /// The most refetches unknown key ids may cause per `unknownKeyRefetchInterval`, so a
    /// stream of forged kids cannot make us hammer the provider.
    public let unknownKeyRefetchLimit: Int
    /// How long a failed first fetch is reported again before the next try.
    public let failureRetryInterval: TimeInterval
    /// How long to keep using stale data after a failed refresh before trying again.
    let retryInterval: TimeInterval = 60

    public init(authority: Authority, transport: any HTTPTransport, clock: @escaping @Sendable () -> Date = Date.init,
                logger: Logger = Logger(label: "oidc.metadata"),
                refreshInterval: TimeInterval = 24 * 3600, unknownKeyRefetchInterval: TimeInterval = 60,
                unknownKeyRefetchLimit: Int = 10, failureRetryInterval: TimeInterval = 5) {
        self.authority = authority
        self.transport = transport
        self.clock = clock
        self.logger = logger
        self.refreshInterval = refreshInterval
        self.unknownKeyRefetchInterval = unknownKeyRefetchInterval
        self.unknownKeyRefetchLimit = unknownKeyRefetchLimit
        self.failureRetryInterval = failureRetryInterval
    }

    /// The discovery document, fetching it on first use and after `refreshInterval`.
    public func metadata() throws(OIDCError) -> ProviderMetadata {
        try cached(\.metadata, name: "OpenID provider metadata") { () throws(OIDCError) in
            let response = try get(authority.metadataURL, endpoint: .metadata)
            let metadata = try ProviderMetadata.parse(response.body, for: authority)
            let now = clock()
            snapshot.withLock { $0.metadata.store(metadata, at: now) }
            logger.info("Fetched OpenID provider metadata", metadata: ["host": "\(authority.host)"])
            return metadata
        }
    }

    /// The discovery document if one has been fetched, never fetching: for checks that must
    /// not wait for the network (they run on the event loop).
    public func cachedMetadata() -> ProviderMetadata? {
        snapshot.withLock { $0.metadata.value }
    }

    /// The signing keys, fetching them on first use and after `refreshInterval`.
    public func signingKeys() throws(OIDCError) -> JWKSet {
        if let fresh = fresh(\.keys) { return fresh }
        let metadata = try metadata()
        return try cached(\.keys, name: "Provider signing keys (JWKS)") { () throws(OIDCError) in
            try fetchKeys(metadata)
        }
    }

    /// The value at `entry` while fresh; otherwise `fetch`ed under `fetchLock`, so callers that
    /// all find it stale wait for one download. When a refresh fails and an old copy exists,
    /// the old copy is used for `retryInterval` before the next try; when there is no copy,
    /// the failure is what every caller gets for `failureRetryInterval`.
    private func cached<Value: Sendable>(
        _ entry: WritableKeyPath<Snapshot, Cached<Value>>, name: String, fetch: () throws(OIDCError) -> Value
    ) throws(OIDCError) -> Value {
        if let fresh = fresh(entry) { return fresh }
        if let recent = recentFailure(entry) { throw recent }
        return try fetchLock.withLock { _ throws(OIDCError) -> Value in
            if let fresh = fresh(entry) { return fresh }
            // Callers that queued behind a fetch that just failed get its answer at once.
            if let recent = recentFailure(entry) { throw recent }
            let stale = snapshot.withLock { $0[keyPath: entry].value }
            do throws(OIDCError) {
                return try fetch()
            } catch {
                guard let stale else {
                    let retryAt = clock().addingTimeInterval(failureRetryInterval)
                    snapshot.withLock { $0[keyPath: entry].failure = (error, retryAt) }
                    logger.warning("\(name) could not be fetched; sign-ins fail until the next try", metadata: [
                        "reason": "\(error.logReason)", "detail": "\(error.detail ?? "-")", "retry_in": "\(Int(failureRetryInterval))s",
                    ])
                    throw error
                }
                // Keep signing people in with what we had; try again in a minute.
                let retryAt = clock().addingTimeInterval(retryInterval)
                snapshot.withLock { $0[keyPath: entry].retryAfter = retryAt }
                logger.warning("\(name) refresh failed, using the cached copy", metadata: ["reason": "\(error.logReason)"])
                return stale
            }
        }
    }

    private func fresh<Value: Sendable>(_ entry: WritableKeyPath<Snapshot, Cached<Value>>) -> Value? {
        let now = clock()
        return snapshot.withLock { $0[keyPath: entry].fresh(at: now, refreshInterval: refreshInterval) }
    }

    /// The failure a first fetch of `entry` met, while it is still to be reported.
    private func recentFailure<Value: Sendable>(_ entry: WritableKeyPath<Snapshot, Cached<Value>>) -> OIDCError? {
        let now = clock()
        return snapshot.withLock { $0[keyPath: entry].recentFailure(at: now) }
    }

    /// Fetches the JWKS again because a token names key `kid`, unless another caller already
    /// fetched keys holding it, this kid already caused a refetch within
    /// `unknownKeyRefetchInterval`, or `unknownKeyRefetchLimit` refetches happened in that
    /// time. Returns the keys to use, or nil when refused (the token is then rejected).
    func keysAfterUnknownKeyID(_ kid: String) throws(OIDCError) -> JWKSet? {
        let metadata = try metadata()
        return try fetchLock.withLock { _ throws(OIDCError) -> JWKSet? in
            let current = snapshot.withLock { $0.keys.value }
            // A concurrent caller may have fetched the rotated keys while we waited for the lock.
            if let current, current.keys.contains(where: { $0.kid == kid }) { return current }
            let now = clock()
            let (interval, limit) = (unknownKeyRefetchInterval, unknownKeyRefetchLimit)
            let refusal = snapshot.withLock { $0.unknownKeyRefetches.claim(kid, now: now, interval: interval, limit: limit) }
            if let refusal {
                logger.notice("Unknown signing key id; JWKS refetch refused", metadata: [
                    "kid": "\(LogSafe.token(kid))", "why": "\(refusal.rawValue)",
                ])
                return nil
            }
            logger.info("Unknown signing key id; refetching JWKS", metadata: ["kid": "\(LogSafe.token(kid))"])
            return try fetchKeys(metadata)
        }
    }

    private func fetchKeys(_ metadata: ProviderMetadata) throws(OIDCError) -> JWKSet {
        let response = try get(metadata.jwksURI, endpoint: .jwks)
        let keys: JWKSet
        do {
            keys = try JSONDecoder().decode(JWKSet.self, from: Data(response.body))
        } catch {
            throw .invalidResponse(endpoint: .jwks, status: response.status, reason: "not a JWK Set")
        }
        let now = clock()
        snapshot.withLock { $0.keys.store(keys, at: now) }
        logger.info("Fetched provider signing keys", metadata: ["count": "\(keys.keys.count)"])
        return keys
    }

    private func get(_ url: String, endpoint: OIDCError.Endpoint) throws(OIDCError) -> OutboundResponse {
        let response: OutboundResponse
        do {
            response = try transport.send(OutboundRequest(method: .GET, url: url, headers: ["Accept": "application/json"]))
        } catch {
            throw .transport(error, endpoint: endpoint)
        }
        guard response.status == 200 else {
            let body = ProviderErrorResponse.parse(status: response.status, body: response.body)
            if response.status >= 500 { throw .providerUnavailable(status: response.status, body) }
            throw .invalidResponse(endpoint: endpoint, status: response.status, reason: "expected HTTP 200")
        }
        return response
    }
}
