import AccessControl
import Foundation
import SQLiteNIO

/// The dashboard's browser sessions on SQLite (`web_sessions`).
extension SQLiteSagaStore: WebSessionStore {
    package func insertWebSession(keyHash: String, value: String, expiresAt: Date?, now: Date) async throws -> Bool {
        let binds: [SQLiteData] = [.text(keyHash), .text(value), .date(now), expiresAt.map { .date($0) } ?? .null]
        return try await db.transaction { c in
            try c.execute("DELETE FROM web_sessions WHERE expires_at <= ?1 AND key_hash <> ?2", [.date(now), .text(keyHash)])
            return try !c.rows(
                """
                INSERT INTO web_sessions (key_hash, value, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (key_hash) DO NOTHING RETURNING key_hash
                """, binds
            ).isEmpty
        }
    }

    package func upsertWebSession(keyHash: String, value: String, expiresAt: Date?, now: Date) async throws {
        let binds: [SQLiteData] = [.text(keyHash), .text(value), .date(now), expiresAt.map { .date($0) } ?? .null]
        try await db.transaction { c in
            try c.execute("DELETE FROM web_sessions WHERE expires_at <= ?1 AND key_hash <> ?2", [.date(now), .text(keyHash)])
            try c.execute(
                """
                INSERT INTO web_sessions (key_hash, value, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (key_hash) DO UPDATE SET value = excluded.value, expires_at = coalesce(excluded.expires_at, web_sessions.expires_at)
                """, binds)
        }
    }

    package func webSession(keyHash: String, now: Date) async throws -> (value: String, expiresAt: Date?)? {
        try await db.perform { c in
            guard
                let row = try c.rows(
                    "SELECT value, expires_at FROM web_sessions WHERE key_hash = ?1 AND (expires_at IS NULL OR expires_at > ?2)",
                    [.text(keyHash), .date(now)]
                ).first,
                let value = row.column("value")?.string
            else { return nil }
            let expires = row.column("expires_at").flatMap { $0.isNull ? nil : $0.double }.map { Date(timeIntervalSince1970: $0) }
            return (value, expires)
        }
    }

    package func deleteWebSession(keyHash: String) async throws {
        try await db.transaction { c in try c.execute("DELETE FROM web_sessions WHERE key_hash = ?1", [.text(keyHash)]) }
    }

    package func liveWebSessionCount(now: Date) async throws -> Int {
        try await db.perform { c in
            try c.rows("SELECT count(*) AS n FROM web_sessions WHERE expires_at IS NULL OR expires_at > ?1", [.date(now)]).first?.column("n")?
                .integer ?? 0
        }
    }
}
