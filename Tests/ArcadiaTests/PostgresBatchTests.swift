import Foundation
import SagaEngine
import Testing

@testable import ArcadiaStorage

/// The batched commit statement of the PostgreSQL store, on a real PostgreSQL.
@Suite("PostgreSQL batched commits")
struct PostgresBatchTests {
    @Test(
        "one statement for many sagas: each fenced on its own token; one PostgreSQL rejects does not take the others down",
        arguments: Backend.enabled.filter { $0 == .postgres })
    func batchedStatement(backend: Backend) async throws {
        try await TestDatabase.withStore(backend) { store, _ in
            let postgres = try #require(store as? PostgresSagaStore)
            let engine = SagaEngine(store: store, registry: .testing, logger: TestDatabase.logger)
            var ids: [UUID] = []
            for _ in 0..<4 { ids.append(try await engine.start("test-echo", inputs: ["steps": 2]).saga.id) }
            let now = Date()
            // Workers commit only while they hold a lease: claim all four (one statement).
            let claimed = try await store.claim(ClaimRequest(workerID: "w", now: now, leaseUntil: now.addingTimeInterval(60), limit: 4))
            #expect(claimed.claimed.count == 4)
            let tokens = Dictionary(uniqueKeysWithValues: claimed.claimed.map { ($0.saga.id, $0.saga.fencingToken) })
            func park(_ id: UUID, token: Int64, detail: String = "parked") -> SagaCommit {
                var commit = SagaCommit(
                    sagaID: id, fencingToken: token, status: .waiting, currentStep: 0, runAt: now.addingTimeInterval(60), now: now)
                commit.context = ["note": .string("batched")]
                commit.waitKind = .poll
                commit.releaseLease = true
                commit.attempt = StepAttempt(index: 0, name: "echo", phase: .attempt)
                commit.events = [NewSagaEvent(.stepWaiting, step: 0, detail: detail), NewSagaEvent(.stepStarted, step: nil)]
                return commit
            }

            let before = store.statistics
            let first = await postgres.writeBatch([
                park(ids[0], token: tokens[ids[0]]!), park(ids[1], token: 7), park(ids[2], token: tokens[ids[2]]!),
            ])
            let after = store.statistics
            #expect(after.statements - before.statements == 1)
            #expect(after.commits - before.commits == 1)
            #expect(try first.map { try $0.get().applied } == [true, false, true])
            #expect(try first[0].get().attempts == 2)
            let parked = try #require(try await store.saga(id: ids[0]))
            #expect(parked.status == .waiting && parked.context["note"] == "batched" && parked.waitKind == .poll)
            #expect(try await store.saga(id: ids[1])?.status == .running)
            let events = try await store.events(sagaID: ids[0]).map(\.kind)
            #expect(Array(events.suffix(2)) == [.stepWaiting, .stepStarted])
            #expect(try await store.events(sagaID: ids[1]).map(\.kind).contains(.stepWaiting) == false)

            // A NUL byte is rejected by PostgreSQL: that commit fails alone, the other is written.
            let second = await postgres.writeBatch([park(ids[1], token: tokens[ids[1]]!, detail: "bad\u{0}"), park(ids[3], token: tokens[ids[3]]!)])
            #expect(throws: StorageError.self) { try second[0].get() }
            #expect(try second[1].get().applied)
            #expect(try second[1].get().attempts == 2)
            // A commit after the lease was released (parked) is fenced out.
            let third = await postgres.writeBatch([park(ids[0], token: tokens[ids[0]]!), park(ids[3], token: tokens[ids[3]]!)])
            #expect(try third.map { try $0.get().applied } == [false, false])
            #expect(try await store.saga(id: ids[1])?.status == .running)
        }
    }
}
