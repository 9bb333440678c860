import Foundation

/// Where inventory syncs keep their runs, rows and presence intervals; one implementation per
/// database backend in `ArcadiaStorage`.
///
/// At most one sync runs at a time across every process sharing the database: ``beginSync(_:leaseUntil:notStartedAfter:now:)``
/// inserts a `running` row only while no other run holds an unexpired lease (a unique index
/// allows one `running` row), and every write of the run is fenced by that lease, renewed with
/// each batch, so a sync that stalled past its lease writes nothing more.
public protocol InventoryStore: CloudStore {
    /// Starts `run` holding the sync lease until `leaseUntil`, or returns false when another run
    /// holds it. A running run whose lease has expired is marked `abandoned` first. With
    /// `notStartedAfter` (a scheduled sync), it also returns false when some run started after it.
    func beginSync(_ run: SyncRun, leaseUntil: Date, notStartedAfter: Date?, now: Date) async throws -> Bool
    /// Applies one kind's writes in one transaction and extends the lease to `leaseUntil`; throws
    /// ``InventoryError/Code/leaseLost`` (writing nothing) when the run no longer holds the lease.
    /// Returns the number of write statements issued for the kind.
    func applySyncBatch(_ batch: SyncBatch, runID: UUID, leaseUntil: Date, now: Date) async throws -> Int
    /// Records the run's end (status, counts, requests, errors); fenced like a batch.
    func finishSync(_ run: SyncRun, now: Date) async throws
    /// The most recent runs first.
    func syncRuns(limit: Int) async throws -> [SyncRun]
    /// One run.
    func syncRun(id: UUID) async throws -> SyncRun?

    /// The rows of one kind (or every kind), deleted ones included when asked, by kind and provider id.
    func resources(kind: String?, includeDeleted: Bool) async throws -> [CloudResource]
    /// Every desired-state row.
    func allProvisioned() async throws -> [ProvisionedResource]
    /// Presence intervals overlapping `[from, to)`, of one kind or every kind.
    func presence(kind: String?, providerID: String?, from: Date, to: Date) async throws -> [PresenceInterval]
}
