import FoundationEssentials
import HTTPClient
import Logging
import Synchronization

/// The process-wide copy of the provider's discovery document and signing keys: fetched
/// once, shared by every request and session, refreshed after 24 hours, and refetched
/// (at most once a minute) when a token names a key we do not have.
public final class ProviderMetadataStore: Sendable {
    /// One downloaded document: when it was fetched and, after a failed refresh, until when
    /// the old copy is used before trying again.
    private struct Cached<Value: Sendable> {
        var value: Value?
        var fetchedAt: Date?
        var retryAfter: Date?

        func fresh(at now: Date, refreshInterval: TimeInterval) -> Value? {
            guard let value, let fetchedAt else { return nil }
            if now.timeIntervalSince(fetchedAt) < refreshInterval { return value }
            if let retryAfter, now < retryAfter { return value }
            return nil
        }

        mutating func store(_ value: Value, at now: Date) {
            self.value = value
            fetchedAt = now
            retryAfter = nil
        }
    }

    private struct Snapshot {
        var metadata = Cached<ProviderMetadata>()
        var keys = Cached<JWKSet>()
        var lastUnknownKeyRefetch: Date?
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
    /// The least time between two refetches caused by unknown key ids, so a stream of
    /// forged kids cannot make us hammer the provider.
    public let unknownKeyRefetchInterval: TimeInterval
    /// How long to keep using stale data after a failed refresh before trying again.
    let retryInterval: TimeInterval = 60

    public init(authority: Authority, transport: any HTTPTransport, clock: @escaping @Sendable () -> Date = Date.init,
                logger: Logger = Logger(label: "oidc.metadata"),
                refreshInterval: TimeInterval = 24 * 3600, unknownKeyRefetchInterval: TimeInterval = 60) {
        self.authority = authority
        self.transport = transport
        self.clock = clock
        self.logger = logger
        self.refreshInterval = refreshInterval
        self.unknownKeyRefetchInterval = unknownKeyRefetchInterval
    }

    /// The discovery document, fetching it on first use and after `refreshInterval`.
    public func metadata() throws(OIDCError) -> ProviderMetadata {
        try cached(\.metadata, failure: "Metadata refresh failed, using the cached copy") { () throws(OIDCError) in
            let response = try get(authority.metadataURL, endpoint: .metadata)
            let metadata = try ProviderMetadata.parse(response.body, for: authority)
            let now = clock()
            snapshot.withLock { $0.metadata.store(metadata, at: now) }
            logger.info("Fetched OpenID provider metadata", metadata: ["host": "\(authority.host)"])
            return metadata
        }
    }

    /// The signing keys, fetching them on first use and after `refreshInterval`.
    public func signingKeys() throws(OIDCError) -> JWKSet {
        if let fresh = fresh(\.keys) { return fresh }
        let metadata = try metadata()
        return try cached(\.keys, failure: "JWKS refresh failed, using the cached keys") { () throws(OIDCError) in
            try fetchKeys(metadata)
        }
    }

    /// The value at `entry` while fresh; otherwise `fetch`ed under `fetchLock`, so callers that
    /// all find it stale wait for one download. When a refresh fails and an old copy exists,
    /// the old copy is used for `retryInterval` before the next try.
    private func cached<Value: Sendable>(
        _ entry: WritableKeyPath<Snapshot, Cached<Value>>, failure: Logger.Message, fetch: () throws(OIDCError) -> Value
    ) throws(OIDCError) -> Value {
        if let fresh = fresh(entry) { return fresh }
        return try fetchLock.withLock { _ throws(OIDCError) -> Value in
            if let fresh = fresh(entry) { return fresh }
            let stale = snapshot.withLock { $0[keyPath: entry].value }
            do throws(OIDCError) {
                return try fetch()
            } catch {
                guard let stale else { throw error }
                // Keep signing people in with what we had; try again in a minute.
                let retryAt = clock().addingTimeInterval(retryInterval)
                snapshot.withLock { $0[keyPath: entry].retryAfter = retryAt }
                logger.warning(failure, metadata: ["reason": "\(error.logReason)"])
                return stale
            }
        }
    }

    private func fresh<Value: Sendable>(_ entry: WritableKeyPath<Snapshot, Cached<Value>>) -> Value? {
        let now = clock()
        return snapshot.withLock { $0[keyPath: entry].fresh(at: now, refreshInterval: refreshInterval) }
    }

    /// Fetches the JWKS again because a token names key `kid`, unless another caller already
    /// did so or a refetch happened within `unknownKeyRefetchInterval`. Returns the keys to
    /// use, or nil when rate-limited.
    func keysAfterUnknownKeyID(_ kid: String) throws(OIDCError) -> JWKSet? {
        let metadata = try metadata()
        return try fetchLock.withLock { _ throws(OIDCError) -> JWKSet? in
            let (current, lastRefetch) = snapshot.withLock { ($0.keys.value, $0.lastUnknownKeyRefetch) }
            // A concurrent caller may have fetched the rotated keys while we waited for the lock.
            if let current, current.keys.contains(where: { $0.kid == kid }) { return current }
            let now = clock()
            if let lastRefetch, now.timeIntervalSince(lastRefetch) < unknownKeyRefetchInterval {
                logger.notice("Unknown signing key id; JWKS refetch rate-limited", metadata: ["kid": "\(LogSafe.token(kid))"])
                return nil
            }
            snapshot.withLock { $0.lastUnknownKeyRefetch = now }
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
