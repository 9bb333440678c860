import CloudOps
import Foundation
import PostgresNIO
import SagaEngine

/// The inventory and desired state on PostgreSQL (`cloud_resources`, `cloud_provisioned`).
extension PostgresSagaStore: CloudStore {
    static let resourceColumns = """
        provider, kind, provider_id, name, region, size_slug, status, tags, attributes::text AS attributes, managed, creating_saga_id,
        deployment_id, tenant_id, hourly_price::text AS hourly_price, missed_syncs, first_seen_at, last_seen_at, deleted_at
        """

    static let provisionedColumns = """
        provider, kind, provider_id, spec::text AS spec, spec_version, saga_id, deployment_id, created_at, updated_at
        """

    package func upsertResource(_ resource: CloudResource) async throws {
        let attributes = try JSONValue.encodeToString(resource.attributes)
        let price = resource.hourlyPrice.map { "\($0)" }
        try await transaction { connection in
            try await self.execute(
                """
                INSERT INTO cloud_resources (provider, kind, provider_id, name, region, size_slug, status, tags, attributes, managed,
                    creating_saga_id, deployment_id, tenant_id, hourly_price, first_seen_at, last_seen_at, deleted_at)
                VALUES (\(resource.provider), \(resource.kind), \(resource.providerID), \(resource.name), \(resource.region),
                    \(resource.sizeSlug), \(resource.status), \(resource.tags), \(attributes)::jsonb, \(resource.managed),
                    \(resource.creatingSagaID), \(resource.deploymentID), \(resource.tenantID), \(price)::numeric, \(resource.firstSeenAt),
                    \(resource.lastSeenAt), \(resource.deletedAt))
                ON CONFLICT (provider, kind, provider_id) DO UPDATE SET
                    name = excluded.name, region = excluded.region, size_slug = excluded.size_slug, status = excluded.status,
                    tags = excluded.tags, attributes = excluded.attributes, managed = excluded.managed,
                    creating_saga_id = COALESCE(excluded.creating_saga_id, cloud_resources.creating_saga_id),
                    deployment_id = COALESCE(excluded.deployment_id, cloud_resources.deployment_id),
                    tenant_id = COALESCE(excluded.tenant_id, cloud_resources.tenant_id),
                    hourly_price = COALESCE(excluded.hourly_price, cloud_resources.hourly_price), missed_syncs = 0,
                    last_seen_at = GREATEST(cloud_resources.last_seen_at, excluded.last_seen_at), deleted_at = excluded.deleted_at
                """, on: connection)
            if resource.deletedAt == nil {
                try await self.execute(
                    """
                    INSERT INTO cloud_presence (provider, kind, provider_id, started_at)
                    SELECT \(resource.provider), \(resource.kind), \(resource.providerID), GREATEST(\(resource.presenceStart)::timestamptz, (
                        SELECT MAX(ended_at) FROM cloud_presence
                        WHERE provider = \(resource.provider) AND kind = \(resource.kind) AND provider_id = \(resource.providerID)))
                    ON CONFLICT (provider, kind, provider_id) WHERE ended_at IS NULL DO NOTHING
                    """, on: connection)
            }
        }
    }

    package func resource(kind: String, providerID: String) async throws -> CloudResource? {
        let rows = try await execute(
            """
            SELECT \(unescaped: Self.resourceColumns) FROM cloud_resources
            WHERE provider = 'digitalocean' AND kind = \(kind) AND provider_id = \(providerID)
            """)
        return try rows.first.map(Self.decodeResource)
    }

    package func markResourceDeleted(kind: String, providerID: String, at: Date) async throws {
        try await transaction { connection in
            try await self.execute(
                """
                UPDATE cloud_resources SET deleted_at = \(at), status = 'deleted'
                WHERE provider = 'digitalocean' AND kind = \(kind) AND provider_id = \(providerID) AND deleted_at IS NULL
                """, on: connection)
            try await self.execute(
                """
                UPDATE cloud_presence SET ended_at = GREATEST(started_at, \(at))
                WHERE provider = 'digitalocean' AND kind = \(kind) AND provider_id = \(providerID) AND ended_at IS NULL
                """, on: connection)
        }
    }

