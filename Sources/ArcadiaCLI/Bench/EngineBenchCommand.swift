import ArcadiaServer
import ArcadiaStorage
import ArgumentParser
import Foundation
import Logging
import SagaEngine
import Synchronization

/// `arcadia bench engine`: runs `test-echo` sagas in a closed loop and reports throughput, latency
/// and database cost per step.
struct EngineBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Run test-echo sagas and print sagas/s, steps/s, p50/p99 latency and commits per step.",
        discussion: """
            Keeps --concurrency sagas in flight until --sagas have completed. Latency is submit to terminal,
            from the saga's own timestamps. With --workers P > 1 (PostgreSQL), P `arcadia worker` processes
            share the slots, after the same load ran in this process as the reference (one_process_steps_per_s,
            vs_one_process). Statement counts cover the engine in every process over the measured window;
            the workers' finished-saga notifications the benchmark observes are counted apart.
            With --pgbench (PostgreSQL), also measures the server's one-row-INSERT ceiling with pgbench
            (16 clients) and prints steps/s as a ratio of it.
            """)

    @Option(help: "Database URL (default: a new temporary SQLite file).")
    var database: String?

    @Option(help: "Sagas to complete.")
    var sagas: Int = 1000

    @Option(help: "Echo steps per saga.")
    var steps: Int = 5

    @Option(help: "Sagas in flight (and worker slots in total).")
    var concurrency: Int = 16

    @Option(help: "Worker processes (1: workers run inside this process).")
    var workers: Int = 1

    @Option(help: "PostgreSQL connections of this process (default: concurrency + 8).")
    var connections: Int?

    @Option(help: "Sagas parked in a one-hour durable wait during the run (test-sleep).")
    var parked: Int = 0

    @Option(help: "Sagas queued behind one lock key during the run (its holder is parked for an hour).")
    var blocked: Int = 0

    @Flag(help: "Also run pgbench against the same PostgreSQL and report the ratio.")
    var pgbench = false

    @Option(help: "Transactions per pgbench client (16 clients).")
    var pgbenchTransactions: Int = 4000

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard (1...10_000_000).contains(sagas) else { throw ValidationError("--sagas must be between 1 and 10000000") }
        guard (1...1000).contains(steps) else { throw ValidationError("--steps must be between 1 and 1000") }
        guard (1...1024).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 1024") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be between 1 and 64") }
        guard parked >= 0 else { throw ValidationError("--parked must not be negative") }
        guard blocked >= 0 else { throw ValidationError("--blocked must not be negative") }
        if let connections, !(2...1024).contains(connections) { throw ValidationError("--connections must be between 2 and 1024") }
        if let database {
            do { _ = try DatabaseURL.parse(database) } catch let error as StorageError { throw ValidationError(error.message) }
        }
    }

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.warning)
        var logger = Logger(label: "arcadia.bench")
        logger.logLevel = .warning
        var temporary: String?
        let text: String
        if let database {
            text = database
        } else {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("arcadia-bench-\(UUID().uuidString).sqlite").path
            temporary = path
            text = "sqlite:" + path
        }
        defer {
            if let temporary {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: temporary + suffix) }
            }
        }
        let url = try DatabaseURL.parse(text)
        let runner = EngineBench(
            url: url, urlText: text, sagas: sagas, steps: steps, concurrency: concurrency, workers: workers, parked: parked, blocked: blocked,
            connections: connections ?? concurrency + 8, logger: logger)
        var result = try await runner.run()
        if pgbench {
            guard case .postgres(let parts) = url else { throw ValidationError("--pgbench needs a postgres:// database") }
            let tps = try PgBench.run(parts, transactionsPerClient: pgbenchTransactions, clients: 16)
            result.pgbenchTps = tps
            result.stepsVsPgbench = result.stepsPerS / tps
        }
        if json {
            print(SagaJSON.render(result))
        } else {
            print(result.humanReadable)
        }
    }
}

/// The figures `arcadia bench engine` prints (JSON keys in snake_case).
struct EngineBenchResult: Encodable {
    var backend: String
    var sagas: Int
    var steps: Int
    var concurrency: Int
    var workers: Int
    var parked: Int
    var blocked: Int
    var completed: Int
    var wallS: Double
    var sagasPerS: Double
    var stepsPerS: Double
    var p50Ms: Double
    var p99Ms: Double
    var commitsPerStep: Double
    var statementsPerStep: Double
    var claimsPerSaga: Double
    var emptyClaimsPerSaga: Double
    var observationStatementsPerStep: Double
    var peakRssMb: Double
    var oneProcessStepsPerS: Double?
    var vsOneProcess: Double?
    var pgbenchTps: Double?
    var stepsVsPgbench: Double?

    var humanReadable: String {
        var lines = [
            "backend            \(backend) (\(workers) worker process\(workers == 1 ? "" : "es"), concurrency \(concurrency))",
            "sagas              \(completed)/\(sagas) completed, \(steps) steps each\(parked > 0 ? ", \(parked) parked in durable waits" : "")"
                + (blocked > 0 ? ", \(blocked) queued behind a lock key" : ""),
            String(format: "wall               %.2f s", wallS),
            String(format: "sagas_per_s        %.1f", sagasPerS),
            String(format: "steps_per_s        %.1f", stepsPerS),
            String(format: "p50_ms             %.2f", p50Ms),
            String(format: "p99_ms             %.2f", p99Ms),
            String(format: "commits_per_step   %.3f  (floor: 1 + 1/steps for the start)", commitsPerStep),
            String(format: "statements_per_step %.3f", statementsPerStep),
            String(format: "claims_per_saga    %.3f  (claim statements; empty: %.3f per saga)", claimsPerSaga, emptyClaimsPerSaga),
            String(
                format: "observation        %.3f statements per step (finished-saga notifications, not counted above)", observationStatementsPerStep),
            String(format: "peak_rss_mb        %.1f  (this process)", peakRssMb),
        ]
        if let oneProcessStepsPerS, let vsOneProcess {
            lines.append(String(format: "one_process_steps_per_s %.1f  (the same load in this process, same run)", oneProcessStepsPerS))
            lines.append(String(format: "vs_one_process     %.1f%%", vsOneProcess * 100))
        }
        if let pgbenchTps, let stepsVsPgbench {
            lines.append(String(format: "pgbench_tps        %.1f  (one-row INSERT, 16 clients)", pgbenchTps))
            lines.append(String(format: "steps_vs_pgbench   %.1f%%", stepsVsPgbench * 100))
        }
        return lines.joined(separator: "\n")
    }
}
