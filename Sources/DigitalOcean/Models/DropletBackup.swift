import Foundation

/// A backup as listed under `/v2/droplets/{id}/backups` (integer ids, like droplet snapshots).
public struct DropletBackup: Decodable, Sendable, Hashable, Identifiable {
    public var id: Int
    public var name: String?
    public var createdAt: Date?
    /// Regions the backup is available in.
    public var regions: [String]
    public var minDiskSize: Int?
    public var sizeGigabytes: Decimal?
    /// `backup`.
    public var type: String?

    private enum CodingKeys: String, CodingKey { case id, name, createdAt, regions, minDiskSize, sizeGigabytes, type }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
        regions = try container.decodeListIfPresent([String].self, forKey: .regions)
        minDiskSize = try container.decodeIfPresent(Int.self, forKey: .minDiskSize)
        sizeGigabytes = try container.decodeIfPresent(Decimal.self, forKey: .sizeGigabytes)
        type = try container.decodeIfPresent(String.self, forKey: .type)
    }
}
