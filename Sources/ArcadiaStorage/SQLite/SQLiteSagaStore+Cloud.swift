import CloudOps
import Foundation
import SQLiteNIO
import SagaEngine

/// The inventory and desired state on SQLite (`cloud_resources`, `cloud_provisioned`).
extension SQLiteSagaStore: CloudStore {
    static let resourceColumns = """
        provider, kind, provider_id, name, region, size_slug, status, tags, attributes, managed, creating_saga_id,
        deployment_id, tenant_id, hourly_price, missed_syncs, first_seen_at, last_seen_at, deleted_at
        """

    static let provisionedColumns = "provider, kind, provider_id, spec, spec_version, saga_id, deployment_id, created_at, updated_at"

    package func upsertResource(_ resource: CloudResource) async throws {
        let binds: [SQLiteData] = [
            .text(resource.provider), .text(resource.kind), .text(resource.providerID), .text(resource.name), .optionalText(resource.region),
            .optionalText(resource.sizeSlug), .optionalText(resource.status), try .json(resource.tags), try .json(resource.attributes),
            .integer(resource.managed ? 1 : 0), resource.creatingSagaID.map { .uuid($0) } ?? .null, .optionalText(resource.deploymentID),
            .optionalText(resource.tenantID), .date(resource.firstSeenAt), .date(resource.lastSeenAt), resource.deletedAt.map { .date($0) } ?? .null,
            .optionalText(resource.hourlyPrice.map { "\($0)" }),
        ]
        try await db.transaction { c in
            try c.execute(
                """
                INSERT INTO cloud_resources (provider, kind, provider_id, name, region, size_slug, status, tags, attributes, managed,
                    creating_saga_id, deployment_id, tenant_id, first_seen_at, last_seen_at, deleted_at, hourly_price)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
                ON CONFLICT (provider, kind, provider_id) DO UPDATE SET
                    name = excluded.name, region = excluded.region, size_slug = excluded.size_slug, status = excluded.status,
                    tags = excluded.tags, attributes = excluded.attributes, managed = excluded.managed,
                    creating_saga_id = COALESCE(excluded.creating_saga_id, cloud_resources.creating_saga_id),
                    deployment_id = COALESCE(excluded.deployment_id, cloud_resources.deployment_id),
                    tenant_id = COALESCE(excluded.tenant_id, cloud_resources.tenant_id),
                    hourly_price = COALESCE(excluded.hourly_price, cloud_resources.hourly_price), missed_syncs = 0,
                    last_seen_at = MAX(cloud_resources.last_seen_at, excluded.last_seen_at), deleted_at = excluded.deleted_at
                """, binds)
            if resource.deletedAt == nil {
                try c.execute(
                    """
                    INSERT INTO cloud_presence (provider, kind, provider_id, started_at)
                    SELECT ?1, ?2, ?3, MAX(?4, COALESCE((
                        SELECT MAX(ended_at) FROM cloud_presence WHERE provider = ?1 AND kind = ?2 AND provider_id = ?3), ?4))
                    WHERE true
                    ON CONFLICT (provider, kind, provider_id) WHERE ended_at IS NULL DO NOTHING
                    """, [.text(resource.provider), .text(resource.kind), .text(resource.providerID), .date(resource.presenceStart)])
            }
        }
    }

    package func resource(kind: String, providerID: String) async throws -> CloudResource? {
        try await db.perform { c in
            try c.rows(
                "SELECT \(Self.resourceColumns) FROM cloud_resources WHERE provider = 'digitalocean' AND kind = ?1 AND provider_id = ?2",
                [.text(kind), .text(providerID)]
            ).first.map(Self.decodeResource)
        }
    }

    package func markResourceDeleted(kind: String, providerID: String, at: Date) async throws {
        try await db.transaction { c in
            try c.execute(
                """
                UPDATE cloud_resources SET deleted_at = ?3, status = 'deleted'
                WHERE provider = 'digitalocean' AND kind = ?1 AND provider_id = ?2 AND deleted_at IS NULL
                """, [.text(kind), .text(providerID), .date(at)])
            try c.execute(
                """
                UPDATE cloud_presence SET ended_at = MAX(started_at, ?3)
                WHERE provider = 'digitalocean' AND kind = ?1 AND provider_id = ?2 AND ended_at IS NULL
                """, [.text(kind), .text(providerID), .date(at)])
        }
    }

