import Foundation
import Synchronization

/// In-memory state of one saga while a worker in this process holds it: the running step (so a
/// cancel or a lost lease can reach it through task cancellation) and the lease bookkeeping.
final class SagaHandle: Sendable {
    private struct State {
        var cancelRequested = false
        var lost = false
        var timedOut = false
        var cancelStep: (@Sendable () -> Void)?
        /// Whether saga cancel may interrupt the current step (forward steps only).
        var stepCancellable = false
        var stepDeadline: Date?
        var lastRenewal: Date
        var leaseExpiry: Date
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
    var lost: Bool { state.withLock { $0.lost } }
    var timedOut: Bool { state.withLock { $0.timedOut } }
    var lastRenewal: Date { state.withLock { $0.lastRenewal } }

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

    /// The lease is gone (taken over or killed): interrupt whatever runs, write nothing more.
    func markLost() {
        let cancel = state.withLock { state -> (@Sendable () -> Void)? in
            state.lost = true
            return state.cancelStep
        }
        cancel?()
    }

    /// Checks the running step's deadline; interrupts it when passed.
    func checkDeadline(now: Date) {
        let cancel = state.withLock { state -> (@Sendable () -> Void)? in
            guard let deadline = state.stepDeadline, now >= deadline, !state.timedOut else { return nil }
            state.timedOut = true
            return state.cancelStep
        }
        cancel?()
    }

    /// Runs `body` as the current step, reachable by ``deliverCancel()`` and ``markLost()``.
    func runStep<T: Sendable>(
        cancellableByOperator: Bool, deadline: Date?, _ body: @escaping @Sendable () async throws -> T
    ) async -> Result<T, any Error> {
        let task = Task { try await body() }
        let cancelNow = state.withLock { state -> Bool in
            state.cancelStep = { task.cancel() }
            state.stepCancellable = cancellableByOperator
            state.stepDeadline = deadline
            state.timedOut = false
            return state.lost || (cancellableByOperator && state.cancelRequested)
        }
        if cancelNow { task.cancel() }
        let result = await withTaskCancellationHandler {
            await task.result
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
