import Foundation

/// A managed database cluster. Connection details (with their passwords) are deliberately not
/// decoded: an inventory never holds a credential.
public struct DatabaseCluster: Decodable, Sendable, Hashable, Identifiable {
    public var id: String
    public var name: String?
    /// `pg`, `mysql`, `redis`, `valkey`, `mongodb`, `kafka` or `opensearch`.
    public var engine: String?
    public var version: String?
    /// The node size slug (`db-s-1vcpu-1gb`).
    public var size: String?
    /// The region's slug.
    public var region: String?
    /// `creating`, `online`, `resizing`, `migrating` or `forking`.
    public var status: String?
    public var numNodes: Int?
    public var tags: [String]
    public var createdAt: Date?
    public var storageSizeMib: Int?
    public var privateNetworkUUID: String?
    public var projectID: String?

    private enum CodingKeys: String, CodingKey {
        case id, name, engine, version, size, region, status, numNodes, tags, createdAt, storageSizeMib
        case privateNetworkUUID = "privateNetworkUuid", projectID = "projectId"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        engine = try container.decodeIfPresent(String.self, forKey: .engine)
        version = try container.decodeIfPresent(String.self, forKey: .version)
        size = try container.decodeIfPresent(String.self, forKey: .size)
        region = try container.decodeRegionSlugIfPresent(forKey: .region)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        numNodes = try container.decodeIfPresent(Int.self, forKey: .numNodes)
        tags = try container.decodeListIfPresent([String].self, forKey: .tags)
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
        storageSizeMib = try container.decodeIfPresent(Int.self, forKey: .storageSizeMib)
        privateNetworkUUID = try container.decodeIfPresent(String.self, forKey: .privateNetworkUUID)
        projectID = try container.decodeIfPresent(String.self, forKey: .projectID)
    }
}
