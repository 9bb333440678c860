import Synchronization

/// Sends NOTIFY payloads one statement at a time; payloads that arrive while a statement is in
/// flight wait and go together in the next one (duplicates sent once). Each caller returns once
/// its payloads were sent.
final class NotificationSender: Sendable {
    typealias Writer = @Sendable ([String]) async throws -> Void

    private enum Turn: Sendable {
        case done((any Error)?)
        case lead([Entry])
    }

    private struct Entry: Sendable {
        var payloads: [String]
        var waiter: CheckedContinuation<Turn, Never>?
    }

    private struct State {
        var queue: [Entry] = []
        var sending = false
    }

    private let state = Mutex(State())

    func send(_ payloads: [String], write: @escaping Writer) async throws {
        var batch: [Entry]
        if state.withLock({ state -> Bool in
            guard !state.sending else { return false }
            state.sending = true
            return true
        }) {
            batch = [Entry(payloads: payloads, waiter: nil)]
        } else {
            let turn = await withCheckedContinuation { (waiter: CheckedContinuation<Turn, Never>) in
                let lead = state.withLock { state -> Bool in
                    guard state.sending else {
                        state.sending = true
                        return true
                    }
                    state.queue.append(Entry(payloads: payloads, waiter: waiter))
                    return false
                }
                if lead { waiter.resume(returning: .lead([Entry(payloads: payloads, waiter: nil)])) }
            }
            switch turn {
            case .done(let error): if let error { throw error } else { return }
            case .lead(let entries): batch = entries
            }
        }
        var seen = Set<String>()
        let unique = batch.flatMap(\.payloads).filter { seen.insert($0).inserted }
        var failure: (any Error)?
        do { try await Task { try await write(unique) }.value } catch { failure = error }
        for entry in batch { entry.waiter?.resume(returning: .done(failure)) }
        let next = state.withLock { state -> [Entry]? in
            guard !state.queue.isEmpty else {
                state.sending = false
                return nil
            }
            defer { state.queue.removeAll() }
            return state.queue
        }
        if var next, let waiter = next[0].waiter {
            next[0].waiter = nil
            waiter.resume(returning: .lead(next))
        }
        if let failure { throw failure }
    }
}
