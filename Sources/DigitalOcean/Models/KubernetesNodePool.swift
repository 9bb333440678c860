import Foundation

/// A pool of equally sized worker nodes of a Kubernetes cluster; each node is a droplet.
public struct KubernetesNodePool: Decodable, Sendable, Hashable, Identifiable {
    public var id: String
    public var name: String?
    /// The droplet size slug of every node.
    public var size: String?
    /// The number of nodes wanted.
    public var count: Int?
    public var tags: [String]
    public var autoScale: Bool?
    public var minNodes: Int?
    public var maxNodes: Int?
    /// The nodes there are (absent in some answers: empty then).
    public var nodes: [Node]

    /// One worker node.
    public struct Node: Decodable, Sendable, Hashable, Identifiable {
        public var id: String?
        public var name: String?
        public var status: Status?
        /// The id of the node's droplet, as a string.
        public var dropletID: String?
        public var createdAt: Date?
        public var updatedAt: Date?

        /// The node's state: `provisioning`, `running`, `draining` or `deleting`.
        public struct Status: Decodable, Sendable, Hashable {
            public var state: String?
        }

        private enum CodingKeys: String, CodingKey { case id, name, status, dropletID = "dropletId", createdAt, updatedAt }
    }

    private enum CodingKeys: String, CodingKey { case id, name, size, count, tags, autoScale, minNodes, maxNodes, nodes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        size = try container.decodeIfPresent(String.self, forKey: .size)
        count = try container.decodeIfPresent(Int.self, forKey: .count)
        tags = try container.decodeListIfPresent([String].self, forKey: .tags)
        autoScale = try container.decodeIfPresent(Bool.self, forKey: .autoScale)
        minNodes = try container.decodeIfPresent(Int.self, forKey: .minNodes)
        maxNodes = try container.decodeIfPresent(Int.self, forKey: .maxNodes)
        nodes = try container.decodeListIfPresent([Node].self, forKey: .nodes)
    }
}
