/// MSAL's cache key format (the `key_makers` of MSAL Python's token_cache.py): fields
/// joined by "-" and lowercased, so entries we write land on the keys MSAL looks up.
extension TokenCache {
    enum Key {
        static func accessToken(_ entry: AccessToken) -> String {
            [entry.homeAccountID, entry.environment, "AccessToken", entry.clientID, entry.realm, entry.target]
                .joined(separator: "-").lowercased()
        }

        /// Refresh tokens have an empty realm: Entra refresh tokens work across tenants.
        static func refreshToken(_ entry: RefreshToken) -> String {
            [entry.homeAccountID, entry.environment, "RefreshToken", entry.clientID, "", entry.target]
                .joined(separator: "-").lowercased()
        }

        /// The trailing empty field is the schema's (unused) target.
        static func idToken(_ entry: IDToken) -> String {
            [entry.homeAccountID, entry.environment, "IdToken", entry.clientID, entry.realm, ""]
                .joined(separator: "-").lowercased()
        }

        static func account(_ entry: Account) -> String {
            [entry.homeAccountID, entry.environment, entry.realm].joined(separator: "-").lowercased()
        }

        /// Not lowercased, as in MSAL.
        static func appMetadata(_ entry: AppMetadata) -> String {
            "appmetadata-\(entry.environment)-\(entry.clientID)"
        }
    }
}
