import RedisClient
import RedisSessionStore

/// SESSION_STORE: where sessions live. `file` (the default) keeps them in SESSION_DIR, for
/// one machine; a `redis://` or `rediss://` URL shares them between instances.
public enum SessionStoreSetting: Sendable, Equatable {
    /// Session files in SESSION_DIR.
    case file
    /// Redis at this configuration (password and CA file already merged in), keys under
    /// this prefix.
    case redis(RedisConfiguration, keys: RedisSessionKeys)

    /// Reads SESSION_STORE and the settings only Redis uses (REDIS_PASSWORD, REDIS_CA_FILE,
    /// SESSION_KEY_PREFIX). Those are refused with the file store: whoever set them meant
    /// to share sessions, and instances that silently kept files would not.
    static func parse(store: String?, password: String?, caFile: String?, keyPrefix: String?) throws(ConfigurationError) -> SessionStoreSetting {
        let value = store ?? "file"
        let lowered = value.lowercased()
        guard lowered.hasPrefix("redis://") || lowered.hasPrefix("rediss://") else {
            guard lowered == "file" else {
                // Never echoed: a mistyped URL may hold a password.
                throw ConfigurationError(key: "SESSION_STORE", reason: "must be file or a redis:// or rediss:// URL")
            }
            for (key, set) in [("REDIS_PASSWORD", password), ("REDIS_CA_FILE", caFile), ("SESSION_KEY_PREFIX", keyPrefix)] where set != nil {
                throw ConfigurationError(key: key, reason: "is set, but SESSION_STORE is file; it applies to a Redis session store only")
            }
            return .file
        }
        let configuration: RedisConfiguration
        do {
            configuration = try RedisConfiguration(url: value, password: password, caFile: caFile)
        } catch {
            throw ConfigurationError(error)
        }
        do {
            return .redis(configuration, keys: try RedisSessionKeys(prefix: keyPrefix ?? RedisSessionKeys.defaultPrefix))
        } catch {
            throw ConfigurationError(key: "SESSION_KEY_PREFIX", reason: error.reason)
        }
    }
}

extension ConfigurationError {
    /// The Redis client's complaint about one of its settings, under the key it came from:
    /// the one place the app maps them.
    init(_ error: RedisConfigurationError) {
        let key = switch error.setting {
        case .url: "SESSION_STORE"
        case .password: "REDIS_PASSWORD"
        case .caFile: "REDIS_CA_FILE"
        }
        self.init(key: key, reason: error.reason)
    }
}
