/// The account the token belongs to.
public struct Account: Decodable, Sendable, Hashable {
    public var dropletLimit: Int
    public var floatingIpLimit: Int
    public var email: String
    public var uuid: String
    public var emailVerified: Bool
    /// `active`, `warning` or `locked`.
    public var status: String
    public var statusMessage: String
}
