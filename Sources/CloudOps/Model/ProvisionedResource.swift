import Foundation
import SagaEngine

/// The desired state of a resource Arcadia provisioned (`cloud_provisioned`): the spec it asked
/// DigitalOcean for, which drift detection compares with what exists.
public struct ProvisionedResource: Sendable, Hashable {
    public var provider: String
    public var kind: String
    public var providerID: String
    /// What was asked for: size, region, image, tags for a droplet; type, name, data, ttl for a record.
    public var spec: [String: JSONValue]
    /// Starts at 1 and grows by one each time the spec changes.
    public var specVersion: Int
    /// The saga that provisioned (or last changed) it.
    public var sagaID: UUID
    public var deploymentID: String?
    public var createdAt: Date
    public var updatedAt: Date

    /// Creates a row.
    public init(
        provider: String = "digitalocean", kind: String, providerID: String, spec: [String: JSONValue], specVersion: Int = 1, sagaID: UUID,
        deploymentID: String? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.provider = provider
        self.kind = kind
        self.providerID = providerID
        self.spec = spec
        self.specVersion = specVersion
        self.sagaID = sagaID
        self.deploymentID = deploymentID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
