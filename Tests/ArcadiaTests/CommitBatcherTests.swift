import Foundation
import SagaEngine
import Synchronization
import Testing

@testable import ArcadiaStorage

/// Group commit across sagas (``CommitBatcher``) with a scripted writer.
@Suite("Commit batching")
struct CommitBatcherTests {
    @Test("commits that arrive while a batch is written go together in the next one, each with its own result")
    func batchesWhatQueues() async throws {
        let writer = ScriptedWriter(holdFirst: 2)
        let batcher = CommitBatcher(concurrency: 1, maximumBatch: 64)
        let first = Task { try await batcher.commit(Self.commit(token: 100), write: writer.write) }
        await writer.waitUntilWriting(1)
        let rest = (1...10).map { token in Task { try await batcher.commit(Self.commit(token: Int64(token)), write: writer.write) } }
        try await withTimeout(.seconds(10)) { await batcher.waitUntilQueued(10) }
        writer.release(1)
        #expect(try await first.value.attempts == 100)
        await writer.waitUntilWriting(2)
        writer.release(2)
        for (offset, task) in rest.enumerated() {
            // The scripted writer answers each commit with its own fencing token as `attempts`.
            #expect(try await task.value.attempts == offset + 1)
        }
        #expect(writer.batchSizes == [1, 10])
    }

    @Test("a cancelled leader does not fail the commits riding in its batch")
    func leaderCancellationIsContained() async throws {
        let writer = ScriptedWriter(holdFirst: 2)
        let batcher = CommitBatcher(concurrency: 1, maximumBatch: 64)
        let first = Task { try await batcher.commit(Self.commit(token: 1), write: writer.write) }
        await writer.waitUntilWriting(1)
        let leader = Task { try await batcher.commit(Self.commit(token: 2), write: writer.write) }
        try await withTimeout(.seconds(10)) { await batcher.waitUntilQueued(1) }
        let rider = Task { try await batcher.commit(Self.commit(token: 3), write: writer.write) }
        try await withTimeout(.seconds(10)) { await batcher.waitUntilQueued(2) }
        writer.release(1)
        _ = try await first.value
        await writer.waitUntilWriting(2)
        leader.cancel()
        writer.release(2)
        #expect(try await rider.value.attempts == 3)
        #expect(try await leader.value.attempts == 2)
        #expect(writer.batchSizes == [1, 2])
    }

    @Test("never more batches in flight than allowed, and nothing lost under a burst")
    func boundedConcurrency() async throws {
        let writer = ScriptedWriter(holdFirst: 0)
        let batcher = CommitBatcher(concurrency: 2, maximumBatch: 16)
        try await withThrowingTaskGroup(of: (Int64, Int).self) { group in
            for token in 1...400 {
                group.addTask { (Int64(token), try await batcher.commit(Self.commit(token: Int64(token)), write: writer.write).attempts) }
            }
            var answered = 0
            for try await (token, attempts) in group {
                #expect(Int64(attempts) == token)
                answered += 1
            }
            #expect(answered == 400)
        }
        #expect(writer.maximumInFlight <= 2)
        #expect(writer.batchSizes.reduce(0, +) == 400)
        #expect(writer.batchSizes.allSatisfy { $0 <= 16 })
        #expect(batcher.queued == 0)
    }

    static func commit(token: Int64) -> SagaCommit {
        SagaCommit(sagaID: UUID(), fencingToken: token, status: .running, currentStep: 1, runAt: Date(), now: Date())
    }
}

/// A batch writer that records batch sizes, can hold its first batches until released, and fails
/// the commits of a batch whose task was cancelled (as a database client would).
private final class ScriptedWriter: Sendable {
    private struct State {
        var batchSizes: [Int] = []
        var inFlight = 0
        var maximumInFlight = 0
        var gates: [Int: CheckedContinuation<Void, Never>] = [:]
        var released: Set<Int> = []
        var writingWaiters: [(Int, CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())
    private let holdFirst: Int

    init(holdFirst: Int) { self.holdFirst = holdFirst }

    var batchSizes: [Int] { state.withLock { $0.batchSizes } }
    var maximumInFlight: Int { state.withLock { $0.maximumInFlight } }

    var write: CommitBatcher.Writer {
        { commits in await self.run(commits) }
    }

    private func run(_ commits: [SagaCommit]) async -> [Result<CommitResult, any Error>] {
        let (number, waiters) = state.withLock { state -> (Int, [CheckedContinuation<Void, Never>]) in
            state.batchSizes.append(commits.count)
            state.inFlight += 1
            state.maximumInFlight = max(state.maximumInFlight, state.inFlight)
            let number = state.batchSizes.count
            let ready = state.writingWaiters.filter { $0.0 <= number }.map(\.1)
            state.writingWaiters.removeAll { $0.0 <= number }
            return (number, ready)
        }
        for waiter in waiters { waiter.resume() }
        if number <= holdFirst {
            await withCheckedContinuation { (gate: CheckedContinuation<Void, Never>) in
                let open = state.withLock { state -> Bool in
                    if state.released.contains(number) { return true }
                    state.gates[number] = gate
                    return false
                }
                if open { gate.resume() }
            }
        } else {
            await Task.yield()
        }
        state.withLock { $0.inFlight -= 1 }
        if Task.isCancelled { return commits.map { _ in .failure(CancellationError()) } }
        return commits.map { .success(CommitResult(applied: true, cancelRequested: false, attempts: Int($0.fencingToken))) }
    }

    func release(_ number: Int) {
        let gate = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.released.insert(number)
            return state.gates.removeValue(forKey: number)
        }
        gate?.resume()
    }

    func waitUntilWriting(_ number: Int) async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let already = state.withLock { state -> Bool in
                if state.batchSizes.count >= number { return true }
                state.writingWaiters.append((number, waiter))
                return false
            }
            if already { waiter.resume() }
        }
    }
}
