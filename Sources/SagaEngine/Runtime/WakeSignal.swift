import Foundation
import Synchronization

/// Wakes idle worker slots when work may be available.
///
/// A signal that finds no waiter is kept as a permit (up to a bound), so a wake-up between a
/// slot's empty claim and its wait is not lost.
///
/// Signals say whether the work may be in the store (a NOTIFY, a released lock key, an operator
/// action) or only in this process's ``LocalHandoff``: a slot woken only for a handoff that
/// another slot already took goes back to sleep without querying the store.
final class WakeSignal: Sendable {
    private struct State {
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var order: [UInt64] = []
        var permits = 0
        var nextID: UInt64 = 0
        /// Store-work signals not yet taken by a slot.
        var storeHints = 0
    }

    private let state = Mutex(State())
    private let maximumPermits: Int

    init(maximumPermits: Int = 64) {
        self.maximumPermits = maximumPermits
    }

    /// Wakes up to `count` waiting slots; `storeWork: false` when the work is only a local handoff.
    func signal(_ count: Int = 1, storeWork: Bool = true) {
        let woken: [CheckedContinuation<Void, Never>] = state.withLock { state in
            if storeWork { state.storeHints = min(maximumPermits, state.storeHints + count) }
            var woken: [CheckedContinuation<Void, Never>] = []
            while woken.count < count, !state.order.isEmpty {
                let id = state.order.removeFirst()
                if let continuation = state.waiters.removeValue(forKey: id) { woken.append(continuation) }
            }
            state.permits = min(maximumPermits, state.permits + (count - woken.count))
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    /// Takes one store-work signal, if any: whether a woken slot should look in the store.
    func takeStoreWork() -> Bool {
        state.withLock { state in
            guard state.storeHints > 0 else { return false }
            state.storeHints -= 1
            return true
        }
    }

    /// Returns when signalled (true), when `deadline` passes on `clock` (false), or when the task
    /// is cancelled.
    @discardableResult
    func wait(until deadline: Date, clock: any SagaClock) async -> Bool {
        if state.withLock({ state in
            guard state.permits > 0 else { return false }
            state.permits -= 1
            return true
        }) {
            return true
        }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.waitForSignal()
                return true
            }
            group.addTask {
                try? await clock.sleep(until: deadline)
                return false
            }
            let signalled = await group.next() ?? false
            group.cancelAll()
            return signalled
        }
    }

    private func waitForSignal() async {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let immediate = state.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    if state.permits > 0 {
                        state.permits -= 1
                        return true
                    }
                    state.waiters[id] = continuation
                    state.order.append(id)
                    return false
                }
                if immediate { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.order.removeAll { $0 == id }
                return state.waiters.removeValue(forKey: id)
            }
            continuation?.resume()
        }
    }
}
