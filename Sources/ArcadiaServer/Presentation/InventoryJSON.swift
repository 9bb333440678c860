public import CloudOps
public import Foundation
import SagaEngine

/// The JSON the inventory and drift commands print and the API answers (snake_case keys, ISO 8601
/// dates).
public enum InventoryJSON {
    /// Pretty JSON text of a value.
    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }

    /// A sync run with its totals beside the counts per kind.
    public struct Run: Encodable, Sendable {
        let run: SyncRun

        /// Wraps a run.
        public init(run: SyncRun) { self.run = run }

        private enum Keys: String, CodingKey {
            case id, trigger, holder, status, startedAt = "started_at", finishedAt = "finished_at", kinds, requests, errors, added, changed
            case unchanged, deleted, missing
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            let totals = run.totals
            try c.encode(run.id.uuidString.lowercased(), forKey: .id)
            try c.encode(run.trigger, forKey: .trigger)
            try c.encode(run.holder, forKey: .holder)
            try c.encode(run.status.rawValue, forKey: .status)
            try c.encode(run.startedAt, forKey: .startedAt)
            try c.encodeIfPresent(run.finishedAt, forKey: .finishedAt)
            try c.encode(run.kinds, forKey: .kinds)
            try c.encode(run.requests, forKey: .requests)
            try c.encode(run.errors, forKey: .errors)
            try c.encode(totals.added, forKey: .added)
            try c.encode(totals.changed, forKey: .changed)
            try c.encode(totals.unchanged, forKey: .unchanged)
            try c.encode(totals.deleted, forKey: .deleted)
            try c.encode(totals.missing, forKey: .missing)
        }
    }

    /// One inventory row.
    public struct Resource: Encodable, Sendable {
        let resource: CloudResource

        /// Wraps a row.
        public init(resource: CloudResource) { self.resource = resource }

        private enum Keys: String, CodingKey {
            case kind, providerID = "provider_id", name, region, sizeSlug = "size_slug", status, tags, managed, attributes
            case creatingSagaID = "creating_saga_id", deploymentID = "deployment_id", tenantID = "tenant_id", hourlyPrice = "hourly_price"
            case firstSeenAt = "first_seen_at", lastSeenAt = "last_seen_at", deletedAt = "deleted_at", missedSyncs = "missed_syncs"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            let r = resource
            try c.encode(r.kind, forKey: .kind)
            try c.encode(r.providerID, forKey: .providerID)
            try c.encode(r.name, forKey: .name)
            try c.encode(r.region, forKey: .region)
            try c.encode(r.sizeSlug, forKey: .sizeSlug)
            try c.encode(r.status, forKey: .status)
            try c.encode(r.tags, forKey: .tags)
            try c.encode(r.managed, forKey: .managed)
            try c.encode(JSONValue.object(r.attributes), forKey: .attributes)
            try c.encode(r.creatingSagaID?.uuidString.lowercased(), forKey: .creatingSagaID)
            try c.encode(r.deploymentID, forKey: .deploymentID)
            try c.encode(r.tenantID, forKey: .tenantID)
            // A string: the exact decimal, never a binary float.
            try c.encode(r.hourlyPrice.map { "\($0)" }, forKey: .hourlyPrice)
            try c.encode(r.firstSeenAt, forKey: .firstSeenAt)
            try c.encode(r.lastSeenAt, forKey: .lastSeenAt)
            try c.encode(r.deletedAt, forKey: .deletedAt)
            try c.encode(r.missedSyncs, forKey: .missedSyncs)
        }
    }
}
