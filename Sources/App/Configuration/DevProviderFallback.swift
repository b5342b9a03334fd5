/// `make run`'s choice when no identity provider is configured: the development provider,
/// so the whole sign-in can be tried with no tenant, but only on what looks like a
/// developer's machine. A server whose secret injection failed must stop, not come up with
/// demo users anyone could sign in as.
public enum DevProviderFallback {
    /// What `make run` does.
    public enum Decision: Sendable, Equatable {
        /// Start as configured: a provider is set up, or the development provider was asked for.
        case asConfigured
        /// Nothing is configured and nothing looks like production: turn the provider on.
        case startDevProvider
        /// Nothing is configured, yet this looks like a server others use: stop.
        case refuse(ConfigurationError)
    }

    /// The decision for `configuration` as read from `.env` and the environment.
    public static func decide(_ configuration: AppConfiguration) -> Decision {
        if configuration.devIdentityProvider || configuration.clientID != nil { return .asConfigured }
        let signals = configuration.productionLookingKeys
        guard !signals.isEmpty else { return .startDevProvider }
        let missing = configuration.missingIdentityKeys.filter { $0 != "CLIENT_ID" }
        let alsoMissing = missing.isEmpty ? "" : " (nor \(missing.joined(separator: ", ")))"
        return .refuse(ConfigurationError(
            key: "CLIENT_ID",
            reason: "is not set\(alsoMissing), and \(signals.joined(separator: ", ")) \(signals.count == 1 ? "looks" : "look") like a server others use: not starting the development identity provider, whose demo users anyone could sign in as. Set the missing keys, or DEV_IDP=1 on a development machine"))
    }
}