    package func putProvisioned(_ resource: ProvisionedResource) async throws {
        let binds: [SQLiteData] = [
            .text(resource.provider), .text(resource.kind), .text(resource.providerID), try .json(resource.spec), .uuid(resource.sagaID),
            .optionalText(resource.deploymentID), .date(resource.createdAt), .date(resource.updatedAt),
        ]
        try await db.transaction { c in
            try c.execute(
                """
                INSERT INTO cloud_provisioned (provider, kind, provider_id, spec, spec_version, saga_id, deployment_id, created_at, updated_at)
                VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8)
                ON CONFLICT (provider, kind, provider_id) DO UPDATE SET
                    spec = excluded.spec, saga_id = excluded.saga_id, deployment_id = excluded.deployment_id, updated_at = excluded.updated_at,
                    spec_version = cloud_provisioned.spec_version + CASE WHEN cloud_provisioned.spec = excluded.spec THEN 0 ELSE 1 END
                """, binds)
        }
    }

    package func provisioned(kind: String, providerID: String) async throws -> ProvisionedResource? {
        try await db.perform { c in
            try c.rows(
                "SELECT \(Self.provisionedColumns) FROM cloud_provisioned WHERE provider = 'digitalocean' AND kind = ?1 AND provider_id = ?2",
                [.text(kind), .text(providerID)]
            ).first.map(Self.decodeProvisioned)
        }
    }

    package func provisioned(deploymentID: String) async throws -> [ProvisionedResource] {
        try await db.perform { c in
            try c.rows(
                "SELECT \(Self.provisionedColumns) FROM cloud_provisioned WHERE deployment_id = ?1 ORDER BY kind, provider_id", [.text(deploymentID)]
            ).map(Self.decodeProvisioned)
        }
    }

    package func removeProvisioned(kind: String, providerID: String) async throws {
        try await db.transaction { c in
            try c.execute(
                "DELETE FROM cloud_provisioned WHERE provider = 'digitalocean' AND kind = ?1 AND provider_id = ?2", [.text(kind), .text(providerID)])
        }
    }

    static func decodeResource(_ row: SQLiteDatabase.Row) throws -> CloudResource {
        func text(_ name: String) throws -> String {
            guard let value = row.column(name)?.string else { throw corrupt("cloud_resources.\(name) is missing") }
            return value
        }
        func optionalText(_ name: String) -> String? {
            guard let data = row.column(name), !data.isNull else { return nil }
            return data.string
        }
        func date(_ name: String) -> Date? {
            guard let data = row.column(name), !data.isNull, let seconds = data.double else { return nil }
            return Date(timeIntervalSince1970: seconds)
        }
        return CloudResource(
            provider: try text("provider"), kind: try text("kind"), providerID: try text("provider_id"), name: try text("name"),
            region: optionalText("region"), sizeSlug: optionalText("size_slug"), status: optionalText("status"),
            tags: try JSONDecoder().decode([String].self, from: Data(try text("tags").utf8)),
            attributes: try JSONValue.decodeObject(try text("attributes")), managed: row.column("managed")?.integer == 1,
            creatingSagaID: optionalText("creating_saga_id").flatMap(UUID.init(uuidString:)), deploymentID: optionalText("deployment_id"),
            tenantID: optionalText("tenant_id"), hourlyPrice: optionalText("hourly_price").flatMap { Decimal(string: $0) },
            missedSyncs: row.column("missed_syncs")?.integer ?? 0, firstSeenAt: date("first_seen_at") ?? .distantPast,
            lastSeenAt: date("last_seen_at") ?? .distantPast,
            deletedAt: date("deleted_at"))
    }

    static func decodeProvisioned(_ row: SQLiteDatabase.Row) throws -> ProvisionedResource {
        func text(_ name: String) throws -> String {
            guard let value = row.column(name)?.string else { throw corrupt("cloud_provisioned.\(name) is missing") }
            return value
        }
        func date(_ name: String) throws -> Date {
            guard let seconds = row.column(name)?.double else { throw corrupt("cloud_provisioned.\(name) is missing") }
            return Date(timeIntervalSince1970: seconds)
        }
        guard let saga = UUID(uuidString: try text("saga_id")) else { throw corrupt("cloud_provisioned.saga_id is not a UUID") }
        let deployment = row.column("deployment_id").flatMap { $0.isNull ? nil : $0.string }
        return ProvisionedResource(
            provider: try text("provider"), kind: try text("kind"), providerID: try text("provider_id"),
            spec: try JSONValue.decodeObject(try text("spec")), specVersion: row.column("spec_version")?.integer ?? 1, sagaID: saga,
            deploymentID: deployment, createdAt: try date("created_at"), updatedAt: try date("updated_at"))
    }
}
