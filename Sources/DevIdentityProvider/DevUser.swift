/// The demo accounts of the development identity provider: one with the admin app role,
/// one without, so both sides of `/admin` can be tried.
public struct DevUser: Sendable, Equatable {
    /// What the authorize page posts back to pick this user.
    public var id: String
    public var name: String
    public var username: String
    /// The directory object id (`oid`), also the ID token's `sub` here.
    public var objectID: String
    public var roles: [String]
    public var jobTitle: String

    public init(id: String, name: String, username: String, objectID: String, roles: [String], jobTitle: String) {
        self.id = id
        self.name = name
        self.username = username
        self.objectID = objectID
        self.roles = roles
        self.jobTitle = jobTitle
    }

    public static let demoUsers = [
        DevUser(id: "adele", name: "Adele Vance", username: "adele@dev.example",
                objectID: "5c0a4d8e-2a65-4f0b-9d1e-6a7e0d2b1a01", roles: ["admin"], jobTitle: "IT Administrator"),
        DevUser(id: "alex", name: "Alex Wilber", username: "alex@dev.example",
                objectID: "8f3b6c1d-7e42-4c59-a3b0-2d9f1e4c5b02", roles: [], jobTitle: "Marketing Assistant"),
    ]
}
