import Foundation

/// A cloud firewall.
public struct Firewall: Decodable, Sendable, Hashable, Identifiable {
    public var id: String
    public var name: String
    /// `waiting`, `succeeded` or `failed`.
    public var status: String
    public var createdAt: Date
    public var dropletIDs: [Int]
    public var tags: [String]
    public var inboundRules: [FirewallRule]
    public var outboundRules: [FirewallRule]

    private enum CodingKeys: String, CodingKey {
        case id, name, status, createdAt, dropletIDs = "dropletIds", tags, inboundRules, outboundRules
    }
}
