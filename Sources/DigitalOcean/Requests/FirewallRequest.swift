/// The body of a firewall create (`POST`) or full update (`PUT`).
public struct FirewallRequest: Encodable, Sendable, Hashable {
    public var name: String
    public var inboundRules: [FirewallRule]
    public var outboundRules: [FirewallRule]
    public var dropletIDs: [Int]
    public var tags: [String]

    /// Creates a request.
    public init(
        name: String, inboundRules: [FirewallRule] = [], outboundRules: [FirewallRule] = [], dropletIDs: [Int] = [], tags: [String] = []
    ) {
        self.name = name
        self.inboundRules = inboundRules
        self.outboundRules = outboundRules
        self.dropletIDs = dropletIDs
        self.tags = tags
    }

    private enum CodingKeys: String, CodingKey { case name, inboundRules, outboundRules, dropletIDs = "dropletIds", tags }
}
