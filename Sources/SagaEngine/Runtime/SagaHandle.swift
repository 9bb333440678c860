import Foundation
import Synchronization

/// In-memory state of one saga while a worker in this process holds it: the running step (so a
/// cancel, a lost lease or a deadline can reach it through task cancellation) and the lease
/// bookkeeping.
final class SagaHandle: Sendable {
    private struct State {
        var cancelRequested = false
        var lost = false
        var timedOut = false
        var cancelStep: (@Sendable () -> Void)?
        /// Whether saga cancel may interrupt the current step (forward steps only).
        var stepCancellable = false
        var lastRenewal: Date
        var leaseExpiry: Date
        /// The running step's deadline, if any.
        var stepDeadline: Date?
        /// When the saga's guard task next wakes up (it checks the deadline then).
        var guardWake = Date.distantPast
        /// The worker let the saga go (its last commit is written): nothing more to guard.
        var done = false
    }

    let sagaID: UUID
    let fencingToken: Int64
    private let state: Mutex<State>

    init(sagaID: UUID, fencingToken: Int64, cancelRequested: Bool, leaseExpiry: Date, now: Date) {
        self.sagaID = sagaID
        self.fencingToken = fencingToken
        self.state = Mutex(State(cancelRequested: cancelRequested, lastRenewal: now, leaseExpiry: leaseExpiry))
    }

    var cancelRequested: Bool { state.withLock { $0.cancelRequested } }
    /// The worker may no longer write: the lease was taken over, the saga killed, or the lease ran
    /// out without renewal.
    var lost: Bool { state.withLock { $0.lost } }
    var timedOut: Bool { state.withLock { $0.timedOut } }
    var lastRenewal: Date { state.withLock { $0.lastRenewal } }
    /// Whether the worker let the saga go.
    var done: Bool { state.withLock { $0.done } }

    /// The worker lets the saga go: its guard stops without acting.
    func finish() { state.withLock { $0.done = true } }

    /// When the lease currently runs out.
    var leaseExpiry: Date { state.withLock { $0.leaseExpiry } }

    /// Records a lease extension (by a heartbeat or a commit).
    func renewed(at date: Date, until expiry: Date) {
        state.withLock { state in
            state.lastRenewal = date
            state.leaseExpiry = max(state.leaseExpiry, expiry)
        }
    }

    /// An operator asked to cancel: interrupt the running forward step, if any.
    func deliverCancel() {
        let cancel = state.withLock { state -> (@Sendable () -> Void)? in
            state.cancelRequested = true
            return state.stepCancellable ? state.cancelStep : nil
        }
        cancel?()
    }

    /// The lease is gone (taken over, killed, or about to run out unrenewed): interrupt whatever
    /// runs and write nothing more.
    func markLost() {
        let cancel = state.withLock { state -> (@Sendable () -> Void)? in
            state.lost = true
            return state.cancelStep
        }
        cancel?()
    }

    /// The guard task plans its next wake-up from the lease expiry and the step deadline, atomically
    /// with ``runStep(cancellableByOperator:deadline:clock:_:)`` setting a deadline.
    func planGuardWake(_ plan: (_ leaseExpiry: Date, _ stepDeadline: Date?) -> Date) -> Date {
        state.withLock { state in
            let wake = plan(state.leaseExpiry, state.timedOut ? nil : state.stepDeadline)
            state.guardWake = wake
            return wake
        }
    }

    /// Times the running step out when its deadline has passed.
    func checkDeadline(now: Date) {
        let cancel = state.withLock { state -> (@Sendable () -> Void)? in
            guard let deadline = state.stepDeadline, now >= deadline, !state.timedOut else { return nil }
            state.timedOut = true
            return state.cancelStep
        }
        cancel?()
    }

    /// Runs `body` as the current step, reachable by ``deliverCancel()`` and ``markLost()``, and
    /// interrupted when `deadline` passes on `clock` (then ``timedOut`` is true). The saga's guard
    /// task watches the deadline when it wakes before it anyway; only an earlier deadline gets a
    /// timer of its own.
    func runStep<T: Sendable>(
        cancellableByOperator: Bool, deadline: Date?, clock: any SagaClock, _ body: @escaping @Sendable () async throws -> T
    ) async -> Result<T, any Error> {
        let task = Task { try await body() }
        let (cancelNow, ownTimer) = state.withLock { state -> (Bool, Bool) in
            state.cancelStep = { task.cancel() }
            state.stepCancellable = cancellableByOperator
            state.timedOut = false
            state.stepDeadline = deadline
            let ownTimer = deadline.map { $0 < state.guardWake } ?? false
            return (state.lost || (cancellableByOperator && state.cancelRequested), ownTimer)
        }
        if cancelNow { task.cancel() }
        let result = await withTaskCancellationHandler {
            guard ownTimer, let deadline else { return await task.result }
            return await withTaskGroup(of: Result<T, any Error>?.self) { group in
                group.addTask { await task.result }
                group.addTask {
                    do { try await clock.sleep(until: deadline) } catch { return nil }
                    self.checkDeadline(now: deadline)
                    return nil
                }
                var outcome: Result<T, any Error>?
                while let next = await group.next() {
                    if let next {
                        outcome = next
                        break
                    }
                }
                group.cancelAll()
                return outcome ?? .failure(CancellationError())
            }
        } onCancel: {
            task.cancel()
        }
        state.withLock { state in
            state.cancelStep = nil
            state.stepCancellable = false
            state.stepDeadline = nil
        }
        return result
    }
}
