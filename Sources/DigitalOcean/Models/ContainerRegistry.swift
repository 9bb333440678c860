import Foundation

/// The account's container registry (at most one per account), identified by its name.
public struct ContainerRegistry: Decodable, Sendable, Hashable, Identifiable {
    public var name: String
    /// The region's slug.
    public var region: String?
    public var storageUsageBytes: Int?
    public var storageUsageBytesUpdatedAt: Date?
    public var createdAt: Date?
    public var subscription: Subscription?

    /// The registry's name is its identity.
    public var id: String { name }

    /// The plan the registry is billed on.
    public struct Subscription: Decodable, Sendable, Hashable {
        public var tier: Tier?
        public var createdAt: Date?
        public var updatedAt: Date?

        /// A plan: `starter`, `basic` or `professional`.
        public struct Tier: Decodable, Sendable, Hashable {
            public var name: String?
            public var slug: String?
            public var includedRepositories: Int?
            public var includedStorageBytes: Int?
            public var monthlyPriceInCents: Int?
        }
    }

    private enum CodingKeys: String, CodingKey { case name, region, storageUsageBytes, storageUsageBytesUpdatedAt, createdAt, subscription }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        region = try container.decodeRegionSlugIfPresent(forKey: .region)
        storageUsageBytes = try container.decodeIfPresent(Int.self, forKey: .storageUsageBytes)
        storageUsageBytesUpdatedAt = try container.decodeIfPresent(Date.self, forKey: .storageUsageBytesUpdatedAt)
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
        subscription = try container.decodeIfPresent(Subscription.self, forKey: .subscription)
    }
}
