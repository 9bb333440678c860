import Foundation

/// An asynchronous operation: a droplet create, power change, snapshot, IP assignment, ….
public struct Action: Decodable, Sendable, Hashable, Identifiable {
    public var id: Int
    /// `in-progress`, `completed` or `errored` (the spec requires no field but the id is this
    /// model's identity; the others may be absent).
    public var status: String?
    public var type: String?
    public var startedAt: Date?
    public var completedAt: Date?
    /// The droplet (or other resource) the action works on; for a snapshot, the droplet.
    public var resourceID: Int?
    public var resourceType: String?
    public var regionSlug: String?

    public var isInProgress: Bool { status == "in-progress" }
    public var isCompleted: Bool { status == "completed" }
    public var isErrored: Bool { status == "errored" }

    private enum CodingKeys: String, CodingKey {
        case id, status, type, startedAt, completedAt, resourceID = "resourceId", resourceType, regionSlug
    }
}
