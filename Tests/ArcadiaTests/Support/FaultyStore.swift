import Foundation
import SagaEngine
import Synchronization

/// A real store whose heartbeats or claims can be made to fail (a database the worker can no
/// longer reach); everything else goes to the real store. Counts the claims it was asked for.
final class FaultyStore: SagaStore {
    let base: any SagaStore
    private let failing = Mutex(false)
    private let failingClaims = Mutex(false)
    private let claimCount = Mutex<(count: Int, waiters: [(Int, CheckedContinuation<Void, Never>)])>((0, []))

    init(_ base: any SagaStore) { self.base = base }

    /// From now on every heartbeat throws (or, with false, goes through again).
    func failHeartbeats(_ fail: Bool) { failing.withLock { $0 = fail } }

    /// From now on every claim throws (or, with false, goes through again).
    func failClaims(_ fail: Bool) { failingClaims.withLock { $0 = fail } }

    /// Returns once `count` claims were asked for.
    func waitForClaims(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let reached = claimCount.withLock { state -> Bool in
                guard state.count < count else { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if reached { continuation.resume() }
        }
    }

    var claimsAskedFor: Int { claimCount.withLock { $0.count } }

    private let holding = Mutex<(enabled: Bool, held: [CheckedContinuation<Void, Never>], waiters: [CheckedContinuation<Void, Never>])>(
        (false, [], []))

    /// From now on, a commit that also claims the next saga waits before it is written, until
    /// ``releaseHeldCommits()``.
    func holdCommitsThatClaim() { holding.withLock { $0.enabled = true } }

    /// Returns once a commit is held.
    func waitUntilCommitHeld() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = holding.withLock { state -> Bool in
                guard state.held.isEmpty else { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Lets held commits (and later ones) through.
    func releaseHeldCommits() {
        let held = holding.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.enabled = false
            defer { state.held.removeAll() }
            return state.held
        }
        for commit in held { commit.resume() }
    }

    struct Unreachable: Error, CustomStringConvertible {
        var description: String { "the database did not answer (injected)" }
    }

    func heartbeat(sagaID: UUID, fencingToken: Int64, leaseUntil: Date, now: Date) async throws -> HeartbeatResult {
        if failing.withLock({ $0 }) { throw Unreachable() }
        return try await base.heartbeat(sagaID: sagaID, fencingToken: fencingToken, leaseUntil: leaseUntil, now: now)
    }

    func migrate() async throws { try await base.migrate() }
    func createSaga(_ saga: NewSaga) async throws -> CreateResult { try await base.createSaga(saga) }
    func claim(_ request: ClaimRequest) async throws -> ClaimResult {
        let ready = claimCount.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.count += 1
            let ready = state.waiters.filter { $0.0 <= state.count }.map(\.1)
            state.waiters.removeAll { $0.0 <= state.count }
            return ready
        }
        for waiter in ready { waiter.resume() }
        if failingClaims.withLock({ $0 }) { throw Unreachable() }
        return try await base.claim(request)
    }
    func commit(_ commit: SagaCommit) async throws -> CommitResult {
        if commit.claimNext != nil, holding.withLock({ $0.enabled }) {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let (hold, waiters) = holding.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
                    guard state.enabled else { return (false, []) }
                    state.held.append(continuation)
                    defer { state.waiters.removeAll() }
                    return (true, state.waiters)
                }
                for waiter in waiters { waiter.resume() }
                if !hold { continuation.resume() }
            }
        }
        return try await base.commit(commit)
    }
    func requestCancel(sagaID: UUID, now: Date) async throws -> SagaRecord? { try await base.requestCancel(sagaID: sagaID, now: now) }
    func saga(id: UUID) async throws -> SagaRecord? { try await base.saga(id: id) }
    func sagas(ids: [UUID]) async throws -> [SagaRecord] { try await base.sagas(ids: ids) }
    func steps(sagaID: UUID) async throws -> [StepRecord] { try await base.steps(sagaID: sagaID) }
    func events(sagaID: UUID) async throws -> [SagaEvent] { try await base.events(sagaID: sagaID) }
    func lockBlockers(sagaID: UUID) async throws -> [LockBlocker] { try await base.lockBlockers(sagaID: sagaID) }
    func list(_ filter: SagaFilter) async throws -> [SagaRecord] { try await base.list(filter) }
    func countByStatus() async throws -> [SagaStatus: Int] { try await base.countByStatus() }
    func countDue(now: Date) async throws -> Int { try await base.countDue(now: now) }
    func registerWorker(id: String, slots: Int, accepting: Bool) async throws {
        try await base.registerWorker(id: id, slots: slots, accepting: accepting)
    }
    func deregisterWorker(id: String) async throws { try await base.deregisterWorker(id: id) }
    func sagasAssigned(to workerID: String, excluding: Set<UUID>) async throws -> [ClaimedSaga] {
        try await base.sagasAssigned(to: workerID, excluding: excluding)
    }
    func notify(_ notifications: [StoreNotification]) async throws { try await base.notify(notifications) }
    func listen(
        _ channels: [NotificationChannel], connected: @escaping @Sendable () -> Void,
        _ handler: @escaping @Sendable (StoreNotification) -> Void
    ) async throws {
        try await base.listen(channels, connected: connected, handler)
    }
    var deliversAcrossProcesses: Bool { base.deliversAcrossProcesses }
    var statistics: StoreStatistics { base.statistics }
}
