import Foundation

/// A block storage volume.
public struct Volume: Decodable, Sendable, Hashable, Identifiable {
    public var id: String
    public var name: String?
    public var region: Region?
    public var dropletIDs: [Int]?
    public var description: String?
    public var sizeGigabytes: Int?
    public var createdAt: Date?
    public var filesystemType: String?
    public var tags: [String]?

    private enum CodingKeys: String, CodingKey {
        case id, name, region, dropletIDs = "dropletIds", description, sizeGigabytes, createdAt, filesystemType, tags
    }
}
