import AccessControl
import Foundation
import PostgresNIO

/// API tokens on PostgreSQL (`api_tokens`).
extension PostgresSagaStore: AccessTokenStore {
    static let tokenColumns = "id, name, role, tenant_id, prefix, created_at, last_used_at, revoked_at"

    package func insertToken(_ token: AccessToken, secretHash: String) async throws {
        try await execute(
            """
            INSERT INTO api_tokens (id, secret_hash, prefix, name, role, tenant_id, created_at)
            VALUES (\(token.id), \(secretHash), \(token.prefix), \(token.name), \(token.role.rawValue), \(token.tenantID), \(token.createdAt))
            """)
    }

    package func token(secretHash: String) async throws -> AccessToken? {
        try await execute("SELECT \(unescaped: Self.tokenColumns) FROM api_tokens WHERE secret_hash = \(secretHash)").first.map(Self.decodeToken)
    }

    package func tokenWithHash(id: UUID) async throws -> (token: AccessToken, secretHash: String)? {
        guard let row = try await execute("SELECT \(unescaped: Self.tokenColumns), secret_hash FROM api_tokens WHERE id = \(id)").first else {
            return nil
        }
        let (id, name, role, tenant, prefix, created, used, revoked, hash) = try row.decode(
            (UUID, String, String, String?, String, Date, Date?, Date?, String).self)
        guard let role = Role(rawValue: role) else { throw Self.corrupt("api_tokens.role '\(role)' is not a role") }
        let token = AccessToken(
            id: id, name: name, role: role, tenantID: tenant, prefix: prefix, createdAt: created, lastUsedAt: used, revokedAt: revoked)
        return (token, hash)
    }

    package func tokens() async throws -> [AccessToken] {
        try await execute("SELECT \(unescaped: Self.tokenColumns) FROM api_tokens ORDER BY created_at DESC, id").map(Self.decodeToken)
    }

    package func revokeToken(id: UUID, at: Date) async throws -> Bool {
        try await !execute("UPDATE api_tokens SET revoked_at = \(at) WHERE id = \(id) AND revoked_at IS NULL RETURNING id").isEmpty
    }

    package func touchToken(id: UUID, at: Date) async throws {
        try await execute("UPDATE api_tokens SET last_used_at = \(at) WHERE id = \(id)")
    }

    package func insertFirstToken(_ token: AccessToken, secretHash: String) async throws -> Bool {
        try await transaction { connection in
            // Serialises first starts: under READ COMMITTED two inserts guarded by NOT EXISTS could both see an empty table.
            try await self.execute(PostgresAdvisoryLock.firstToken.query(schema: self.configuration.schema), on: connection)
            return try await !self.execute(
                """
                INSERT INTO api_tokens (id, secret_hash, prefix, name, role, tenant_id, created_at)
                SELECT \(token.id), \(secretHash), \(token.prefix), \(token.name), \(token.role.rawValue), \(token.tenantID), \(token.createdAt)
                WHERE NOT EXISTS (SELECT 1 FROM api_tokens) RETURNING id
                """, on: connection
            ).isEmpty
        }
    }

    static func decodeToken(_ row: PostgresRow) throws -> AccessToken {
        let (id, name, role, tenant, prefix, created, used, revoked) = try row.decode(
            (UUID, String, String, String?, String, Date, Date?, Date?).self)
        guard let role = Role(rawValue: role) else { throw corrupt("api_tokens.role '\(role)' is not a role") }
        return AccessToken(
            id: id, name: name, role: role, tenantID: tenant, prefix: prefix, createdAt: created, lastUsedAt: used, revokedAt: revoked)
    }
}
