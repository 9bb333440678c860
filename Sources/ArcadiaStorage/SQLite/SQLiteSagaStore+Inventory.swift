import CloudOps
import Foundation
import SQLiteNIO
import SagaEngine

/// Inventory syncs on SQLite: the sync lease (`sync_runs`), row writes in one transaction per
/// kind, and presence intervals (`cloud_presence`). Lists of ids travel as one JSON array
/// (`json_each`), so that a kind without change is one statement.
extension SQLiteSagaStore: InventoryStore {
    static let syncRunColumns = "id, trigger, holder, status, started_at, finished_at, kinds, requests, errors"

    package func beginSync(_ run: SyncRun, leaseUntil: Date, notStartedAfter: Date?, now: Date) async throws -> Bool {
        let kinds = try JSONValue.encodeToString(run.kinds)
        return try await db.transaction { c in
            try c.execute(
                "UPDATE sync_runs SET status = 'abandoned', finished_at = ?1 WHERE status = 'running' AND lease_expires_at <= ?1", [.date(now)])
            let busy = try c.rows(
                """
                SELECT 1 FROM sync_runs
                WHERE status = 'running' OR (?1 IS NOT NULL AND started_at > ?1 AND status IN ('succeeded', 'partial')) LIMIT 1
                """,
                [notStartedAfter.map { .date($0) } ?? .null])
            guard busy.isEmpty else { return false }
            try c.execute(
                """
                INSERT INTO sync_runs (id, trigger, holder, status, started_at, lease_expires_at, kinds)
                VALUES (?1, ?2, ?3, 'running', ?4, ?5, ?6)
                """, [.uuid(run.id), .text(run.trigger), .text(run.holder), .date(run.startedAt), .date(leaseUntil), .text(kinds)])
            return true
        }
    }

