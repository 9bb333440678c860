import ArcadiaStorage
import ArgumentParser
import Foundation
import Logging
import SagaEngine
import Synchronization

/// The closed-loop engine benchmark behind `arcadia bench engine`.
///
/// It keeps `concurrency` sagas in flight, started from this process, until `sagas` completed.
/// With `workers == 1` the workers run in this process; with more, `workers` `arcadia worker`
/// processes share the slots, and the same load first runs in this process as the reference
/// (same run, same database). The figures count the engine's own statements only: in every
/// process, over the measured window. Completions are observed through notifications the workers
/// send (counted apart, as observation), never by polling.
struct EngineBench {
    let url: DatabaseURL
    let urlText: String
    let sagas: Int
    let steps: Int
    let concurrency: Int
    let workers: Int
    let parked: Int
    /// Sagas queued behind one lock key (held by a saga parked for an hour) during the run.
    let blocked: Int
    let connections: Int
    let logger: Logger

    func run() async throws -> EngineBenchResult {
        let configuration = SagaEngine.Configuration(leaseDuration: .seconds(30), pollInterval: .seconds(1))
        return try await StoreFactory.withStore(url, maximumConnections: connections, logger: logger) { store in
            let engine = SagaEngine(store: store, registry: CLIEnvironment.registry(store: store), configuration: configuration, logger: logger)
            try await parkSleepers(engine)
            var reference: Phase?
            if workers > 1 {
                guard case .postgres = url else {
                    throw ValidationError("--workers above 1 needs PostgreSQL (the workers are told of new sagas by notifications)")
                }
                reference = try await inProcess(engine)
            }
            let phase = workers > 1 ? try await inWorkerProcesses(engine) : try await inProcess(engine)
            return try await result(engine, phase, reference: reference)
        }
    }

    /// What one measured run produced.
    struct Phase {
        var ids: [UUID]
        var wall: Double
        var statistics: StoreStatistics
    }

    /// Workers in this process; completions come from its own event bus.
    private func inProcess(_ engine: SagaEngine) async throws -> Phase {
        try await withThrowingTaskGroup(of: Phase?.self) { group in
            let completions = Completions()
            let events = engine.events {
                if case .sagaFinished = $0 { return true }
                return false
            }
            group.addTask {
                for await event in events {
                    if case .sagaFinished(let id, _) = event { completions.finish(id) }
                }
                return nil
            }
            let worker = engine.makeWorker(configuration: .init(concurrency: concurrency))
            let stopped = Completions()
            let done = UUID()
            group.addTask {
                try await worker.run()
                stopped.finish(done)
                return nil
            }
            defer { group.cancelAll() }
            let phase = try await measure(engine, completions: completions, notifyWorkers: false, children: [])
            // A graceful stop leaves the worker registry, so the next phase's starts never target it.
            worker.stopGracefully()
            try await stopped.wait(for: done)
            return phase
        }
    }

    /// `workers` worker processes; completions come from their finished-saga notifications.
    private func inWorkerProcesses(_ engine: SagaEngine) async throws -> Phase {
        let perWorker = (concurrency + workers - 1) / workers
        let children = try (0..<workers).map { _ in try WorkerProcess(url: urlText, concurrency: perWorker) }
        let completions = Completions()
        return try await withThrowingTaskGroup(of: Phase?.self) { group in
            let listening = Completions()
            let ready = UUID()
            group.addTask {
                try await engine.store.listen([.finished], connected: { listening.finish(ready) }) { notification in
                    if case .sagaFinished(let id, _) = notification { completions.finish(id) }
                }
                return nil
            }
            defer { group.cancelAll() }
            try await listening.wait(for: ready)
            for child in children { try await child.waitUntilStarted() }
            return try await measure(engine, completions: completions, notifyWorkers: true, children: children)
        }
    }

