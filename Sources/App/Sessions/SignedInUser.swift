import Encodings
import SessionStore

/// The signed-in user as pages show them, read from the ID token claims kept in the session.
struct SignedInUser: Sendable {
    let name: String
    let username: String
    let roles: [String]
    let claims: [String: JSONValue]
    /// What the Sign out buttons post (`SignOutProtection`); nil when not known.
    var signOutToken: String?

    /// The user signed in to `session`, with the session's sign-out token; nil when nobody is.
    init?(session: Session) {
        self.init(claims: session.claims)
        signOutToken = SignOutProtection.token(sessionID: session.handle.cookieValue)
    }

    /// Nil when the claims are not those of a signed-in user.
    init?(claims: [String: JSONValue]) {
        guard let subject = claims["sub"]?.stringValue, !subject.isEmpty else { return nil }
        let username = claims["preferred_username"]?.stringValue ?? claims["email"]?.stringValue
            ?? claims["upn"]?.stringValue ?? subject
        self.name = claims["name"]?.stringValue ?? username
        self.username = username
        self.roles = claims["roles"]?.stringArrayValue ?? []
        self.claims = claims
    }

    func hasRole(_ role: String) -> Bool { roles.contains(role) }

    /// What the layout's header shows.
    var templateContext: [String: Any] {
        var context: [String: Any] = ["name": name, "username": username]
        if let signOutToken { context["signOutToken"] = signOutToken }
        return context
    }

    /// The names of `templateContext`'s values, for a prerendered page's slots.
    static let slotNames = ["name", "username", "signOutToken"]

    /// `templateContext`'s values in `slotNames` order.
    var slotValues: [String] {
        [name, username, signOutToken ?? ""]
    }
}
