import Metrics
import SagaEngine
import Synchronization

/// Group commit for saga commits (each saga's commit stays atomic and fenced on its own token).
typealias CommitBatcher = GroupWriter<SagaCommit, CommitResult>

extension GroupWriter where Item == SagaCommit, Output == CommitResult {
    /// Writes `commit`, alone or in a batch with others.
    func commit(_ commit: SagaCommit, write: @escaping Writer) async throws -> CommitResult {
        try await submit(commit, write: write)
    }
}

/// Groups writes that arrive while earlier ones are being written into one statement: group
/// commit (saga commits; saga starts delivered to workers).
///
/// Up to `concurrency` batches are in flight at once. An item that finds a free slot leads: it
/// writes itself together with whatever waits in the queue. Items that arrive while every slot is
/// busy wait; when a batch finishes, its leader hands the slot to the first waiting item, which
/// then writes the queue as the next batch. At low load every batch holds one item and nothing
/// waits; under load, per-statement costs (round trip, planning, executor start, commit) are shared
/// by every item in the batch.
///
/// Batches are written on behalf of the tasks of the items in them, each in a short task that
/// the leader's cancellation does not reach.
final class GroupWriter<Item: Sendable, Output: Sendable>: Sendable {
    /// Writes a batch; one result per item, in order. Never throws: failures are per item.
    typealias Writer = @Sendable ([Item]) async -> [Result<Output, any Error>]

    private enum Turn: Sendable {
        case done(Result<Output, any Error>)
        /// Write this batch (it contains the woken item, whose waiter is nil).
        case lead([Entry])
    }

    private struct Entry: Sendable {
        var commit: Item
        /// Nil for the commit of the task writing the batch.
        var waiter: CheckedContinuation<Turn, Never>?
    }

    private struct State {
        var queue: [Entry] = []
        var inFlight = 0
        /// Tasks waiting until the queue holds a number of commits (tests).
        var queueWatchers: [(id: UInt64, count: Int, waiter: CheckedContinuation<Void, Never>)] = []
        var nextWatcher: UInt64 = 0

        /// Watchers whose count the queue has reached.
        mutating func reachedWatchers() -> [CheckedContinuation<Void, Never>] {
            let reached = queueWatchers.filter { $0.count <= queue.count }.map(\.waiter)
            queueWatchers.removeAll { $0.count <= queue.count }
            return reached
        }
    }

    private let state = Mutex(State())
    private let concurrency: Int
    private let maximumBatch: Int
    private let batchSizes: Recorder?

    init(concurrency: Int, maximumBatch: Int, batchSizes: Recorder? = nil) {
        self.concurrency = max(1, concurrency)
        self.maximumBatch = max(1, maximumBatch)
        self.batchSizes = batchSizes
    }

    /// Writes `commit`, alone or in a batch with others; `write` writes a batch if this task leads one.
    func submit(_ commit: Item, write: @escaping Writer) async throws -> Output {
        var batch: [Entry]
        let leading = state.withLock { state -> [Entry]? in
            guard state.inFlight < concurrency else { return nil }
            state.inFlight += 1
            return [Entry(commit: commit, waiter: nil)] + takeBatch(&state, limit: maximumBatch - 1)
        }
        if let leading {
            batch = leading
        } else {
            let turn = await withCheckedContinuation { (waiter: CheckedContinuation<Turn, Never>) in
                let (lead, watchers) = state.withLock { state -> ([Entry]?, [CheckedContinuation<Void, Never>]) in
                    // A slot may have freed between the two locks.
                    guard state.inFlight < concurrency else {
                        state.queue.append(Entry(commit: commit, waiter: waiter))
                        return (nil, state.reachedWatchers())
                    }
                    state.inFlight += 1
                    return ([Entry(commit: commit, waiter: nil)] + takeBatch(&state, limit: maximumBatch - 1), [])
                }
                for watcher in watchers { watcher.resume() }
                if let lead { waiter.resume(returning: .lead(lead)) }
            }
            switch turn {
            case .done(let result): return try result.get()
            case .lead(let handed): batch = handed
            }
        }
        return try await writeAndHandOver(batch, write: write).get()
    }

    /// Writes `batch`, answers its waiting commits, passes the slot on; returns the own result.
    private func writeAndHandOver(_ batch: [Entry], write: @escaping Writer) async -> Result<Output, any Error> {
        // Other sagas' commits ride on this task: its cancellation must not fail theirs, so the
        // write runs in a task of its own that cancelling this one does not reach.
        let commits = batch.map(\.commit)
        batchSizes?.record(commits.count)
        var results = await Task { await write(commits) }.value
        while results.count < batch.count { results.append(.failure(StorageError(.query, "a batched write got no result"))) }
        var own: Result<Output, any Error>?
        for (entry, result) in zip(batch, results) {
            if let waiter = entry.waiter { waiter.resume(returning: .done(result)) } else { own = result }
        }
        let next = state.withLock { state -> [Entry]? in
            guard !state.queue.isEmpty else {
                state.inFlight -= 1
                return nil
            }
            return takeBatch(&state, limit: maximumBatch)
        }
        if var next, let waiter = next[0].waiter {
            next[0].waiter = nil
            waiter.resume(returning: .lead(next))
        }
        return own ?? .failure(StorageError(.query, "a batched write got no result"))
    }

    /// Commits waiting for a batch slot (for tests).
    var queued: Int { state.withLock { $0.queue.count } }

    /// Returns once at least `count` commits wait for a batch slot, or the task is cancelled (for tests).
    func waitUntilQueued(_ count: Int) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWatcher += 1
            return state.nextWatcher
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let reached = state.withLock { state -> Bool in
                    guard state.queue.count < count, !Task.isCancelled else { return true }
                    state.queueWatchers.append((id, count, waiter))
                    return false
                }
                if reached { waiter.resume() }
            }
        } onCancel: {
            let watcher = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard let index = state.queueWatchers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.queueWatchers.remove(at: index).waiter
            }
            watcher?.resume()
        }
    }

    private func takeBatch(_ state: inout State, limit: Int) -> [Entry] {
        let count = min(limit, state.queue.count)
        let taken = Array(state.queue.prefix(count))
        state.queue.removeFirst(count)
        return taken
    }
}
