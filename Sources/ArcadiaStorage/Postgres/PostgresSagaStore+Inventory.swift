import CloudOps
import Foundation
import PostgresNIO
import SagaEngine

/// Inventory syncs on PostgreSQL: the sync lease (`sync_runs`), batched row writes with
/// `UNNEST`, and presence intervals (`cloud_presence`).
extension PostgresSagaStore: InventoryStore {
    static let syncRunColumns = """
        id, trigger, holder, status, started_at, finished_at, kinds::text AS kinds, requests, errors::text AS errors
        """

    package func beginSync(_ run: SyncRun, leaseUntil: Date, notStartedAfter: Date?, now: Date) async throws -> Bool {
        let kinds = try JSONValue.encodeToString(run.kinds)
        return try await transaction { connection in
            // Serialises starters, so that the "started after" check and the insert are one decision.
            try await self.execute(PostgresAdvisoryLock.inventorySync.query(schema: self.configuration.schema), on: connection)
            try await self.execute(
                """
                UPDATE sync_runs SET status = 'abandoned', finished_at = \(now)
                WHERE status = 'running' AND lease_expires_at <= \(now)
                """, on: connection)
            let busy = try await self.execute(
                """
                SELECT 1 FROM sync_runs
                WHERE status = 'running'
                   OR (\(notStartedAfter)::timestamptz IS NOT NULL AND started_at > \(notStartedAfter) AND status IN ('succeeded', 'partial'))
                LIMIT 1
                """, on: connection)
            guard busy.isEmpty else { return false }
            try await self.execute(
                """
                INSERT INTO sync_runs (id, trigger, holder, status, started_at, lease_expires_at, kinds)
                VALUES (\(run.id), \(run.trigger), \(run.holder), 'running', \(run.startedAt), \(leaseUntil), \(kinds)::jsonb)
                """, on: connection)
            return true
        }
    }

    package func applySyncBatch(_ batch: SyncBatch, runID: UUID, leaseUntil: Date, now: Date) async throws -> Int {
        let kind = batch.kind
        let seen = batch.seenAt
        return try await transaction { connection in
            try await self.fence(runID: runID, leaseUntil: leaseUntil, now: now, on: connection)
            var writes = 0
            var upserts = batch.upserts
            if !upserts.isEmpty {
                // Only rows still as the sync read them: a step may have registered, deleted or
                // removed one since (its write is newer than the listing and wins).
                let ids = upserts.map(\.resource.providerID)
                var current: [String: Bool] = [:]
                for try await (id, deleted) in try await connection.query(
                    """
                    SELECT provider_id, deleted_at IS NOT NULL FROM cloud_resources
                    WHERE provider = 'digitalocean' AND kind = \(kind) AND provider_id = ANY(\(ids)) FOR UPDATE
                    """, logger: self.logger
                ).decode((String, Bool).self) {
                    current[id] = deleted
                }
                upserts.removeAll { upsert in current[upsert.resource.providerID] != upsert.wasDeleted }
            }
            for chunk in stride(from: 0, to: upserts.count, by: 1000).map({ Array(upserts[$0..<min($0 + 1000, upserts.count)]) }) {
                try await self.upsertChunk(chunk, kind: kind, seen: seen, on: connection)
                writes += 1
                let reopened = chunk.filter { $0.wasDeleted == true && !$0.newIncarnation }.map(\.resource.providerID)
                if !reopened.isEmpty {
                    // Seen again under the same id: it existed all along; its last interval reopens.
                    try await self.execute(
                        """
                        UPDATE cloud_presence p SET ended_at = NULL
                        WHERE p.id IN (
                            SELECT DISTINCT ON (provider_id) id FROM cloud_presence
                            WHERE provider = 'digitalocean' AND kind = \(kind) AND provider_id = ANY(\(reopened))
                            ORDER BY provider_id, started_at DESC)
                          AND NOT EXISTS (
                            SELECT 1 FROM cloud_presence o WHERE o.provider = p.provider AND o.kind = p.kind AND o.provider_id = p.provider_id
                              AND o.ended_at IS NULL)
                        """, on: connection)
                    writes += 1
                }
                // New rows and new incarnations open an interval, never overlapping an earlier one.
                let ids = chunk.map(\.resource.providerID)
                let starts = chunk.map { String($0.presenceStart.timeIntervalSince1970) }
                try await self.execute(
                    """
                    INSERT INTO cloud_presence (provider, kind, provider_id, started_at)
                    SELECT 'digitalocean', \(kind), u.id, GREATEST(to_timestamp(u.start::float8), (
                        SELECT MAX(e.ended_at) FROM cloud_presence e
                        WHERE e.provider = 'digitalocean' AND e.kind = \(kind) AND e.provider_id = u.id))
                    FROM UNNEST(\(ids)::text[], \(starts)::text[]) AS u(id, start)
                    ON CONFLICT (provider, kind, provider_id) WHERE ended_at IS NULL DO NOTHING
                    """, on: connection)
                writes += 1
            }
            if !batch.touched.isEmpty {
                try await self.execute(
                    """
                    UPDATE cloud_resources SET last_seen_at = GREATEST(last_seen_at, \(seen)), missed_syncs = 0
                    WHERE provider = 'digitalocean' AND kind = \(kind) AND provider_id = ANY(\(batch.touched)) AND deleted_at IS NULL
                    """, on: connection)
                writes += 1
            }
            // Rows a step wrote after the listing began are newer than the listing: left alone.
            let listingStart = batch.listingStartedAt ?? seen
            if !batch.missed.isEmpty {
                try await self.execute(
                    """
                    UPDATE cloud_resources SET missed_syncs = missed_syncs + 1
                    WHERE provider = 'digitalocean' AND kind = \(kind) AND provider_id = ANY(\(batch.missed)) AND deleted_at IS NULL
                      AND last_seen_at < \(listingStart)
                    """, on: connection)
                writes += 1
            }
            if !batch.deleted.isEmpty {
                // Where DigitalOcean says when one went, it was there until then.
                if !batch.deletedAt.isEmpty {
                    let known = batch.deletedAt.sorted { $0.key < $1.key }
                    try await self.execute(
                        """
                        UPDATE cloud_resources r SET last_seen_at = to_timestamp(u.at::float8)
                        FROM UNNEST(\(known.map(\.key))::text[], \(known.map { String($0.value.timeIntervalSince1970) })::text[]) AS u(id, at)
                        WHERE r.provider = 'digitalocean' AND r.kind = \(kind) AND r.provider_id = u.id AND r.deleted_at IS NULL
                          AND r.last_seen_at < to_timestamp(u.at::float8) AND to_timestamp(u.at::float8) < \(listingStart)
                        """, on: connection)
                    writes += 1
                }
                // Rows first, then presence: the order markResourceDeleted locks them in.
                var ended: (ids: [String], times: [String]) = ([], [])
                for try await (id, last) in try await connection.query(
                    """
                    UPDATE cloud_resources SET deleted_at = last_seen_at, status = 'deleted', missed_syncs = missed_syncs + 1
                    WHERE provider = 'digitalocean' AND kind = \(kind) AND provider_id = ANY(\(batch.deleted)) AND deleted_at IS NULL
                      AND last_seen_at < \(listingStart)
                    RETURNING provider_id, last_seen_at
                    """, logger: self.logger
                ).decode((String, Date).self) {
                    ended.ids.append(id)
                    ended.times.append(String(last.timeIntervalSince1970))
                }
                try await self.execute(
                    """
                    UPDATE cloud_presence p SET ended_at = GREATEST(p.started_at, to_timestamp(u.ended::float8))
                    FROM UNNEST(\(ended.ids)::text[], \(ended.times)::text[]) AS u(id, ended)
                    WHERE p.provider = 'digitalocean' AND p.kind = \(kind) AND p.provider_id = u.id AND p.ended_at IS NULL
                    """, on: connection)
                writes += 2
            }
            return writes
        }
    }

