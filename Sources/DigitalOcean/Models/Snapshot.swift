import Foundation

/// A snapshot as listed under `/v2/snapshots` (string ids; droplet or volume snapshots).
public struct Snapshot: Decodable, Sendable, Hashable, Identifiable {
    public var id: String
    public var name: String
    public var createdAt: Date
    public var regions: [String]
    public var minDiskSize: Int
    public var sizeGigabytes: Decimal
    public var resourceID: String
    /// `droplet` or `volume`.
    public var resourceType: String
    public var tags: [String]?

    private enum CodingKeys: String, CodingKey {
        case id, name, createdAt, regions, minDiskSize, sizeGigabytes, resourceID = "resourceId", resourceType, tags
    }
}
