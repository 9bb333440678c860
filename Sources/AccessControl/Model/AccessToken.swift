import Foundation

/// An API token as stored (`api_tokens`): never the secret itself, only its SHA-256 hash and a
/// short prefix to recognise it by.
public struct AccessToken: Sendable, Hashable, Codable {
    public var id: UUID
    /// A label for people (`ci`, `alice`).
    public var name: String
    public var role: Role
    /// The tenant a `tenant` token is scoped to (nil for every other role).
    public var tenantID: String?
    /// The first characters of the secret (`arc_AbCd`), safe to show.
    public var prefix: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    /// Creates a token record.
    public init(
        id: UUID = UUID(), name: String, role: Role, tenantID: String? = nil, prefix: String, createdAt: Date, lastUsedAt: Date? = nil,
        revokedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.tenantID = tenantID
        self.prefix = prefix
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// Whether the token may perform `permission`, for `tenant` when the access is scoped to one.
    public func allows(_ permission: Permission, tenant: String? = nil) -> Bool {
        guard revokedAt == nil else { return false }
        if role == .tenant { return permission == .readOwnTenant && tenant != nil && tenant == tenantID }
        return role.allows(permission) || (permission == .readOwnTenant && role.allows(.read))
    }
}
