import Foundation

/// An image: a distribution, an application, a snapshot or a backup.
public struct Image: Decodable, Sendable, Hashable, Identifiable {
    public var id: Int
    public var name: String?
    /// `base`, `snapshot`, `backup`, `custom` or `admin`.
    public var type: String?
    public var distribution: String?
    public var slug: String?
    public var `public`: Bool?
    /// Regions it is available in (absent in some listings: empty then).
    public var regions: [String]
    public var createdAt: Date?
    public var minDiskSize: Int?
    public var sizeGigabytes: Decimal?
    public var description: String?
    public var tags: [String]?
    public var status: String?

    private enum CodingKeys: String, CodingKey {
        case id, name, type, distribution, slug, `public`, regions, createdAt, minDiskSize, sizeGigabytes, description, tags, status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        distribution = try container.decodeIfPresent(String.self, forKey: .distribution)
        slug = try container.decodeIfPresent(String.self, forKey: .slug)
        `public` = try container.decodeIfPresent(Bool.self, forKey: .public)
        regions = try container.decodeIfPresent([String].self, forKey: .regions) ?? []
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
        minDiskSize = try container.decodeIfPresent(Int.self, forKey: .minDiskSize)
        sizeGigabytes = try container.decodeIfPresent(Decimal.self, forKey: .sizeGigabytes)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        tags = try container.decodeIfPresent([String].self, forKey: .tags)
        status = try container.decodeIfPresent(String.self, forKey: .status)
    }
}
