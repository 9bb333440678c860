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
    public struct Run: Codable, Sendable {
        package let run: SyncRun

        /// Wraps a run.
        public init(run: SyncRun) { self.run = run }

        private enum Keys: String, CodingKey {
            case id, trigger, holder, status, startedAt = "started_at", finishedAt = "finished_at", kinds, requests, errors, added, changed
            case unchanged, deleted, missing
        }

        /// Reads what ``encode(to:)`` wrote (the remote CLI); the totals are recomputed from the kinds.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            let text = try c.decode(String.self, forKey: .id)
            guard let id = UUID(uuidString: text) else {
                throw DecodingError.dataCorruptedError(forKey: .id, in: c, debugDescription: "'\(text)' is not a UUID")
            }
            let statusText = try c.decode(String.self, forKey: .status)
            guard let status = SyncRun.Status(rawValue: statusText) else {
                throw DecodingError.dataCorruptedError(forKey: .status, in: c, debugDescription: "'\(statusText)' is not a sync status")
            }
            run = SyncRun(
                id: id, trigger: try c.decode(String.self, forKey: .trigger), holder: try c.decode(String.self, forKey: .holder), status: status,
                startedAt: try c.decode(Date.self, forKey: .startedAt), finishedAt: try c.decodeIfPresent(Date.self, forKey: .finishedAt),
                kinds: try c.decode([String: SyncKindCounts].self, forKey: .kinds), requests: try c.decode(Int.self, forKey: .requests),
                errors: try c.decode([SyncFailure].self, forKey: .errors))
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
    public struct Resource: Codable, Sendable {
        package let resource: CloudResource

        /// Wraps a row.
        public init(resource: CloudResource) { self.resource = resource }

        private enum Keys: String, CodingKey {
            case kind, providerID = "provider_id", name, region, sizeSlug = "size_slug", status, tags, managed, attributes
            case creatingSagaID = "creating_saga_id", deploymentID = "deployment_id", tenantID = "tenant_id", hourlyPrice = "hourly_price"
            case firstSeenAt = "first_seen_at", lastSeenAt = "last_seen_at", deletedAt = "deleted_at", missedSyncs = "missed_syncs"
        }

        /// Reads what ``encode(to:)`` wrote (the remote CLI).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            let price = try c.decodeIfPresent(String.self, forKey: .hourlyPrice)
            resource = CloudResource(
                kind: try c.decode(String.self, forKey: .kind), providerID: try c.decode(String.self, forKey: .providerID),
                name: try c.decode(String.self, forKey: .name), region: try c.decodeIfPresent(String.self, forKey: .region),
                sizeSlug: try c.decodeIfPresent(String.self, forKey: .sizeSlug), status: try c.decodeIfPresent(String.self, forKey: .status),
                tags: try c.decode([String].self, forKey: .tags), attributes: try c.decode([String: JSONValue].self, forKey: .attributes),
                managed: try c.decode(Bool.self, forKey: .managed),
                creatingSagaID: try c.decodeIfPresent(String.self, forKey: .creatingSagaID).flatMap(UUID.init(uuidString:)),
                deploymentID: try c.decodeIfPresent(String.self, forKey: .deploymentID),
                tenantID: try c.decodeIfPresent(String.self, forKey: .tenantID),
                hourlyPrice: price.flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) },
                missedSyncs: try c.decode(Int.self, forKey: .missedSyncs), firstSeenAt: try c.decode(Date.self, forKey: .firstSeenAt),
                lastSeenAt: try c.decode(Date.self, forKey: .lastSeenAt), deletedAt: try c.decodeIfPresent(Date.self, forKey: .deletedAt))
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