    /// One multi-row upsert of changed and new rows (nullable texts travel as "" and come back NULL).
    private func upsertChunk(_ chunk: [SyncBatch.Upsert], kind: String, seen: Date, on connection: PostgresConnection) async throws {
        var columns = [[String]](repeating: [], count: 13)
        for upsert in chunk {
            let r = upsert.resource
            let values: [String] = [
                r.providerID, r.name, r.region ?? "", r.sizeSlug ?? "", r.status ?? "", try JSONValue.encodeToString(r.tags),
                try JSONValue.encodeToString(r.attributes), r.managed ? "t" : "f", r.creatingSagaID?.uuidString ?? "", r.deploymentID ?? "",
                r.tenantID ?? "", r.hourlyPrice.map { "\($0)" } ?? "", String(r.firstSeenAt.timeIntervalSince1970),
            ]
            for (index, value) in values.enumerated() { columns[index].append(value) }
        }
        try await execute(
            """
            INSERT INTO cloud_resources (provider, kind, provider_id, name, region, size_slug, status, tags, attributes, managed,
                creating_saga_id, deployment_id, tenant_id, hourly_price, missed_syncs, first_seen_at, last_seen_at, deleted_at)
            SELECT 'digitalocean', \(kind), u.id, u.name, NULLIF(u.region, ''), NULLIF(u.size, ''), NULLIF(u.status, ''),
                ARRAY(SELECT jsonb_array_elements_text(u.tags::jsonb)), u.attributes::jsonb, u.managed = 't', NULLIF(u.saga, '')::uuid,
                NULLIF(u.deployment, ''), NULLIF(u.tenant, ''), NULLIF(u.price, '')::numeric, 0, to_timestamp(u.first::float8), \(seen), NULL
            FROM UNNEST(\(columns[0])::text[], \(columns[1])::text[], \(columns[2])::text[], \(columns[3])::text[], \(columns[4])::text[],
                \(columns[5])::text[], \(columns[6])::text[], \(columns[7])::text[], \(columns[8])::text[], \(columns[9])::text[],
                \(columns[10])::text[], \(columns[11])::text[], \(columns[12])::text[])
                AS u(id, name, region, size, status, tags, attributes, managed, saga, deployment, tenant, price, first)
            ON CONFLICT (provider, kind, provider_id) DO UPDATE SET
                name = excluded.name, region = excluded.region, size_slug = excluded.size_slug, status = excluded.status,
                tags = excluded.tags, attributes = excluded.attributes, managed = excluded.managed,
                creating_saga_id = COALESCE(excluded.creating_saga_id, cloud_resources.creating_saga_id),
                deployment_id = COALESCE(excluded.deployment_id, cloud_resources.deployment_id),
                tenant_id = COALESCE(excluded.tenant_id, cloud_resources.tenant_id),
                hourly_price = excluded.hourly_price, missed_syncs = 0,
                last_seen_at = GREATEST(cloud_resources.last_seen_at, excluded.last_seen_at), deleted_at = NULL
            """, on: connection)
    }

