public import Foundation

/// A tenant's instance of the hosted stack: its resources carry the `deployment:<id>` tag or
/// were made by a saga started for it. Its base fee runs from `createdAt` until `endedAt`.
public struct Deployment: Sendable, Hashable, Codable {
    /// Where a deployment stands.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case active, suspended, offboarded
    }

    public var id: String
    public var tenantID: String
    public var name: String
    public var region: String
    /// The plan whose base fee the rate card sets.
    public var plan: String
    public var status: Status
    public var createdAt: Date
    /// When it was offboarded (its base fee stops); nil while it lives.
    public var endedAt: Date?

    /// Creates a deployment.
    public init(
        id: String, tenantID: String, name: String, region: String, plan: String, status: Status = .active, createdAt: Date,
        endedAt: Date? = nil
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.region = region
        self.plan = plan
        self.status = status
        self.createdAt = createdAt
        self.endedAt = endedAt
    }
}