    /// Starts the parked sagas (and the lock-key holder with its queue) and waits until every
    /// parked one is in its durable wait.
    private func parkSleepers(_ engine: SagaEngine) async throws {
        guard parked > 0 || blocked > 0 else { return }
        try await withThrowingTaskGroup(of: Void.self) { group in
            let worker = engine.makeWorker(configuration: .init(concurrency: 32))
            group.addTask { try await worker.run() }
            var ids: [UUID] = []
            for _ in 0..<parked {
                ids.append(try await engine.start("test-sleep", inputs: ["seconds": 3600], options: .init(notifyWorkers: false)).saga.id)
            }
            if blocked > 0 {
                let key = "bench:hot"
                ids.append(
                    try await engine.start("test-sleep", inputs: ["seconds": 3600], options: .init(lockKeys: [key], notifyWorkers: false)).saga.id)
                for _ in 0..<blocked {
                    _ = try await engine.start("test-echo", inputs: ["steps": .int(steps)], options: .init(lockKeys: [key], notifyWorkers: false))
                }
            }
            for id in ids { _ = try await engine.waitUntil(id, timeout: .seconds(600)) { $0.status == .waiting } }
            worker.stopGracefully()
            try await group.waitForAll()
        }
    }

    private func measure(_ engine: SagaEngine, completions: Completions, notifyWorkers: Bool, children: [WorkerProcess]) async throws
        -> Phase
    {
        var before = engine.store.statistics
        for child in children { before = before.adding(try await child.statistics()) }
        let submitted = Submitted()
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<min(concurrency, sagas) {
                group.addTask {
                    while submitted.takeTicket() <= sagas {
                        let id = try await engine.start(
                            "test-echo", inputs: ["steps": .int(steps)], options: .init(notifyWorkers: notifyWorkers)
                        ).saga.id
                        submitted.record(id)
                        try await completions.wait(for: id)
                    }
                }
            }
            try await group.waitForAll()
        }
        let wall = (ContinuousClock.now - started).seconds
        var after = engine.store.statistics
        for child in children { after = after.adding(try await child.stop()) }
        return Phase(ids: submitted.ids, wall: wall, statistics: after.since(before))
    }

    private func result(_ engine: SagaEngine, _ phase: Phase, reference: Phase?) async throws -> EngineBenchResult {
        let records = try await engine.store.sagas(ids: phase.ids)
        let latencies = records.compactMap { record in record.finishedAt.map { $0.timeIntervalSince(record.createdAt) * 1000 } }.sorted()
        let totalSteps = Double(sagas * steps)
        let statistics = phase.statistics
        var result = EngineBenchResult(
            backend: url.backendName, sagas: sagas, steps: steps, concurrency: concurrency, workers: workers, parked: parked, blocked: blocked,
            completed: records.filter { $0.status == .completed }.count, wallS: phase.wall, sagasPerS: Double(sagas) / phase.wall,
            stepsPerS: totalSteps / phase.wall, p50Ms: percentile(latencies, 0.50), p99Ms: percentile(latencies, 0.99),
            commitsPerStep: Double(statistics.commits) / totalSteps, statementsPerStep: Double(statistics.statements) / totalSteps,
            claimsPerSaga: Double(statistics.claims) / Double(sagas), emptyClaimsPerSaga: Double(statistics.emptyClaims) / Double(sagas),
            observationStatementsPerStep: Double(statistics.observationStatements) / totalSteps,
            peakRssMb: ProcessMemory.peakResidentMegabytes)
        if let reference {
            result.oneProcessStepsPerS = totalSteps / reference.wall
            result.vsOneProcess = result.stepsPerS / (totalSteps / reference.wall)
        }
        return result
    }

    private func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }
}

extension DatabaseURL {
    var backendName: String {
        switch self {
        case .sqlite: return "sqlite"
        case .postgres: return "postgres"
        }
    }
}

/// Tickets for submitters and the ids they started.
final class Submitted: Sendable {
    private let next = Atomic<Int>(0)
    private let started = Mutex<[UUID]>([])

    func takeTicket() -> Int { next.add(1, ordering: .relaxed).newValue }
    func record(_ id: UUID) { started.withLock { $0.append(id) } }
    var ids: [UUID] { started.withLock { $0 } }
}

/// Submitters wait here for their saga to finish.
final class Completions: Sendable {
    private struct State {
        var waiting: [UUID: CheckedContinuation<Void, Never>] = [:]
        var finished: Set<UUID> = []
    }

    private let state = Mutex(State())

    func finish(_ id: UUID) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiting.removeValue(forKey: id) { return waiter }
            state.finished.insert(id)
            return nil
        }
        continuation?.resume()
    }

    func wait(for id: UUID) async throws {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.finished.remove(id) != nil { return true }
                state.waiting[id] = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }
}
