import Foundation

/// Durable storage for sagas: `saga_runs`, `saga_step_results`, `saga_events`, lock keys and the
/// worker registry.
///
/// Each method is one transaction. Every write a worker makes goes through ``commit(_:)``,
/// which applies only while the caller's fencing token is still the saga's, so a worker whose
/// lease was taken over can never write. Implementations: `SQLiteSagaStore` (the embedded
/// default) and `PostgresSagaStore` (many workers), in the `ArcadiaStorage` module; both pass
/// the same conformance suite.
package protocol SagaStore: Sendable {
    /// Applies any migrations not yet applied. Safe to call from several processes at once.
    func migrate() async throws

    /// Inserts a saga, its lock keys and a `saga_created` event in one transaction: `pending`, or
    /// already claimed per its ``NewSaga/assignment``. A saga whose lock key an earlier saga holds
    /// is marked blocked. With an idempotency key that already exists, inserts nothing and returns
    /// the existing saga with `created == false`.
    func createSaga(_ saga: NewSaga) async throws -> CreateResult

    /// Claims up to `limit` runnable sagas (not terminal, `run_at <= now`, not blocked by a lock
    /// key), giving each a lease (its `run_at` becomes the lease expiry) and a new fencing token,
    /// and recording the attempt of its current step when it is moving forward. Also says when
    /// the next saga it did not take is due.
    func claim(_ request: ClaimRequest) async throws -> ClaimResult

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
    /// The earlier sagas holding a lock key this saga waits for.
    func lockBlockers(sagaID: UUID) async throws -> [LockBlocker]
    /// Sagas matching the filter, newest first.
    func list(_ filter: SagaFilter) async throws -> [SagaRecord]
    /// Counts of sagas by status.
    func countByStatus() async throws -> [SagaStatus: Int]
    /// Runnable sagas due at `now` that no worker holds and no lock key blocks: the queue depth.
    func countDue(now: Date) async throws -> Int

    /// Announces a worker in this process with `slots` slots (PostgreSQL's worker registry, which
    /// starters consult to deliver a new saga to a worker with a free slot), or refreshes it.
    /// `accepting: false` takes it out of the choice (it is shutting down).
    func registerWorker(id: String, slots: Int, accepting: Bool) async throws
    /// Removes a worker from the registry.
    func deregisterWorker(id: String) async throws
    /// Sagas leased to this worker, apart from `excluding` (those it runs): sagas delivered to it
    /// whose notification it never saw, or whose start it could not confirm.
    func sagasAssigned(to workerID: String, excluding: Set<UUID>) async throws -> [ClaimedSaga]

    /// Sends notifications to the processes sharing the store (PostgreSQL NOTIFY, coalesced);
    /// a no-op where there are none.
    func notify(_ notifications: [StoreNotification]) async throws

    /// Streams the notifications of `channels` from other processes, where the backend supports
    /// it. Calls `connected` each time listening (re)starts, since anything may have happened
    /// before. Returns when the task is cancelled.
    func listen(
        _ channels: [NotificationChannel], connected: @escaping @Sendable () -> Void,
        _ handler: @escaping @Sendable (StoreNotification) -> Void
    ) async throws

    /// Whether starts can be delivered to workers in other processes (``NewSaga/Assignment/idleWorker(excluding:leaseUntil:)``).
    var deliversAcrossProcesses: Bool { get }

    /// Writes and statements issued so far (for `arcadia bench`).
    var statistics: StoreStatistics { get }
}

/// Counters kept by a store.
package struct StoreStatistics: Sendable, Hashable, Codable {
    /// Committed write transactions.
    package var commits: Int
    /// SQL statements sent (each a round trip to the database), notifications included.
    package var statements: Int
    /// Claim statements (``SagaStore/claim(_:)``), and those that found nothing.
    package var claims: Int
    package var emptyClaims: Int
    /// Notifications that only announce finished sagas to observers (see ``StoreNotification/sagaFinished(_:_:)``),
    /// counted apart from ``statements``.
    package var observationStatements: Int

    package init(commits: Int = 0, statements: Int = 0, claims: Int = 0, emptyClaims: Int = 0, observationStatements: Int = 0) {
        self.commits = commits
        self.statements = statements
        self.claims = claims
        self.emptyClaims = emptyClaims
        self.observationStatements = observationStatements
    }

    /// The difference `self - earlier`.
    package func since(_ earlier: StoreStatistics) -> StoreStatistics {
        StoreStatistics(
            commits: commits - earlier.commits, statements: statements - earlier.statements, claims: claims - earlier.claims,
            emptyClaims: emptyClaims - earlier.emptyClaims, observationStatements: observationStatements - earlier.observationStatements)
    }

    /// The sum `self + other`.
    package func adding(_ other: StoreStatistics) -> StoreStatistics {
        StoreStatistics(
            commits: commits + other.commits, statements: statements + other.statements, claims: claims + other.claims,
            emptyClaims: emptyClaims + other.emptyClaims, observationStatements: observationStatements + other.observationStatements)
    }
}