    package func applySyncBatch(_ batch: SyncBatch, runID: UUID, leaseUntil: Date, now: Date) async throws -> Int {
        let kind = SQLiteData.text(batch.kind)
        let seen = SQLiteData.date(batch.seenAt)
        let rows: [(SyncBatch.Upsert, [SQLiteData])] = try batch.upserts.map { upsert in
            let r = upsert.resource
            return (
                upsert,
                [
                    kind, .text(r.providerID), .text(r.name), .optionalText(r.region), .optionalText(r.sizeSlug), .optionalText(r.status),
                    try .json(r.tags), try .json(r.attributes), .integer(r.managed ? 1 : 0), r.creatingSagaID.map { .uuid($0) } ?? .null,
                    .optionalText(r.deploymentID), .optionalText(r.tenantID), .optionalText(r.hourlyPrice.map { "\($0)" }), .date(r.firstSeenAt),
                    seen,
                ]
            )
        }
        let touched = try SQLiteData.json(batch.touched)
        let missed = try SQLiteData.json(batch.missed)
        let deleted = try SQLiteData.json(batch.deleted)
        // Rows a step wrote after the listing began are newer than the listing: left alone.
        let listingStart = SQLiteData.date(batch.listingStartedAt ?? batch.seenAt)
        return try await db.transaction { c in
            try Self.fence(runID: runID, leaseUntil: leaseUntil, now: now, c)
            var writes = 0
            for (upsert, binds) in rows {
                let id = upsert.resource.providerID
                let current = try c.rows(
                    "SELECT deleted_at IS NOT NULL AS deleted FROM cloud_resources WHERE provider = 'digitalocean' AND kind = ?1 AND provider_id = ?2",
                    [kind, .text(id)]
                ).first.map { $0.column("deleted")?.integer == 1 }
                // Only rows still as the sync read them: a step may have registered, deleted or
                // removed one since (its write is newer than the listing and wins).
                if current != upsert.wasDeleted { continue }
                try c.execute(
                    """
                    INSERT INTO cloud_resources (provider, kind, provider_id, name, region, size_slug, status, tags, attributes, managed,
                        creating_saga_id, deployment_id, tenant_id, hourly_price, missed_syncs, first_seen_at, last_seen_at, deleted_at)
                    VALUES ('digitalocean', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 0, ?14, ?15, NULL)
                    ON CONFLICT (provider, kind, provider_id) DO UPDATE SET
                        name = excluded.name, region = excluded.region, size_slug = excluded.size_slug, status = excluded.status,
                        tags = excluded.tags, attributes = excluded.attributes, managed = excluded.managed,
                        creating_saga_id = COALESCE(excluded.creating_saga_id, cloud_resources.creating_saga_id),
                        deployment_id = COALESCE(excluded.deployment_id, cloud_resources.deployment_id),
                        tenant_id = COALESCE(excluded.tenant_id, cloud_resources.tenant_id),
                        hourly_price = excluded.hourly_price, missed_syncs = 0,
                        last_seen_at = MAX(cloud_resources.last_seen_at, excluded.last_seen_at), deleted_at = NULL
                    """, binds)
                if upsert.wasDeleted == true && !upsert.newIncarnation {
                    // Seen again under the same id: it existed all along; its last interval reopens.
                    try c.execute(
                        """
                        UPDATE cloud_presence SET ended_at = NULL
                        WHERE id = (SELECT id FROM cloud_presence WHERE provider = 'digitalocean' AND kind = ?1 AND provider_id = ?2
                                    ORDER BY started_at DESC LIMIT 1)
                          AND NOT EXISTS (SELECT 1 FROM cloud_presence WHERE provider = 'digitalocean' AND kind = ?1 AND provider_id = ?2
                                          AND ended_at IS NULL)
                        """, [kind, .text(id)])
                }
                writes += 1
                if upsert.wasDeleted == true && !upsert.newIncarnation { writes += 1 }
                // New rows and new incarnations open an interval, never overlapping an earlier one.
                try c.execute(
                    """
                    INSERT INTO cloud_presence (provider, kind, provider_id, started_at)
                    SELECT 'digitalocean', ?1, ?2, MAX(?3, COALESCE((
                        SELECT MAX(ended_at) FROM cloud_presence WHERE provider = 'digitalocean' AND kind = ?1 AND provider_id = ?2), ?3))
                    WHERE true
                    ON CONFLICT (provider, kind, provider_id) WHERE ended_at IS NULL DO NOTHING
                    """, [kind, .text(id), .date(upsert.presenceStart)])
                writes += 1
            }
            if !batch.touched.isEmpty {
                try c.execute(
                    """
                    UPDATE cloud_resources SET last_seen_at = MAX(last_seen_at, ?2), missed_syncs = 0
                    WHERE provider = 'digitalocean' AND kind = ?1 AND provider_id IN (SELECT value FROM json_each(?3)) AND deleted_at IS NULL
                    """, [kind, seen, touched])
                writes += 1
            }
            if !batch.missed.isEmpty {
                try c.execute(
                    """
                    UPDATE cloud_resources SET missed_syncs = missed_syncs + 1
                    WHERE provider = 'digitalocean' AND kind = ?1 AND provider_id IN (SELECT value FROM json_each(?2)) AND deleted_at IS NULL
                      AND last_seen_at < ?3
                    """, [kind, missed, listingStart])
                writes += 1
            }
            if !batch.deleted.isEmpty {
                // Where DigitalOcean says when one went, it was there until then.
                for (id, at) in batch.deletedAt.sorted(by: { $0.key < $1.key }) {
                    try c.execute(
                        """
                        UPDATE cloud_resources SET last_seen_at = ?3
                        WHERE provider = 'digitalocean' AND kind = ?1 AND provider_id = ?2 AND deleted_at IS NULL AND last_seen_at < ?3 AND ?3 < ?4
                        """, [kind, .text(id), .date(at), listingStart])
                    writes += 1
                }
                try c.execute(
                    """
                    UPDATE cloud_presence SET ended_at = MAX(started_at, (
                        SELECT r.last_seen_at FROM cloud_resources r
                        WHERE r.provider = cloud_presence.provider AND r.kind = cloud_presence.kind AND r.provider_id = cloud_presence.provider_id))
                    WHERE provider = 'digitalocean' AND kind = ?1 AND ended_at IS NULL AND provider_id IN (
                        SELECT r.provider_id FROM cloud_resources r
                        WHERE r.provider = 'digitalocean' AND r.kind = ?1 AND r.deleted_at IS NULL AND r.last_seen_at < ?3
                          AND r.provider_id IN (SELECT value FROM json_each(?2)))
                    """, [kind, deleted, listingStart])
                try c.execute(
                    """
                    UPDATE cloud_resources SET deleted_at = last_seen_at, status = 'deleted', missed_syncs = missed_syncs + 1
                    WHERE provider = 'digitalocean' AND kind = ?1 AND provider_id IN (SELECT value FROM json_each(?2)) AND deleted_at IS NULL
                      AND last_seen_at < ?3
                    """, [kind, deleted, listingStart])
                writes += 2
            }
            return writes
        }
    }

