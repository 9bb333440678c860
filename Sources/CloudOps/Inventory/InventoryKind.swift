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
    /// Its ids are names or addresses that a new object may take again (and it has no
    /// `created_at` to tell): seen after it was marked deleted, it counts as a new object.
    let reusesIDs: Bool

    init(
        _ name: String, reusesIDs: Bool = false, exists: (@Sendable (DigitalOceanClient, String) async throws -> Bool)? = nil,
        list: @escaping @Sendable (InventoryListing) async throws -> [CloudResource]
    ) {
        self.name = name
        self.list = list
        self.exists = exists
        self.reusesIDs = reusesIDs
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
        let region = region.flatMap { $0.isEmpty ? nil : $0 }
        let size = size.flatMap { $0.isEmpty ? nil : $0 }
        let status = status.flatMap { $0.isEmpty ? nil : $0 }
        if let createdAt { attributes["created_at"] = .string(createdAt.formatted(.iso8601)) }
        if let prefix = CloudTags.sagaPrefix(in: tags) { attributes["saga_tag"] = .string(prefix) }
        let deployment = tags.first { $0.hasPrefix("deployment:") && $0.count > "deployment:".count }
            .map { String($0.dropFirst("deployment:".count)) }
        let tenant = tags.first { $0.hasPrefix("tenant:") && $0.count > "tenant:".count }.map { String($0.dropFirst("tenant:".count)) }
        return CloudResource(
            kind: kind, providerID: id, name: name, region: region, sizeSlug: size, status: status, tags: tags, attributes: attributes,
            managed: tags.contains(CloudTags.managed), deploymentID: deployment, tenantID: tenant, hourlyPrice: price, firstSeenAt: seenAt,
            lastSeenAt: seenAt)
    }
}
