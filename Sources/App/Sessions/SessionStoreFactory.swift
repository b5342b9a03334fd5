import FoundationEssentials
import Logging
import RedisClient
import RedisSessionStore
import SessionStore

/// Opens the session store SESSION_STORE names. A setting that cannot work stops start-up
/// naming its key; a Redis that is merely unreachable does not: the app starts, answers 503
/// (and /readyz 503) where it needs sessions, and recovers by itself once Redis is back, as
/// a process started before its Redis (a reboot, a deployment) must.
enum SessionStoreFactory {
    /// The store for `configuration`, with the app's expiry rules.
    static func make(_ configuration: AppConfiguration, clock: @escaping @Sendable () -> Date, logger: Logger) throws(ConfigurationError) -> any SessionStore {
        let policy = SessionPolicy(
            idleTimeout: configuration.sessionIdleTimeout, absoluteLifetime: configuration.sessionLifetime,
            touchInterval: min(60, configuration.sessionIdleTimeout / 2))
        switch configuration.sessionStore {
        case .file:
            do {
                return try FileSessionStore(directory: configuration.sessionDirectory, policy: policy, clock: clock, logger: logger)
            } catch {
                throw ConfigurationError(key: "SESSION_DIR", reason: "cannot be used: \(error)")
            }
        case .redis(let redisConfiguration, let keys):
            let redis: RedisClient
            do {
                redis = try RedisClient(configuration: redisConfiguration)
            } catch {
                throw ConfigurationError(error)
            }
            try probe(redis, logger: logger)
            logger.info("Sessions are kept in Redis", metadata: ["redis": "\(redisConfiguration)", "prefix": "\(keys.prefix)"])
            return RedisSessionStore(redis: redis, keys: keys, policy: policy, clock: clock, logger: logger)
        }
    }

    /// One PING at start-up. Credentials or a certificate Redis refuses are configuration
    /// errors; a Redis that is down, slow or still loading its data is logged and waited for.
    private static func probe(_ redis: RedisClient, logger: Logger) throws(ConfigurationError) {
        do {
            try redis.ping()
        } catch .authentication(let detail) {
            throw ConfigurationError(key: "REDIS_PASSWORD", reason: "is not accepted by Redis (or the user in SESSION_STORE): \(detail)")
        } catch .tls(let detail) {
            let key = redis.configuration.caFile == nil ? "SESSION_STORE" : "REDIS_CA_FILE"
            throw ConfigurationError(key: key, reason: "does not get a verified TLS connection to Redis: \(detail)")
        } catch {
            logger.warning("Redis is not reachable; starting anyway: pages that need a session answer 503 until it is back", metadata: [
                "redis": "\(redis.configuration)", "error": "\(error)",
            ])
        }
    }
}
