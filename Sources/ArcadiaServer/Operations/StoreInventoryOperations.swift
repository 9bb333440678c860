public import CloudOps
public import Foundation

/// ``InventoryOperations`` on the database: what the server's routes and the CLI without
/// `--server` use.
package struct StoreInventoryOperations: InventoryOperations {
    let store: any InventoryStore
    /// Nil without an inventory token: a sync answers 503 naming the variable.
    let inventorySync: InventorySync?
    /// Recorded on the sync runs this starts (`api`, `cli`, `dashboard`).
    let trigger: String
    /// Seconds a managed resource without desired state must have existed to count as orphaned.
    let orphanMinimumAge: TimeInterval
    let now: @Sendable () -> Date

    package init(
        store: any InventoryStore, inventorySync: InventorySync?, trigger: String, orphanMinimumAge: TimeInterval = 1800,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.inventorySync = inventorySync
        self.trigger = trigger
        self.orphanMinimumAge = orphanMinimumAge
        self.now = now
    }

    package func resources(kind: String?, includeDeleted: Bool) async throws -> [CloudResource] {
        if let kind, !InventoryKind.names.contains(kind) {
            throw APIError.badRequest("unknown kind '\(kind.prefix(64))'", details: ["one of: " + InventoryKind.names.joined(separator: ", ")])
        }
        return try await store.resources(kind: kind, includeDeleted: includeDeleted)
    }

    package func sync() async throws -> SyncRun {
        guard let inventorySync else {
            throw APIError(503, "no_inventory_token", "no inventory token: set ARCADIA_DO_TOKEN_INVENTORY (a read-only token) and try again")
        }
        do {
            return try await inventorySync.syncNow(trigger: trigger)
        } catch let error as InventoryError where error.code == .syncRunning {
            throw APIError(409, "sync_running", error.message)
        }
    }

    package func runs(limit: Int) async throws -> [SyncRun] {
        guard (1...1000).contains(limit) else { throw APIError.badRequest("limit must be between 1 and 1000") }
        return try await store.syncRuns(limit: limit)
    }

    package func drift() async throws -> DriftReport {
        try await DriftDetector(store: store, now: now(), orphanMinimumAge: orphanMinimumAge).report()
    }
}
