import ArcadiaStorage
import Foundation
import SagaEngine
import Testing

/// Cancels, idempotent starts and graceful shutdown across real `arcadia` processes.
@Suite("Across processes", .serialized, .timeLimit(.minutes(3)))
struct CrossProcessTests {
    private static func worker(_ url: String, lease: Double, heartbeat: Double, concurrency: Int = 1) throws -> ChildProcess {
        try ChildProcess([
            "worker", "--database", url, "--concurrency", "\(concurrency)", "--lease-seconds", "\(lease)", "--heartbeat-seconds",
            "\(heartbeat)", "--poll-seconds", "0.2",
        ])
    }

    private static func effectsDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arcadia-effects-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test(
        "cancel reaches a step running in another process through NOTIFY, long before its next heartbeat",
        .enabled(if: Backend.enabled.contains(.postgres)))
    func cancelThroughNotify() async throws {
        let effects = try Self.effectsDirectory()
        defer { try? FileManager.default.removeItem(at: effects) }
        try await TestDatabase.withStore(.postgres) { store, url in
            let engine = SagaEngine(store: store, registry: .testing, logger: TestDatabase.logger)
            // Heartbeats every 60 s: only the notification can interrupt the step in time.
            let child = try Self.worker(url, lease: 180, heartbeat: 60)
            try await child.waitForLine(containing: "worker started")
            let saga = try await engine.start("test-effect", inputs: ["effects_dir": .string(effects.path), "hold_attempts": 1]).saga.id
            try await child.waitForLine(containing: "record_effect holding")
            try await engine.cancel(saga)
            let done = try await engine.waitUntilTerminal(saga, timeout: .seconds(20))
            child.kill(SIGTERM)
            #expect(try await child.waitForExit() == 0)
            #expect(done.status == .rolledBack)
            #expect(try await engine.detail(saga).steps.map(\.status) == [.compensated, .compensated])
        }
    }

    @Test("a cancel no notification carries reaches a step in another process at its next heartbeat", arguments: Backend.enabled)
    func cancelThroughHeartbeat(backend: Backend) async throws {
        let effects = try Self.effectsDirectory()
        defer { try? FileManager.default.removeItem(at: effects) }
        try await TestDatabase.withStore(backend) { store, url in
            let engine = SagaEngine(store: store, registry: .testing, logger: TestDatabase.logger)
            let child = try Self.worker(url, lease: 30, heartbeat: 0.5)
            try await child.waitForLine(containing: "worker started")
            let saga = try await engine.start("test-effect", inputs: ["effects_dir": .string(effects.path), "hold_attempts": 1]).saga.id
            try await child.waitForLine(containing: "record_effect holding")
            // Only the flag in the database: no notification is sent.
            #expect(try await store.requestCancel(sagaID: saga, now: Date()) != nil)
            let done = try await engine.waitUntilTerminal(saga, timeout: .seconds(20))
            child.kill(SIGTERM)
            #expect(try await child.waitForExit() == 0)
            #expect(done.status == .rolledBack)
        }
    }

    @Test("concurrent starts with one idempotency key from several processes make exactly one saga", arguments: Backend.enabled)
    func concurrentIdempotentStarts(backend: Backend) async throws {
        try await TestDatabase.withStore(backend) { store, url in
            let key = "deploy-\(UUID().uuidString)"
            let outputs = try await withThrowingTaskGroup(of: (Int32, String, String).self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await ChildProcess.run([
                            "saga", "start", "test-echo", "--input", "steps=2", "--idempotency-key", key, "--database", url, "--json",
                        ])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            var ids = Set<String>()
            for (status, stdout, stderr) in outputs {
                #expect(status == 0, "\(stderr)")
                let object = try JSONDecoder().decode([String: JSONValue].self, from: Data(stdout.utf8))
                if let id = object["id"]?.stringValue { ids.insert(id) }
            }
            #expect(ids.count == 1)
            let listed = try await store.list(SagaFilter(limit: 100))
            #expect(listed.filter { $0.idempotencyKey == key }.count == 1)
        }
    }

    @Test(
        "SIGTERM: the running step finishes, the saga is handed back and another worker continues at once, nothing counted twice",
        arguments: Backend.enabled)
    func gracefulShutdownHandsBack(backend: Backend) async throws {
        let directory = try Self.effectsDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("go").path
        try await TestDatabase.withStore(backend) { store, url in
            let engine = SagaEngine(store: store, registry: .testing, logger: TestDatabase.logger)
            let first = try Self.worker(url, lease: 30, heartbeat: 1)
            try await first.waitForLine(containing: "worker started")
            let saga = try await engine.start("test-wait-file", inputs: ["path": .string(file)]).saga.id
            try await first.waitForLine(containing: "wait_file waiting")
            let second = try Self.worker(url, lease: 30, heartbeat: 1)
            try await second.waitForLine(containing: "worker started")
            first.kill(SIGTERM)
            #expect(FileManager.default.createFile(atPath: file, contents: Data()))
            #expect(try await first.waitForExit() == 0)
            let done = try await engine.waitUntilTerminal(saga, timeout: .seconds(20))
            second.kill(SIGTERM)
            #expect(try await second.waitForExit() == 0)
            #expect(done.status == .completed)
            let detail = try await engine.detail(saga)
            #expect(detail.steps.map(\.attempts) == [1, 1])
            let handedBack = try #require(detail.events.first { $0.kind == .handedBack })
            let taken = try #require(detail.events.last { $0.kind == .claimed })
            #expect(!detail.events.contains { $0.kind == .reclaimed })
            #expect(taken.at >= handedBack.at)
            // Well inside the 30-second lease: nobody waited for it to run out.
            #expect(taken.at.timeIntervalSince(handedBack.at) < 10)
        }
    }
}
