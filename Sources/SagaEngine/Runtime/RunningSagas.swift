import Foundation
import Synchronization

/// The sagas this process's workers hold right now, so cancels and kills reach them at once.
final class RunningSagas: Sendable {
    private struct State {
        var handles: [UUID: SagaHandle] = [:]
        /// Tasks waiting for a saga to be let go, by waiter id.
        var waiters: [UUID: [UInt64: CheckedContinuation<Void, Never>]] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    func insert(_ handle: SagaHandle) { state.withLock { $0.handles[handle.sagaID] = handle } }

    func remove(_ handle: SagaHandle) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.handles[handle.sagaID] === handle else { return [] }
            state.handles[handle.sagaID] = nil
            return Array((state.waiters.removeValue(forKey: handle.sagaID) ?? [:]).values)
        }
        for waiter in waiters { waiter.resume() }
    }

    func deliverCancel(_ sagaID: UUID) { state.withLock { $0.handles[sagaID] }?.deliverCancel() }

    func markLost(_ sagaID: UUID) { state.withLock { $0.handles[sagaID] }?.markLost() }

    var count: Int { state.withLock { $0.handles.count } }

    /// The ids of the sagas held right now.
    var ids: Set<UUID> { state.withLock { Set($0.handles.keys) } }

    /// Returns once no worker of this process holds the saga, or the task is cancelled.
    func waitUntilReleased(_ sagaID: UUID) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let held = state.withLock { state -> Bool in
                    guard state.handles[sagaID] != nil, !Task.isCancelled else { return false }
                    state.waiters[sagaID, default: [:]][id] = continuation
                    return true
                }
                if !held { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters[sagaID]?.removeValue(forKey: id) }?.resume()
        }
    }
}
