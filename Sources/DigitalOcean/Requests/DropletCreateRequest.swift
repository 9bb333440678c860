/// The body of `POST /v2/droplets` for one droplet.
///
/// DigitalOcean has no idempotency key for creates and droplet names are not unique: put a
/// unique tag in ``tags`` so that after an ambiguous failure a `droplets(tagName:)` lookup
/// tells whether the droplet exists before creating again.
public struct DropletCreateRequest: Encodable, Sendable, Hashable {
    public var name: String
    public var region: String?
    public var size: String
    public var image: ImageReference
    public var sshKeys: [String]?
    public var backups: Bool?
    public var ipv6: Bool?
    public var monitoring: Bool?
    public var tags: [String]?
    public var userData: String?
    public var vpcUUID: String?
    public var volumes: [String]?

    /// Creates a request.
    public init(
        name: String, region: String?, size: String, image: ImageReference, sshKeys: [String]? = nil, backups: Bool? = nil,
        ipv6: Bool? = nil, monitoring: Bool? = nil, tags: [String]? = nil, userData: String? = nil, vpcUUID: String? = nil,
        volumes: [String]? = nil
    ) {
        self.name = name
        self.region = region
        self.size = size
        self.image = image
        self.sshKeys = sshKeys
        self.backups = backups
        self.ipv6 = ipv6
        self.monitoring = monitoring
        self.tags = tags
        self.userData = userData
        self.vpcUUID = vpcUUID
        self.volumes = volumes
    }

    private enum CodingKeys: String, CodingKey {
        case name, region, size, image, sshKeys, backups, ipv6, monitoring, tags, userData, vpcUUID = "vpcUuid", volumes
    }
}
