import Foundation

/// A cloud firewall. The spec requires none of its fields; only the id (its identity) is
/// required here, so a firewall listed without `status` or rules still decodes.
public struct Firewall: Decodable, Sendable, Hashable, Identifiable {
    public var id: String
    public var name: String?
    /// `waiting`, `succeeded` or `failed`.
    public var status: String?
    public var createdAt: Date?
    public var dropletIDs: [Int]
    public var tags: [String]
    public var inboundRules: [FirewallRule]
    public var outboundRules: [FirewallRule]

    private enum CodingKeys: String, CodingKey {
        case id, name, status, createdAt, dropletIDs = "dropletIds", tags, inboundRules, outboundRules
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
        dropletIDs = try container.decodeIfPresent([Int].self, forKey: .dropletIDs) ?? []
        tags = try container.decodeIfPresent([String].self, forKey: .tags) ?? []
        inboundRules = try container.decodeIfPresent([FirewallRule].self, forKey: .inboundRules) ?? []
        outboundRules = try container.decodeIfPresent([FirewallRule].self, forKey: .outboundRules) ?? []
    }
}
