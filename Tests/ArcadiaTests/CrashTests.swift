import ArcadiaStorage
import Foundation
import PostgresNIO
import SagaEngine
import Testing

/// Workers as real child processes, killed with SIGKILL mid-step.
@Suite("Crash safety and scale-out", .serialized)
struct CrashTests {
    private static let lease = 4.0
    private static let heartbeat = 1.0

    private static func workerArguments(_ url: String, concurrency: Int = 2) -> [String] {
        [
            "worker", "--database", url, "--concurrency", "\(concurrency)", "--lease-seconds", "\(lease)",
            "--heartbeat-seconds", "\(heartbeat)", "--poll-seconds", "0.2",
        ]
    }

    @Test(
        "SIGKILL mid-step: another worker finishes the saga, the effect happens once, re-claim within lease + heartbeat", arguments: Backend.enabled)
    func killWorkerMidStep(backend: Backend) async throws {
        let effects = FileManager.default.temporaryDirectory.appendingPathComponent("arcadia-effects-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: effects, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: effects) }
        try await TestDatabase.withStore(backend) { store, url in
            let engine = SagaEngine(store: store, registry: .testing, logger: TestDatabase.logger)
            let (saga, _) = try await engine.start("test-effect", inputs: ["effects_dir": .string(effects.path), "hold_attempts": 1])

            let first = try ChildProcess(Self.workerArguments(url))
            try await first.waitForLine(containing: "record_effect holding")
            // A second worker is up (idle: the saga is leased to the first) when the first dies.
            let second = try ChildProcess(Self.workerArguments(url))
            try await second.waitForLine(containing: "worker started")
            first.kill(SIGKILL)
            let killedAt = Date()
            _ = try await first.waitForExit()

            let done = try await engine.waitUntilTerminal(saga.id, timeout: .seconds(60))
            second.kill(SIGTERM)
            #expect(try await second.waitForExit() == 0)

            #expect(done.status == .completed)
            let detail = try await engine.detail(saga.id)
            #expect(detail.steps.map(\.attempts) == [1, 2, 1])
            let claims = detail.events.filter { $0.kind == .claimed || $0.kind == .reclaimed }
            #expect(claims.map(\.kind) == [.claimed, .reclaimed])
            let reclaim = try #require(claims.last).at.timeIntervalSince(killedAt)
            #expect(reclaim <= Self.lease + Self.heartbeat, "re-claim took \(reclaim) s")

            // The side effect happened exactly once although the step ran twice.
            let files = try FileManager.default.contentsOfDirectory(atPath: effects.path)
            #expect(files.filter { $0.hasPrefix("effect-") } == ["effect-\(saga.id.uuidString.lowercased())-1"])
            let attempts = try String(contentsOf: effects.appendingPathComponent("attempts.log"), encoding: .utf8)
                .split(separator: "\n")
            #expect(attempts.count == 2)
            // Nothing is stranded: no saga is left non-terminal.
            let counts = try await store.countByStatus()
            #expect(counts.keys.allSatisfy { $0.isTerminal })
        }
    }

    @Test(
        "LISTEN/NOTIFY: an idle worker in another process starts new work at once, not at its next poll",
        .enabled(if: Backend.enabled.contains(.postgres)))
    func notifyWakesIdleWorker() async throws {
        try await TestDatabase.withStore(.postgres) { store, url in
            let engine = SagaEngine(store: store, registry: .testing, logger: TestDatabase.logger)
            let worker = try ChildProcess([
                "worker", "--database", url, "--concurrency", "2", "--poll-seconds", "300", "--lease-seconds", "30",
            ])
            try await worker.waitForLine(containing: "worker started")
            // Let the worker finish its first look for work and go idle (it logs nothing then), so
            // the saga below can only reach it through NOTIFY: its next poll is five minutes away.
            let (warmup, _) = try await engine.start("test-echo", inputs: ["steps": 1])
            _ = try await engine.waitUntilTerminal(warmup.id, timeout: .seconds(20))
            let (saga, _) = try await engine.start("test-echo", inputs: ["steps": 1])
            let done = try await engine.waitUntilTerminal(saga.id, timeout: .seconds(20))
            worker.kill(SIGTERM)
            _ = try await worker.waitForExit()
            #expect(done.status == .completed)
            let claimed = try #require(try await engine.detail(saga.id).events.first { $0.kind == .claimed })
            let delay = claimed.at.timeIntervalSince(saga.createdAt)
            #expect(delay < 1, "claimed \(delay) s after the start")
        }
    }

    @Test(
        "scale-out: 4 worker processes run 2,000 five-step sagas, each step committed once, one worker per saga",
        .enabled(if: Backend.enabled.contains(.postgres)))
    func scaleOut() async throws {
        let sagaCount = 2000
        try await TestDatabase.withStore(.postgres) { store, url in
            let engine = SagaEngine(store: store, registry: .testing, logger: TestDatabase.logger)
            var ids: [UUID] = []
            for _ in 0..<sagaCount {
                ids.append(
                    try await engine.start(
                        "test-echo", inputs: ["steps": 5], options: .init(notifyWorkers: false)
                    ).saga.id)
            }
            let workers = try (0..<4).map { _ in try ChildProcess(Self.workerArguments(url, concurrency: 8)) }
            for id in ids { _ = try await engine.waitUntilTerminal(id, timeout: .seconds(300)) }
            for worker in workers { worker.kill(SIGTERM) }
            for worker in workers { #expect(try await worker.waitForExit() == 0) }

            let postgres = try #require(store as? PostgresSagaStore)
            func scalar(_ query: PostgresQuery) async throws -> Int {
                var value = 0
                for try await (count) in try await postgres.client.query(query).decode(Int.self) { value = count }
                return value
            }
            #expect(try await scalar("SELECT count(*)::bigint FROM saga_runs WHERE status = 'completed'") == sagaCount)
            #expect(try await scalar("SELECT count(*)::bigint FROM saga_step_results WHERE status = 'completed' AND attempts = 1") == sagaCount * 5)
            #expect(try await scalar("SELECT count(*)::bigint FROM saga_step_results") == sagaCount * 5)
            // Each step's completion was committed exactly once.
            #expect(try await scalar("SELECT count(*)::bigint FROM saga_events WHERE kind = 'step_completed'") == sagaCount * 5)
            #expect(
                try await scalar(
                    "SELECT count(*)::bigint FROM (SELECT saga_id, step_idx FROM saga_events WHERE kind = 'step_completed' GROUP BY 1, 2 HAVING count(*) > 1) d"
                ) == 0)
            // Each saga was claimed once, by one worker: never two workers on one saga.
            #expect(try await scalar("SELECT count(*)::bigint FROM saga_events WHERE kind = 'claimed'") == sagaCount)
            #expect(try await scalar("SELECT count(DISTINCT detail)::bigint FROM saga_events WHERE kind = 'claimed'") >= 2)
        }
    }
}
