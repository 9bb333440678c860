import Foundation

/// Durable storage for sagas: `saga_runs`, `saga_step_results`, `saga_events` and lock keys.
///
/// Each method is one transaction. Every write a worker makes goes through ``commit(_:)``,
/// which applies only while the caller's fencing token is still the saga's, so a worker whose
/// lease was taken over can never write. Implementations: `SQLiteSagaStore` (the embedded
/// default) and `PostgresSagaStore` (many workers), in the `ArcadiaStorage` module; both pass
/// the same conformance suite.
public protocol SagaStore: Sendable {
    /// Applies any migrations not yet applied. Safe to call from several processes at once.
    func migrate() async throws

    /// Inserts a saga in `pending`, its lock keys and a `created` event, in one transaction.
    /// With an idempotency key that already exists, inserts nothing and returns the existing saga
    /// with `created == false`.
    func createSaga(_ saga: NewSaga) async throws -> (saga: SagaRecord, created: Bool)

    /// Claims one runnable saga (not terminal, `run_at <= now`, no lock key held by an earlier
    /// saga), giving it a lease (its `run_at` becomes the lease expiry) and a new fencing token,
    /// and records the attempt of its current step when it is moving forward.
    func claim(_ request: ClaimRequest) async throws -> ClaimedSaga?

    /// Applies a state transition if the fencing token still matches; see ``SagaCommit``.
    func commit(_ commit: SagaCommit) async throws -> CommitResult

    /// Extends a held lease; reports whether it is still held and whether a cancel was requested.
    func heartbeat(sagaID: UUID, fencingToken: Int64, leaseUntil: Date, now: Date) async throws -> HeartbeatResult

    /// Sets the cancel flag on a non-terminal saga; a waiting saga becomes runnable at once.
    /// - Returns: the saga after the change, or nil if no non-terminal saga has that id.
    func requestCancel(sagaID: UUID, now: Date) async throws -> SagaRecord?

    func saga(id: UUID) async throws -> SagaRecord?
    /// The sagas with these ids (missing ids are left out), in no particular order.
    func sagas(ids: [UUID]) async throws -> [SagaRecord]
    func steps(sagaID: UUID) async throws -> [StepRecord]
    func events(sagaID: UUID) async throws -> [SagaEvent]
    /// Sagas matching the filter, newest first.
    func list(_ filter: SagaFilter) async throws -> [SagaRecord]
    /// Counts of sagas by status.
    func countByStatus() async throws -> [SagaStatus: Int]

    /// The earliest `run_at` of any non-terminal saga: when a worker should next look for work.
    func nextRunAt() async throws -> Date?

    /// Tells idle workers in other processes that work may be available (PostgreSQL NOTIFY);
    /// a no-op where there are none.
    func notifyWorkers() async throws

    /// Tells workers in other processes that a saga was cancelled or killed, so a running step is
    /// interrupted at once rather than at its next heartbeat; a no-op where there are none.
    func notifyCancel(_ sagaID: UUID) async throws

    /// Streams wake-ups (work available) and cancel requests from other processes, where the
    /// backend supports it. Returns when the task is cancelled.
    func listen(_ handler: @escaping @Sendable (StoreNotification) -> Void) async throws

    /// Writes and statements issued so far (for `arcadia bench`).
    var statistics: StoreStatistics { get }
}

/// A notification from another process.
public enum StoreNotification: Sendable, Hashable {
    case workAvailable
    case cancelRequested(UUID)
}

/// Counters kept by a store.
public struct StoreStatistics: Sendable, Hashable {
    /// Committed write transactions.
    public var commits: Int
    /// SQL statements sent (each a round trip to the database).
    public var statements: Int

    public init(commits: Int = 0, statements: Int = 0) {
        self.commits = commits
        self.statements = statements
    }
}
