import Foundation

/// A virtual private cloud: a private network of one region.
public struct VPC: Decodable, Sendable, Hashable, Identifiable {
    public var id: String
    public var name: String?
    public var description: String?
    /// The region's slug.
    public var region: String?
    /// The private range in CIDR notation (`10.10.10.0/24`).
    public var ipRange: String?
    /// Whether this is the region's default VPC (new resources join it unless told otherwise).
    public var isDefault: Bool?
    /// `do:vpc:{id}`.
    public var urn: String?
    public var createdAt: Date?

    private enum CodingKeys: String, CodingKey { case id, name, description, region, ipRange, isDefault = "default", urn, createdAt }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        region = try container.decodeRegionSlugIfPresent(forKey: .region)
        ipRange = try container.decodeIfPresent(String.self, forKey: .ipRange)
        isDefault = try container.decodeIfPresent(Bool.self, forKey: .isDefault)
        urn = try container.decodeIfPresent(String.self, forKey: .urn)
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
    }
}
