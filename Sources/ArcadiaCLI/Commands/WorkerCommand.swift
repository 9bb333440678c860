import ArcadiaStorage
import ArgumentParser
import Foundation
import Logging
import SagaEngine
import ServiceLifecycle
import UnixSignals

/// `arcadia worker`: runs sagas until SIGTERM or SIGINT. Start several on one PostgreSQL to scale out.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Run saga workers until interrupted (scale out: many on one PostgreSQL).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var engine: EngineOptions
    @OptionGroup var digitalOcean: DigitalOceanOptions

    @Option(help: "Sagas executed at the same time by this process.")
    var concurrency: Int = 8

    @Flag(help: "Notify other processes of every saga this worker finishes (PostgreSQL; for watchers and the benchmark).")
    var announceFinished = false

    @Option(
        help: ArgumentHelp(
            "Write the store's statement counters as JSON to this file once started, on SIGUSR1 and at exit (used by `arcadia bench`).",
            valueName: "path"))
    var statisticsFile: String?

    func validate() throws {
        guard (1...1024).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 1024") }
    }

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.info)
        let logger = Logger(label: "arcadia.worker")
        let url = try database.url()
        let concurrency = self.concurrency
        let configuration = engine.configuration
        let announce = announceFinished
        let statisticsFile = self.statisticsFile
        let digitalOcean = self.digitalOcean
        try await StoreFactory.withStore(url, maximumConnections: concurrency + 4, batchConcurrency: concurrency >= 32 ? 2 : 1, logger: logger) {
            store in
            let engine = SagaEngine(
                store: store, registry: CLIEnvironment.registry(store: store, digitalOcean: digitalOcean), configuration: configuration,
                logger: logger)
            let worker = engine.makeWorker(configuration: .init(concurrency: concurrency, announceFinished: announce))
            var groupConfiguration = ServiceGroupConfiguration(
                services: [worker], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            // Running steps get this long to finish; after it they are cancelled and their sagas are
            // left to their leases.
            groupConfiguration.maximumGracefulShutdownDuration = .seconds(30)
            let group = ServiceGroup(configuration: groupConfiguration)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                if let statisticsFile {
                    tasks.addTask {
                        let signals = await UnixSignalsSequence(trapping: .sigusr1)
                        // The first file says SIGUSR1 is trapped (until then it would end the process).
                        try Self.write(store.statistics, to: statisticsFile)
                        for await _ in signals { try Self.write(store.statistics, to: statisticsFile) }
                    }
                }
                try await group.run()
                tasks.cancelAll()
            }
            if let statisticsFile { try Self.write(store.statistics, to: statisticsFile) }
            let statistics = store.statistics
            logger.info(
                "worker statistics", metadata: ["commits": "\(statistics.commits)", "statements": "\(statistics.statements)"])
        }
    }

    private static func write(_ statistics: StoreStatistics, to path: String) throws {
        let data = try JSONEncoder().encode(statistics)
        // Written aside and renamed, so a reader never sees half a file.
        try data.write(to: URL(fileURLWithPath: path + ".tmp"))
        _ = rename(path + ".tmp", path)
    }
}
