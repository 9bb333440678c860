import Foundation
import SagaEngine

/// One resource in the DigitalOcean account as Arcadia's inventory knows it (`cloud_resources`).
public struct CloudResource: Sendable, Hashable {
    /// `digitalocean`.
    public var provider: String
    /// `droplet`, `snapshot`, `domain_record`, ….
    public var kind: String
    /// DigitalOcean's id (a number for droplets, `domain/type/name` for DNS records).
    public var providerID: String
    public var name: String
    public var region: String?
    public var sizeSlug: String?
    public var status: String?
    public var tags: [String]
    /// Kind-specific details (image, IP addresses, record data, …).
    public var attributes: [String: JSONValue]
    /// Tagged `managed-by-arcadia-cloud`.
    public var managed: Bool
    /// The saga that created it (from its `arcadia-saga-…` tag or the step that registered it).
    public var creatingSagaID: UUID?
    public var deploymentID: String?
    public var tenantID: String?
    /// What DigitalOcean charges for it per hour (from `/v2/sizes`, or per GB-month for snapshots
    /// and volumes); nil when the kind has no price Arcadia knows.
    public var hourlyPrice: Decimal?
    /// Consecutive successful syncs whose listing did not show it (deleted at two).
    public var missedSyncs: Int
    public var firstSeenAt: Date
    public var lastSeenAt: Date
    public var deletedAt: Date?

    /// Creates a resource row.
    public init(
        provider: String = "digitalocean", kind: String, providerID: String, name: String, region: String? = nil, sizeSlug: String? = nil,
        status: String? = nil, tags: [String] = [], attributes: [String: JSONValue] = [:], managed: Bool = false,
        creatingSagaID: UUID? = nil, deploymentID: String? = nil, tenantID: String? = nil, hourlyPrice: Decimal? = nil, missedSyncs: Int = 0,
        firstSeenAt: Date, lastSeenAt: Date, deletedAt: Date? = nil
    ) {
        self.provider = provider
        self.kind = kind
        self.providerID = providerID
        self.name = name
        self.region = region
        self.sizeSlug = sizeSlug
        self.status = status
        self.tags = tags
        self.attributes = attributes
        self.managed = managed
        self.creatingSagaID = creatingSagaID
        self.deploymentID = deploymentID
        self.tenantID = tenantID
        self.hourlyPrice = hourlyPrice
        self.missedSyncs = missedSyncs
        self.firstSeenAt = firstSeenAt
        self.lastSeenAt = lastSeenAt
        self.deletedAt = deletedAt
    }
}

extension CloudResource {
    /// Whether a fresh listing shows the same resource: every field a sync writes, apart from the
    /// times and the bookkeeping (`missedSyncs`, `deletedAt`). Saga and deployment only count when
    /// the listing knows them (a registered droplet keeps the saga the step wrote).
    public func sameContent(as other: CloudResource) -> Bool {
        name == other.name && region == other.region && sizeSlug == other.sizeSlug && status == other.status && tags == other.tags
            && attributes == other.attributes && managed == other.managed && hourlyPrice == other.hourlyPrice
            && (other.creatingSagaID == nil || creatingSagaID == other.creatingSagaID)
            && (other.deploymentID == nil || deploymentID == other.deploymentID) && (other.tenantID == nil || tenantID == other.tenantID)
    }
}
