import Synchronization

/// A value delivered once, awaited by one task; a cancelled wait returns a fallback at once.
final class OneShot<T: Sendable>: Sendable {
    private struct State {
        var value: T?
        var waiter: CheckedContinuation<T, Never>?
        var done = false
    }

    private let state = Mutex(State())

    /// Delivers the value (only the first delivery counts).
    func fulfil(_ value: T) {
        let waiter = state.withLock { state -> CheckedContinuation<T, Never>? in
            guard !state.done else { return nil }
            state.done = true
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.value = value
            return nil
        }
        waiter?.resume(returning: value)
    }

    /// The value, or `fallback` if the task is cancelled first.
    func value(orOnCancel fallback: T) async -> T {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
                let ready = state.withLock { state -> T?? in
                    if let value = state.value { return .some(value) }
                    if state.done || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                switch ready {
                case .some(.some(let value)): continuation.resume(returning: value)
                case .some(.none): continuation.resume(returning: fallback)
                case .none: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<T, Never>? in
                defer { state.waiter = nil }
                state.done = true
                return state.waiter
            }
            waiter?.resume(returning: fallback)
        }
    }
}
