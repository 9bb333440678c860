public import CloudOps

/// What operators do with the inventory and drift, as one facade for the CLI and the server: on
/// the database (``StoreInventoryOperations``, which the server's routes use too) or through the
/// JSON API (``RemoteInventoryOperations``). Failures are ``APIError``s either way.
package protocol InventoryOperations: Sendable {
    /// The inventory rows, of one kind or all, live only unless `includeDeleted`.
    func resources(kind: String?, includeDeleted: Bool) async throws -> [CloudResource]

    /// Syncs now; 409 (`sync_running`) while another sync runs, 503 without an inventory token.
    func sync() async throws -> SyncRun

    /// The latest sync runs, newest first.
    func runs(limit: Int) async throws -> [SyncRun]

    /// Missing, changed and orphaned resources against the last sync.
    func drift() async throws -> DriftReport
}
