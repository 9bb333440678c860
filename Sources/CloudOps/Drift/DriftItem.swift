import Foundation

/// One resource whose actual state differs from Arcadia's desired state.
public struct DriftItem: Sendable, Hashable, Codable {
    public var kind: String
    /// DigitalOcean's id; for a DNS record in desired state, `domain/TYPE/name`.
    public var providerID: String
    public var name: String
    public var deploymentID: String?
    /// The saga that provisioned it (missing, changed) or the `arcadia-saga-…` tag prefix (orphaned).
    public var saga: String?
    /// The fields that differ (changed only).
    public var changes: [DriftChange]
    /// What happened, in a sentence.
    public var detail: String

    /// Creates an item.
    public init(
        kind: String, providerID: String, name: String, deploymentID: String? = nil, saga: String? = nil, changes: [DriftChange] = [],
        detail: String
    ) {
        self.kind = kind
        self.providerID = providerID
        self.name = name
        self.deploymentID = deploymentID
        self.saga = saga
        self.changes = changes
        self.detail = detail
    }

    private enum CodingKeys: String, CodingKey {
        case kind, providerID = "provider_id", name, deploymentID = "deployment_id", saga, changes, detail
    }
}
