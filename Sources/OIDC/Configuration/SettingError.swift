/// Why a setting handed to the OIDC client (an authority URL, a client certificate) cannot
/// be used. It carries only the reason: the app knows which setting the value came from
/// and names it in its start-up error.
public struct SettingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the value, in words that read after the setting's name.
    public let reason: String

    /// An error saying `reason`.
    public init(_ reason: String) {
        self.reason = reason
    }

    /// The reason alone.
    public var description: String { reason }
}
