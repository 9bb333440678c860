/// One inbound or outbound firewall rule. Inbound rules use `sources`, outbound rules
/// `destinations`.
public struct FirewallRule: Codable, Sendable, Hashable {
    /// `tcp`, `udp` or `icmp`.
    public var `protocol`: String
    /// `"22"`, `"8000-9000"`, or `"0"` for all ports.
    public var ports: String
    public var sources: Targets?
    public var destinations: Targets?

    /// Where traffic may come from or go to.
    public struct Targets: Codable, Sendable, Hashable {
        public var addresses: [String]?
        public var dropletIDs: [Int]?
        public var tags: [String]?

        /// Creates targets.
        public init(addresses: [String]? = nil, dropletIDs: [Int]? = nil, tags: [String]? = nil) {
            self.addresses = addresses
            self.dropletIDs = dropletIDs
            self.tags = tags
        }

        private enum CodingKeys: String, CodingKey { case addresses, dropletIDs = "dropletIds", tags }
    }

    /// Creates a rule.
    public init(protocol: String, ports: String, sources: Targets? = nil, destinations: Targets? = nil) {
        self.protocol = `protocol`
        self.ports = ports
        self.sources = sources
        self.destinations = destinations
    }
}