    /// Extends the run's lease, or throws ``InventoryError/Code/leaseLost`` when it no longer holds it.
    private func fence(runID: UUID, leaseUntil: Date, now: Date, on connection: PostgresConnection) async throws {
        let held = try await execute(
            """
            UPDATE sync_runs SET lease_expires_at = \(leaseUntil)
            WHERE id = \(runID) AND status = 'running' AND lease_expires_at > \(now) RETURNING id
            """, on: connection)
        guard !held.isEmpty else {
            throw InventoryError(.leaseLost, "sync \(runID) no longer holds the sync lease (it stalled past it); it stops writing")
        }
    }

    package func finishSync(_ run: SyncRun, now: Date) async throws {
        let kinds = try JSONValue.encodeToString(run.kinds)
        let errors = try JSONValue.encodeToString(run.errors)
        try await transaction { connection in
            try await self.fence(runID: run.id, leaseUntil: now, now: now, on: connection)
            try await self.execute(
                """
                UPDATE sync_runs SET status = \(run.status.rawValue), started_at = \(run.startedAt), finished_at = \(run.finishedAt ?? now),
                    kinds = \(kinds)::jsonb,
                    requests = \(run.requests), errors = \(errors)::jsonb
                WHERE id = \(run.id)
                """, on: connection)
        }
    }

    package func syncRuns(limit: Int) async throws -> [SyncRun] {
        try await execute("SELECT \(unescaped: Self.syncRunColumns) FROM sync_runs ORDER BY started_at DESC, id LIMIT \(limit)")
            .map(Self.decodeSyncRun)
    }

    package func syncRun(id: UUID) async throws -> SyncRun? {
        try await execute("SELECT \(unescaped: Self.syncRunColumns) FROM sync_runs WHERE id = \(id)").first.map(Self.decodeSyncRun)
    }

    package func resources(kind: String?, includeDeleted: Bool) async throws -> [CloudResource] {
        try await execute(
            """
            SELECT \(unescaped: Self.resourceColumns) FROM cloud_resources
            WHERE provider = 'digitalocean' AND (\(kind)::text IS NULL OR kind = \(kind)) AND (\(includeDeleted) OR deleted_at IS NULL)
            ORDER BY kind, provider_id
            """
        ).map(Self.decodeResource)
    }

    package func allProvisioned() async throws -> [ProvisionedResource] {
        try await execute("SELECT \(unescaped: Self.provisionedColumns) FROM cloud_provisioned ORDER BY kind, provider_id")
            .map(Self.decodeProvisioned)
    }

    package func presence(kind: String?, providerID: String?, from: Date, to: Date) async throws -> [PresenceInterval] {
        try await execute(
            """
            SELECT kind, provider_id, started_at, ended_at FROM cloud_presence
            WHERE provider = 'digitalocean' AND (\(kind)::text IS NULL OR kind = \(kind))
              AND (\(providerID)::text IS NULL OR provider_id = \(providerID))
              AND started_at < \(to) AND (ended_at IS NULL OR ended_at > \(from))
            ORDER BY kind, provider_id, started_at
            """
        ).map { row in
            let (kind, id, start, end) = try row.decode((String, String, Date, Date?).self)
            return PresenceInterval(kind: kind, providerID: id, startedAt: start, endedAt: end)
        }
    }

    static func decodeSyncRun(_ row: PostgresRow) throws -> SyncRun {
        let r = row.makeRandomAccess()
        let decoder = JSONDecoder()
        return SyncRun(
            id: try r["id"].decode(UUID.self), trigger: try r["trigger"].decode(String.self), holder: try r["holder"].decode(String.self),
            status: SyncRun.Status(rawValue: try r["status"].decode(String.self)) ?? .failed, startedAt: try r["started_at"].decode(Date.self),
            finishedAt: try r["finished_at"].decode(Date?.self),
            kinds: try decoder.decode([String: SyncKindCounts].self, from: Data(try r["kinds"].decode(String.self).utf8)),
            requests: try r["requests"].decode(Int.self),
            errors: try decoder.decode([SyncFailure].self, from: Data(try r["errors"].decode(String.self).utf8)))
    }
}
