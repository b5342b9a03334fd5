import HTTPServer

/// How the provider's pages are drawn. The app passes closures that render them in its
/// own layout, so the provider ships no templates and a production start-up needs none.
public struct DevPages: Sendable {
    /// The authorize page: a form posting `fields` and the picked user's id (`user`, or
    /// `cancel`) to `action`.
    public var authorize: @Sendable (DevAuthorizePage) -> HTTPResponse
    /// A page with a heading and a message: errors, "signed out", refused requests.
    public var message: @Sendable (_ heading: String, _ message: String, _ status: HTTPStatus) -> HTTPResponse

    /// Pages drawn by these two closures.
    public init(
        authorize: @escaping @Sendable (DevAuthorizePage) -> HTTPResponse,
        message: @escaping @Sendable (_ heading: String, _ message: String, _ status: HTTPStatus) -> HTTPResponse
    ) {
        self.authorize = authorize
        self.message = message
    }
}

/// What the authorize page shows: where its form posts, the authorization request's
/// parameters it carries along as hidden fields, and the demo users to pick from.
public struct DevAuthorizePage: Sendable {
    /// Where the form posts (the authorize endpoint itself).
    public let action: String
    /// The authorization request's parameters, carried as hidden fields.
    public let fields: [(name: String, value: String)]
    /// The demo users, one button each.
    public let users: [DevUser]
}
