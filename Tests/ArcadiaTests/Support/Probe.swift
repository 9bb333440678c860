import Foundation
import SagaEngine
import Synchronization

/// Shared observation points for test steps, keyed by a per-test probe id (the `probe` input).
final class Probe: Sendable {
    static let shared = Probe()

    private struct Waiter {
        var id: UUID
        var key: String
        var count: Int
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var entered: [String: Int] = [:]
        var flags: Set<String> = []
        var active: [String: Int] = [:]
        var maxActive: [String: Int] = [:]
        var log: [String: [String]] = [:]
        var waiters: [Waiter] = []
    }

    private let state = Mutex(State())

    /// Records that `key` was entered once more and wakes waiters whose count is reached.
    func enter(_ key: String) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.entered[key, default: 0] += 1
            let count = state.entered[key]!
            let due = state.waiters.filter { $0.key == key && $0.count <= count }
            state.waiters.removeAll { $0.key == key && $0.count <= count }
            return due.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    func enteredCount(_ key: String) -> Int { state.withLock { $0.entered[key] ?? 0 } }

    /// Waits until `key` was entered `count` times; fails after `timeout`.
    func waitEntered(_ key: String, count: Int = 1, timeout: Duration = .seconds(20)) async throws {
        let id = UUID()
        try await withTimeout(timeout, "waiting for \(key) x\(count)") {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let now = self.state.withLock { state -> Bool in
                        if (state.entered[key] ?? 0) >= count || Task.isCancelled { return true }
                        state.waiters.append(Waiter(id: id, key: key, count: count, continuation: continuation))
                        return false
                    }
                    if now { continuation.resume() }
                }
            } onCancel: {
                let waiter = self.state.withLock { state -> Waiter? in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return state.waiters.remove(at: index)
                }
                waiter?.continuation.resume()
            }
        }
    }

    func set(_ flag: String) {
        _ = state.withLock { $0.flags.insert(flag) }
        enter("flag:" + flag)
    }

    /// Waits until `flag` is set; fails after `timeout`.
    func waitFlag(_ flag: String, timeout: Duration) async throws {
        try await waitEntered("flag:" + flag, timeout: timeout)
    }
    func isSet(_ flag: String) -> Bool { state.withLock { $0.flags.contains(flag) } }

    func append(_ key: String, _ entry: String) { state.withLock { $0.log[key, default: []].append(entry) } }
    func log(_ key: String) -> [String] { state.withLock { $0.log[key] ?? [] } }

    /// Marks one more holder of `key` active; returns the new count.
    func activate(_ key: String) {
        state.withLock { state in
            state.active[key, default: 0] += 1
            state.maxActive[key] = max(state.maxActive[key] ?? 0, state.active[key]!)
        }
    }

    func deactivate(_ key: String) { state.withLock { $0.active[key, default: 0] -= 1 } }
    func maxActive(_ key: String) -> Int { state.withLock { $0.maxActive[key] ?? 0 } }

    /// Suspends until the task is cancelled (a step that never finishes on its own).
    static func parkUntilCancelled() async throws {
        let box = Mutex<CheckedContinuation<Void, Never>?>(nil)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let cancelled = box.withLock { slot -> Bool in
                    if Task.isCancelled { return true }
                    slot = continuation
                    return false
                }
                if cancelled { continuation.resume() }
            }
        } onCancel: {
            box.withLock { slot in
                slot?.resume()
                slot = nil
            }
        }
        throw CancellationError()
    }
}
