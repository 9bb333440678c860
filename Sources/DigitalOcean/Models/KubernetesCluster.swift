import Foundation

/// A managed Kubernetes (DOKS) cluster with its node pools.
public struct KubernetesCluster: Decodable, Sendable, Hashable, Identifiable {
    public var id: String
    public var name: String?
    /// The region's slug.
    public var region: String?
    /// `1.31.1-do.0`.
    public var version: String?
    public var status: Status?
    public var tags: [String]
    public var nodePools: [KubernetesNodePool]
    public var vpcUUID: String?
    /// The API server's URL.
    public var endpoint: String?
    public var ipv4: String?
    public var createdAt: Date?
    public var updatedAt: Date?

    /// Where the cluster is in its life.
    public struct Status: Decodable, Sendable, Hashable {
        /// `running`, `provisioning`, `degraded`, `error`, `deleted`, `upgrading` or `deleting`.
        public var state: String?
        public var message: String?
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, region, version, status, tags, nodePools, vpcUUID = "vpcUuid", endpoint, ipv4, createdAt, updatedAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        region = try container.decodeRegionSlugIfPresent(forKey: .region)
        version = try container.decodeIfPresent(String.self, forKey: .version)
        status = try container.decodeIfPresent(Status.self, forKey: .status)
        tags = try container.decodeListIfPresent([String].self, forKey: .tags)
        nodePools = try container.decodeListIfPresent([KubernetesNodePool].self, forKey: .nodePools)
        vpcUUID = try container.decodeIfPresent(String.self, forKey: .vpcUUID)
        endpoint = try container.decodeIfPresent(String.self, forKey: .endpoint)
        ipv4 = try container.decodeIfPresent(String.self, forKey: .ipv4)
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
        updatedAt = try container.decodeIfPresent(Date.self, forKey: .updatedAt)
    }
}
