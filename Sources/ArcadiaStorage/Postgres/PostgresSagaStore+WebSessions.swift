import AccessControl
import Foundation
import PostgresNIO

/// The dashboard's browser sessions on PostgreSQL (`web_sessions`).
extension PostgresSagaStore: WebSessionStore {
    package func insertWebSession(keyHash: String, value: String, expiresAt: Date?, now: Date) async throws -> Bool {
        // One statement: the expired rows go and the new one arrives together.
        try await !execute(
            """
            WITH expired AS (DELETE FROM web_sessions WHERE expires_at <= \(now) AND key_hash <> \(keyHash))
            INSERT INTO web_sessions (key_hash, value, created_at, expires_at) VALUES (\(keyHash), \(value), \(now), \(expiresAt))
            ON CONFLICT (key_hash) DO NOTHING RETURNING key_hash
            """
        ).isEmpty
    }

    package func upsertWebSession(keyHash: String, value: String, expiresAt: Date?, now: Date) async throws {
        try await execute(
            """
            WITH expired AS (DELETE FROM web_sessions WHERE expires_at <= \(now) AND key_hash <> \(keyHash))
            INSERT INTO web_sessions (key_hash, value, created_at, expires_at) VALUES (\(keyHash), \(value), \(now), \(expiresAt))
            ON CONFLICT (key_hash) DO UPDATE SET value = excluded.value, expires_at = coalesce(excluded.expires_at, web_sessions.expires_at)
            """)
    }

    package func webSession(keyHash: String, now: Date) async throws -> (value: String, expiresAt: Date?)? {
        guard
            let row = try await execute(
                "SELECT value, expires_at FROM web_sessions WHERE key_hash = \(keyHash) AND (expires_at IS NULL OR expires_at > \(now))"
            ).first
        else { return nil }
        let (value, expires) = try row.decode((String, Date?).self)
        return (value, expires)
    }

    package func deleteWebSession(keyHash: String) async throws {
        try await execute("DELETE FROM web_sessions WHERE key_hash = \(keyHash)")
    }

    package func liveWebSessionCount(now: Date) async throws -> Int {
        try await execute("SELECT count(*)::bigint FROM web_sessions WHERE expires_at IS NULL OR expires_at > \(now)").first?.decode(Int.self) ?? 0
    }
}
