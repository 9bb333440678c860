import Foundation

/// A project: a group of resources. Every account has one default project.
public struct Project: Decodable, Sendable, Hashable, Identifiable {
    public var id: String
    public var ownerUUID: String?
    public var name: String?
    public var description: String?
    /// What the project is for (`Website or blog`, `Service or API`, …).
    public var purpose: String?
    /// `Development`, `Staging` or `Production`.
    public var environment: String?
    public var isDefault: Bool?
    public var createdAt: Date?
    public var updatedAt: Date?

    private enum CodingKeys: String, CodingKey {
        case id, ownerUUID = "ownerUuid", name, description, purpose, environment, isDefault, createdAt, updatedAt
    }
}
