import Foundation
import Synchronization

/// Wakes one waiting task. A ring that finds nobody waiting is kept until the next wait, so a
/// ring between a task's last look and its wait is never lost.
final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    init() {}

    /// Wakes the waiter, or the next one to wait.
    func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns when rung (true), or false when `deadline` passes on `clock`, when `realDeadline`
    /// passes on the system clock, or when the task is cancelled. One waiter at a time.
    @discardableResult
    func wait(until deadline: Date?, clock: any SagaClock, orAfter realDelay: Duration? = nil) async -> Bool {
        if state.withLock({ state in
            defer { state.rung = false }
            return state.rung
        }) {
            return true
        }
        if deadline == nil, realDelay == nil {
            await waitForRing()
            return !Task.isCancelled
        }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.waitForRing()
                return !Task.isCancelled
            }
            if let deadline {
                group.addTask {
                    try? await clock.sleep(until: deadline)
                    return false
                }
            }
            if let realDelay {
                group.addTask {
                    try? await Task.sleep(for: realDelay)
                    return false
                }
            }
            let rung = await group.next() ?? false
            group.cancelAll()
            return rung
        }
    }

    private func waitForRing() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    if state.rung {
                        state.rung = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