    package func putProvisioned(_ resource: ProvisionedResource) async throws {
        let spec = try JSONValue.encodeToString(resource.spec)
        try await execute(
            """
            INSERT INTO cloud_provisioned (provider, kind, provider_id, spec, spec_version, saga_id, deployment_id, created_at, updated_at)
            VALUES (\(resource.provider), \(resource.kind), \(resource.providerID), \(spec)::jsonb, 1, \(resource.sagaID),
                \(resource.deploymentID), \(resource.createdAt), \(resource.updatedAt))
            ON CONFLICT (provider, kind, provider_id) DO UPDATE SET
                spec = excluded.spec, saga_id = excluded.saga_id, deployment_id = excluded.deployment_id, updated_at = excluded.updated_at,
                spec_version = cloud_provisioned.spec_version + CASE WHEN cloud_provisioned.spec = excluded.spec THEN 0 ELSE 1 END
            """)
    }

    package func provisioned(kind: String, providerID: String) async throws -> ProvisionedResource? {
        let rows = try await execute(
            """
            SELECT \(unescaped: Self.provisionedColumns) FROM cloud_provisioned
            WHERE provider = 'digitalocean' AND kind = \(kind) AND provider_id = \(providerID)
            """)
        return try rows.first.map(Self.decodeProvisioned)
    }

    package func provisioned(deploymentID: String) async throws -> [ProvisionedResource] {
        try await execute(
            """
            SELECT \(unescaped: Self.provisionedColumns) FROM cloud_provisioned WHERE deployment_id = \(deploymentID)
            ORDER BY kind, provider_id
            """
        ).map(Self.decodeProvisioned)
    }

    package func removeProvisioned(kind: String, providerID: String) async throws {
        try await execute(
            "DELETE FROM cloud_provisioned WHERE provider = 'digitalocean' AND kind = \(kind) AND provider_id = \(providerID)")
    }

    static func decodeResource(_ row: PostgresRow) throws -> CloudResource {
        let r = row.makeRandomAccess()
        return CloudResource(
            provider: try r["provider"].decode(String.self), kind: try r["kind"].decode(String.self),
            providerID: try r["provider_id"].decode(String.self), name: try r["name"].decode(String.self),
            region: try r["region"].decode(String?.self), sizeSlug: try r["size_slug"].decode(String?.self),
            status: try r["status"].decode(String?.self), tags: try r["tags"].decode([String].self),
            attributes: try JSONValue.decodeObject(try r["attributes"].decode(String.self)), managed: try r["managed"].decode(Bool.self),
            creatingSagaID: try r["creating_saga_id"].decode(UUID?.self), deploymentID: try r["deployment_id"].decode(String?.self),
            tenantID: try r["tenant_id"].decode(String?.self),
            hourlyPrice: try r["hourly_price"].decode(String?.self).flatMap { Decimal(string: $0) },
            missedSyncs: try r["missed_syncs"].decode(Int.self),
            firstSeenAt: try r["first_seen_at"].decode(Date.self),
            lastSeenAt: try r["last_seen_at"].decode(Date.self), deletedAt: try r["deleted_at"].decode(Date?.self))
    }

    static func decodeProvisioned(_ row: PostgresRow) throws -> ProvisionedResource {
        let r = row.makeRandomAccess()
        return ProvisionedResource(
            provider: try r["provider"].decode(String.self), kind: try r["kind"].decode(String.self),
            providerID: try r["provider_id"].decode(String.self), spec: try JSONValue.decodeObject(try r["spec"].decode(String.self)),
            specVersion: try r["spec_version"].decode(Int.self), sagaID: try r["saga_id"].decode(UUID.self),
            deploymentID: try r["deployment_id"].decode(String?.self), createdAt: try r["created_at"].decode(Date.self),
            updatedAt: try r["updated_at"].decode(Date.self))
    }
}
