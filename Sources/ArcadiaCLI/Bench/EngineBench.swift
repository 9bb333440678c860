import ArcadiaStorage
import ArgumentParser
import Foundation
import Logging
import SagaEngine
import Synchronization

/// The closed-loop engine benchmark behind `arcadia bench engine`.
struct EngineBench {
    let url: DatabaseURL
    let urlText: String
    let sagas: Int
    let steps: Int
    let concurrency: Int
    let workers: Int
    let parked: Int
    let connections: Int
    let logger: Logger

    func run() async throws -> EngineBenchResult {
        let configuration = SagaEngine.Configuration(leaseDuration: .seconds(30), pollInterval: .seconds(1))
        return try await StoreFactory.withStore(url, maximumConnections: connections, logger: logger) { store in
            let engine = SagaEngine(store: store, registry: CLIEnvironment.registry, configuration: configuration, logger: logger)
            if workers == 1 {
                return try await withThrowingTaskGroup(of: EngineBenchResult?.self) { group in
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
                    group.addTask {
                        try await engine.makeWorker(configuration: .init(concurrency: concurrency)).run()
                        return nil
                    }
                    defer { group.cancelAll() }
                    try await parkSleepers(engine)
                    return try await measure(engine, completions: completions, children: [])
                }
            }
            let perWorker = (concurrency + workers - 1) / workers
            let children = try (0..<workers).map { _ in try WorkerProcess(url: urlText, concurrency: perWorker) }
            let completions = Completions()
            return try await withThrowingTaskGroup(of: EngineBenchResult?.self) { group in
                group.addTask {
                    try await completions.poll(store)
                    return nil
                }
                defer { group.cancelAll() }
                try await parkSleepers(engine)
                let result = try await measure(engine, completions: completions, children: children)
                return result
            }
        }
    }

    /// Starts the parked sagas and waits until every one is in its durable wait.
    private func parkSleepers(_ engine: SagaEngine) async throws {
        guard parked > 0 else { return }
        var ids: [UUID] = []
        for _ in 0..<parked {
            ids.append(try await engine.start("test-sleep", inputs: ["seconds": 3600], options: .init(notifyWorkers: workers > 1)).saga.id)
        }
        for id in ids { _ = try await engine.waitUntil(id, timeout: .seconds(600)) { $0.status == .waiting } }
    }

    private func measure(_ engine: SagaEngine, completions: Completions, children: [WorkerProcess]) async throws -> EngineBenchResult {
        let before = engine.store.statistics
        let submitted = Submitted()
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<min(concurrency, sagas) {
                group.addTask {
                    while submitted.takeTicket() <= sagas {
                        let id = try await engine.start(
                            "test-echo", inputs: ["steps": .int(steps)], options: .init(notifyWorkers: workers > 1)
                        ).saga.id
                        submitted.record(id)
                        try await completions.wait(for: id)
                    }
                }
            }
            try await group.waitForAll()
        }
        let wall = (ContinuousClock.now - started).seconds
        var statistics = engine.store.statistics
        statistics.commits -= before.commits
        statistics.statements -= before.statements
        for child in children {
            let counts = try await child.stop()
            statistics.commits += counts.commits
            statistics.statements += counts.statements
        }
        let records = try await engine.store.sagas(ids: submitted.ids)
        let latencies = records.compactMap { record in record.finishedAt.map { $0.timeIntervalSince(record.createdAt) * 1000 } }.sorted()
        let totalSteps = Double(sagas * steps)
        return EngineBenchResult(
            backend: url.backendName, sagas: sagas, steps: steps, concurrency: concurrency, workers: workers, parked: parked,
            completed: records.filter { $0.status == .completed }.count, wallS: wall, sagasPerS: Double(sagas) / wall,
            stepsPerS: totalSteps / wall, p50Ms: percentile(latencies, 0.50), p99Ms: percentile(latencies, 0.99),
            commitsPerStep: Double(statistics.commits) / totalSteps, statementsPerStep: Double(statistics.statements) / totalSteps,
            peakRssMb: ProcessMemory.peakResidentMegabytes)
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

    /// For workers in other processes: polls the store for the sagas being waited on.
    func poll(_ store: any SagaStore) async throws {
        while !Task.isCancelled {
            let ids = state.withLock { Array($0.waiting.keys) }
            if !ids.isEmpty {
                for saga in try await store.sagas(ids: ids) where saga.status.isTerminal { finish(saga.id) }
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

/// An `arcadia worker` child process used by the benchmark.
final class WorkerProcess: Sendable {
    private let process: Process
    private let errors: Pipe

    init(url: String, concurrency: Int) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["worker", "--database", url, "--concurrency", "\(concurrency)", "--poll-seconds", "0.5"]
        var environment = ProcessInfo.processInfo.environment
        environment["ARCADIA_LOG_LEVEL"] = "info"
        process.environment = environment
        errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    /// Stops the worker (SIGTERM) and returns the commits and statements it reported.
    func stop() async throws -> (commits: Int, statements: Int) {
        process.terminate()
        let process = self.process
        let errors = self.errors
        let output: String = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let data = errors.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }
        }
        guard let line = output.split(separator: "\n").last(where: { $0.contains("worker statistics") }) else {
            throw ValidationError("a worker process exited without reporting statistics:\n\(output.suffix(2000))")
        }
        func value(_ key: String) -> Int {
            guard let range = line.range(of: key + "=") else { return 0 }
            return Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0
        }
        return (value("commits"), value("statements"))
    }
}

/// This process's peak resident memory.
enum ProcessMemory {
    static var peakResidentMegabytes: Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        let kilobytes = Double(line.split(separator: " ").dropFirst().first { Double($0) != nil } ?? "0") ?? 0
        return kilobytes / 1024
    }
}
