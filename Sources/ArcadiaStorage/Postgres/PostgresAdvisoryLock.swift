import PostgresNIO

/// The transaction-scoped advisory locks Arcadia takes on PostgreSQL.
///
/// Advisory locks belong to the whole database, not to a schema: each lock is keyed by its
/// purpose and by the store's schema (`pg_advisory_xact_lock(purpose, hashtext(schema))`), so
/// two Arcadia installations (or two test schemas) in one database never wait for each other.
/// The two-key form lives in a key space of its own, apart from single `bigint` keys.
enum PostgresAdvisoryLock: Int32, Sendable {
    /// Serialises migrations: several workers may start at once; one migrates, the others wait and
    /// then find it done.
    case migrate = 72_831_100
    /// Serialises every change to saga lock keys (see `lockKeysExclusively`).
    case lockKeys = 72_831_101
    /// Serialises inventory sync starters, so that the "busy" check and the insert are one decision.
    case inventorySync = 72_831_102
    /// Serialises first starts of servers, so that one makes the initial admin token.
    case firstToken = 72_831_103

    /// `SELECT pg_advisory_xact_lock(...)` for this purpose in `schema` (the connection's
    /// `current_schema()` when `nil`).
    func query(schema: String?) -> PostgresQuery {
        "SELECT pg_advisory_xact_lock(\(rawValue), hashtext(coalesce(\(schema)::text, current_schema(), 'public')))"
    }
}
