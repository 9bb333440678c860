import AccessControl
import Foundation
import SQLiteNIO

/// API tokens on SQLite (`api_tokens`).
extension SQLiteSagaStore: AccessTokenStore {
    static let tokenColumns = "id, name, role, tenant_id, prefix, created_at, last_used_at, revoked_at"

    package func insertToken(_ token: AccessToken, secretHash: String) async throws {
        let binds: [SQLiteData] = [
            .uuid(token.id), .text(secretHash), .text(token.prefix), .text(token.name), .text(token.role.rawValue), .optionalText(token.tenantID),
            .date(token.createdAt),
        ]
        try await db.transaction { c in
            try c.execute(
                "INSERT INTO api_tokens (id, secret_hash, prefix, name, role, tenant_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", binds)
        }
    }

    package func token(secretHash: String) async throws -> AccessToken? {
        try await db.perform { c in
            try c.rows("SELECT \(Self.tokenColumns) FROM api_tokens WHERE secret_hash = ?1", [.text(secretHash)]).first.map(Self.decodeToken)
        }
    }

    package func tokenWithHash(id: UUID) async throws -> (token: AccessToken, secretHash: String)? {
        try await db.perform { c in
            guard let row = try c.rows("SELECT \(Self.tokenColumns), secret_hash FROM api_tokens WHERE id = ?1", [.uuid(id)]).first,
                let hash = row.column("secret_hash")?.string
            else { return nil }
            return (try Self.decodeToken(row), hash)
        }
    }

    package func tokens() async throws -> [AccessToken] {
        try await db.perform { c in
            try c.rows("SELECT \(Self.tokenColumns) FROM api_tokens ORDER BY created_at DESC, id").map(Self.decodeToken)
        }
    }

    package func revokeToken(id: UUID, at: Date) async throws -> Bool {
        try await db.transaction { c in
            try !c.rows("UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL RETURNING id", [.uuid(id), .date(at)]).isEmpty
        }
    }

    package func touchToken(id: UUID, at: Date) async throws {
        try await db.transaction { c in try c.execute("UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1", [.uuid(id), .date(at)]) }
    }

    package func insertFirstToken(_ token: AccessToken, secretHash: String) async throws -> Bool {
        let binds: [SQLiteData] = [
            .uuid(token.id), .text(secretHash), .text(token.prefix), .text(token.name), .text(token.role.rawValue), .optionalText(token.tenantID),
            .date(token.createdAt),
        ]
        // One statement: SQLite runs one writer at a time, so the check and the insert are one.
        return try await db.transaction { c in
            try !c.rows(
                """
                INSERT INTO api_tokens (id, secret_hash, prefix, name, role, tenant_id, created_at)
                SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE NOT EXISTS (SELECT 1 FROM api_tokens) RETURNING id
                """, binds
            ).isEmpty
        }
    }

    static func decodeToken(_ row: SQLiteDatabase.Row) throws -> AccessToken {
        func text(_ name: String) throws -> String {
            guard let value = row.column(name)?.string else { throw corrupt("api_tokens.\(name) is missing") }
            return value
        }
        func date(_ name: String) -> Date? {
            guard let data = row.column(name), !data.isNull, let seconds = data.double else { return nil }
            return Date(timeIntervalSince1970: seconds)
        }
        guard let id = UUID(uuidString: try text("id")) else { throw corrupt("api_tokens.id is not a UUID") }
        guard let role = Role(rawValue: try text("role")) else { throw corrupt("api_tokens.role is not a role") }
        let tenant = row.column("tenant_id").flatMap { $0.isNull ? nil : $0.string }
        return AccessToken(
            id: id, name: try text("name"), role: role, tenantID: tenant, prefix: try text("prefix"), createdAt: date("created_at") ?? .distantPast,
            lastUsedAt: date("last_used_at"), revokedAt: date("revoked_at"))
    }
}
