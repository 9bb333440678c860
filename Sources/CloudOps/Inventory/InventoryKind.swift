import DigitalOcean
import Foundation
import SagaEngine

/// One kind of DigitalOcean resource the inventory syncs: how to list it as inventory rows, and
/// how to look one up by id (to confirm a 404) where DigitalOcean has a GET for it.
public struct InventoryKind: Sendable {
    /// `cloud_resources.kind`.
    public let name: String
    let list: @Sendable (InventoryListing) async throws -> [CloudResource]
    let exists: (@Sendable (DigitalOceanClient, String) async throws -> Bool)?

    init(
        _ name: String, exists: (@Sendable (DigitalOceanClient, String) async throws -> Bool)? = nil,
        list: @escaping @Sendable (InventoryListing) async throws -> [CloudResource]
    ) {
        self.name = name
        self.list = list
        self.exists = exists
    }

    /// The names of every kind, in sync order.
    public static var names: [String] { all.map(\.name) }

    /// Runs `get`, answering false on a 404.
    static func found(_ get: () async throws -> Void) async throws -> Bool {
        do {
            try await get()
            return true
        } catch let error as DigitalOceanError where error.isNotFound {
            return false
        }
    }
}

extension CloudResource {
    /// A row as a listing shows it, with the saga, deployment and tenant its tags name.
    static func listed(
        _ kind: String, id: String, name: String, region: String? = nil, size: String? = nil, status: String? = nil, tags: [String] = [],
        attributes: [String: JSONValue] = [:], createdAt: Date? = nil, price: Decimal? = nil, seenAt: Date
    ) -> CloudResource {
        var attributes = attributes
        if let createdAt { attributes["created_at"] = .string(createdAt.formatted(.iso8601)) }
        if let prefix = CloudTags.sagaPrefix(in: tags) { attributes["saga_tag"] = .string(prefix) }
        let deployment = tags.first { $0.hasPrefix("deployment:") }.map { String($0.dropFirst("deployment:".count)) }
        let tenant = tags.first { $0.hasPrefix("tenant:") }.map { String($0.dropFirst("tenant:".count)) }
        return CloudResource(
            kind: kind, providerID: id, name: name, region: region, sizeSlug: size, status: status, tags: tags, attributes: attributes,
            managed: tags.contains(CloudTags.managed), deploymentID: deployment, tenantID: tenant, hourlyPrice: price, firstSeenAt: seenAt,
            lastSeenAt: seenAt)
    }
}