    /// Extends the run's lease, or throws ``InventoryError/Code/leaseLost`` when it no longer holds it.
    private static func fence(runID: UUID, leaseUntil: Date, now: Date, _ c: SQLiteDatabase.Connection) throws {
        let held = try c.rows(
            "UPDATE sync_runs SET lease_expires_at = ?2 WHERE id = ?1 AND status = 'running' AND lease_expires_at > ?3 RETURNING id",
            [.uuid(runID), .date(leaseUntil), .date(now)])
        guard !held.isEmpty else {
            throw InventoryError(.leaseLost, "sync \(runID) no longer holds the sync lease (it stalled past it); it stops writing")
        }
    }

    package func finishSync(_ run: SyncRun, now: Date) async throws {
        let binds: [SQLiteData] = [
            .uuid(run.id), .text(run.status.rawValue), .date(run.finishedAt ?? now), try .json(run.kinds), .integer(run.requests),
            try .json(run.errors), .date(run.startedAt),
        ]
        try await db.transaction { c in
            try Self.fence(runID: run.id, leaseUntil: now, now: now, c)
            try c.execute(
                "UPDATE sync_runs SET status = ?2, finished_at = ?3, kinds = ?4, requests = ?5, errors = ?6, started_at = ?7 WHERE id = ?1", binds)
        }
    }

    package func syncRuns(limit: Int) async throws -> [SyncRun] {
        try await db.perform { c in
            try c.rows("SELECT \(Self.syncRunColumns) FROM sync_runs ORDER BY started_at DESC, id LIMIT ?1", [.integer(limit)])
                .map(Self.decodeSyncRun)
        }
    }

    package func syncRun(id: UUID) async throws -> SyncRun? {
        try await db.perform { c in
            try c.rows("SELECT \(Self.syncRunColumns) FROM sync_runs WHERE id = ?1", [.uuid(id)]).first.map(Self.decodeSyncRun)
        }
    }

    package func resources(kind: String?, includeDeleted: Bool) async throws -> [CloudResource] {
        try await db.perform { c in
            try c.rows(
                """
                SELECT \(Self.resourceColumns) FROM cloud_resources
                WHERE provider = 'digitalocean' AND (?1 IS NULL OR kind = ?1) AND (?2 OR deleted_at IS NULL)
                ORDER BY kind, provider_id
                """, [.optionalText(kind), .integer(includeDeleted ? 1 : 0)]
            ).map(Self.decodeResource)
        }
    }

    package func allProvisioned() async throws -> [ProvisionedResource] {
        try await db.perform { c in
            try c.rows("SELECT \(Self.provisionedColumns) FROM cloud_provisioned ORDER BY kind, provider_id").map(Self.decodeProvisioned)
        }
    }

    package func presence(kind: String?, providerID: String?, from: Date, to: Date) async throws -> [PresenceInterval] {
        try await db.perform { c in
            try c.rows(
                """
                SELECT kind, provider_id, started_at, ended_at FROM cloud_presence
                WHERE provider = 'digitalocean' AND (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR provider_id = ?2)
                  AND started_at < ?4 AND (ended_at IS NULL OR ended_at > ?3)
                ORDER BY kind, provider_id, started_at
                """, [.optionalText(kind), .optionalText(providerID), .date(from), .date(to)]
            ).map { row in
                guard let kind = row.column("kind")?.string, let id = row.column("provider_id")?.string,
                    let start = row.column("started_at")?.double
                else { throw Self.corrupt("cloud_presence row is incomplete") }
                let end = row.column("ended_at").flatMap { $0.isNull ? nil : $0.double }
                return PresenceInterval(
                    kind: kind, providerID: id, startedAt: Date(timeIntervalSince1970: start), endedAt: end.map { Date(timeIntervalSince1970: $0) })
            }
        }
    }

    static func decodeSyncRun(_ row: SQLiteDatabase.Row) throws -> SyncRun {
        func text(_ name: String) throws -> String {
            guard let value = row.column(name)?.string else { throw corrupt("sync_runs.\(name) is missing") }
            return value
        }
        func date(_ name: String) -> Date? {
            guard let data = row.column(name), !data.isNull, let seconds = data.double else { return nil }
            return Date(timeIntervalSince1970: seconds)
        }
        guard let id = UUID(uuidString: try text("id")) else { throw corrupt("sync_runs.id is not a UUID") }
        let decoder = JSONDecoder()
        return SyncRun(
            id: id, trigger: try text("trigger"), holder: try text("holder"), status: SyncRun.Status(rawValue: try text("status")) ?? .failed,
            startedAt: date("started_at") ?? .distantPast, finishedAt: date("finished_at"),
            kinds: try decoder.decode([String: SyncKindCounts].self, from: Data(try text("kinds").utf8)),
            requests: row.column("requests")?.integer ?? 0, errors: try decoder.decode([SyncFailure].self, from: Data(try text("errors").utf8)))
    }
}
