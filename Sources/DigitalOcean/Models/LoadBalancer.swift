import Foundation

/// A load balancer. Only the id (its identity) is required: a load balancer listed without a
/// status, rules or region still decodes.
public struct LoadBalancer: Decodable, Sendable, Hashable, Identifiable {
    public var id: String
    public var name: String?
    /// The region's slug (DigitalOcean sends the whole region object).
    public var region: String?
    /// `lb-small`, `lb-medium` or `lb-large` (older load balancers).
    public var size: String?
    /// The number of nodes (newer load balancers size by unit instead of by slug).
    public var sizeUnit: Int?
    /// `new`, `active` or `errored`.
    public var status: String?
    /// The tag whose droplets are the targets (empty when targets are listed by id).
    public var tag: String?
    public var dropletIDs: [Int]
    public var createdAt: Date?
    /// The public IPv4 address.
    public var ip: String?
    public var vpcUUID: String?
    public var projectID: String?
    public var forwardingRules: [ForwardingRule]

    /// How traffic entering on one port is passed to the targets.
    public struct ForwardingRule: Decodable, Sendable, Hashable {
        /// `http`, `https`, `http2`, `http3`, `tcp` or `udp`.
        public var entryProtocol: String?
        public var entryPort: Int?
        public var targetProtocol: String?
        public var targetPort: Int?
        public var certificateID: String?
        public var tlsPassthrough: Bool?

        private enum CodingKeys: String, CodingKey {
            case entryProtocol, entryPort, targetProtocol, targetPort, certificateID = "certificateId", tlsPassthrough
        }
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, region, size, sizeUnit, status, tag, dropletIDs = "dropletIds", createdAt, ip, vpcUUID = "vpcUuid"
        case projectID = "projectId", forwardingRules
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        region = try container.decodeRegionSlugIfPresent(forKey: .region)
        size = try container.decodeIfPresent(String.self, forKey: .size)
        sizeUnit = try container.decodeIfPresent(Int.self, forKey: .sizeUnit)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        tag = try container.decodeIfPresent(String.self, forKey: .tag)
        dropletIDs = try container.decodeListIfPresent([Int].self, forKey: .dropletIDs)
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
        ip = try container.decodeIfPresent(String.self, forKey: .ip)
        vpcUUID = try container.decodeIfPresent(String.self, forKey: .vpcUUID)
        projectID = try container.decodeIfPresent(String.self, forKey: .projectID)
        forwardingRules = try container.decodeListIfPresent([ForwardingRule].self, forKey: .forwardingRules)
    }
}
