import ArcadiaStorage
import Foundation
import MetricsTestKit
import SagaEngine
import Testing

/// The engine's swift-metrics instruments carry the right values (the server exposes them).
@Suite("Engine metrics", .timeLimit(.minutes(2)))
struct EngineMetricsTests {
    @Test(
        "sagas started and finished by template and status, step durations, claims, re-claims, batch sizes, queue depth", arguments: Backend.enabled)
    func values(backend: Backend) async throws {
        let metrics = TestMetrics()
        let probe = UUID().uuidString
        try await TestDatabase.withStore(backend, metricsFactory: metrics) { store, _ in
            let engine = SagaEngine(
                store: store, registry: .testing, configuration: TestDatabase.fastConfiguration, logger: TestDatabase.logger,
                metricsFactory: metrics)
            // A dead worker's claim: the worker below re-claims the saga when that lease runs out.
            let orphan = try await engine.start("test-echo", inputs: ["steps": 1], options: .init(notifyWorkers: false)).saga.id
            let now = Date()
            #expect(try await store.claimOne(ClaimRequest(workerID: "dead", now: now, leaseUntil: now.addingTimeInterval(0.3))) != nil)
            let worker = engine.makeWorker(configuration: .init(concurrency: 1, queueDepthSampling: .zero))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await worker.run() }
                defer { group.cancelAll() }
                #expect(try await engine.waitUntilTerminal(orphan).status == .completed)
                // The only slot is held by the gate; three sagas wait, due: the sampled queue depth.
                let gate = try await engine.start("t-gate", inputs: ["probe": .string(probe)]).saga.id
                try await Probe.shared.waitEntered(probe + ":gate")
                var waiting: [UUID] = []
                for _ in 0..<3 { waiting.append(try await engine.start("test-echo", inputs: ["steps": 2]).saga.id) }
                await worker.sampleQueueDepth()
                #expect(try metrics.expectGauge("arcadia_saga_queue_depth").lastValue == 3)
                Probe.shared.set(probe + ":open")
                let failing = try await engine.start("test-fail", inputs: ["steps": 1, "fail_at": 0, "fail_attempts": "1"]).saga.id
                for id in waiting + [gate, failing] { _ = try await engine.waitUntilTerminal(id) }
            }
            #expect(try metrics.expectCounter("arcadia_sagas_started_total", [("template", "test-echo")]).totalValue == 4)
            #expect(try metrics.expectCounter("arcadia_sagas_started_total", [("template", "t-gate")]).totalValue == 1)
            #expect(try metrics.expectCounter("arcadia_sagas_finished_total", [("template", "test-echo"), ("status", "completed")]).totalValue == 4)
            #expect(try metrics.expectCounter("arcadia_sagas_finished_total", [("template", "test-fail"), ("status", "completed")]).totalValue == 1)
            // echo: 1 (the orphan) + 3 × 2 + 2 (the gate saga's) executions.
            #expect(try metrics.expectTimer("arcadia_saga_step_duration_seconds", [("step", "echo"), ("phase", "execute")]).values.count == 9)
            // fail: the first attempt fails, the retry succeeds.
            #expect(try metrics.expectTimer("arcadia_saga_step_duration_seconds", [("step", "fail"), ("phase", "execute")]).values.count == 2)
            #expect(try metrics.expectCounter("arcadia_saga_lease_reclaims_total").totalValue == 1)
            let claims = try metrics.expectCounter("arcadia_saga_claims_total", [("source", "dispatcher")]).totalValue
            let empty = metrics.counters(label: "arcadia_saga_claims_empty_total", dimensions: [("source", "dispatcher")]).first?.totalValue ?? 0
            // The store counts claim statements: the dispatcher's, and the one this test made for the dead worker.
            #expect(claims + 1 == Int64(store.statistics.claims))
            #expect(empty == Int64(store.statistics.emptyClaims))
            #expect(try metrics.expectMeter("arcadia_saga_slots_busy").lastValue == 0)
            let batches = try metrics.expectRecorder("arcadia_saga_commit_batch_size").values
            #expect(!batches.isEmpty && batches.allSatisfy { $0 >= 1 })
        }
    }
}
