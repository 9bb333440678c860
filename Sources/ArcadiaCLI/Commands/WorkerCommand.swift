import ArcadiaStorage
import ArgumentParser
import CloudOps
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

    @Option(
        help: ArgumentHelp(
            "Seconds between inventory syncs (with an inventory token; one sync at a time across all workers; 0 turns the schedule off).",
            valueName: "seconds"))
    var syncIntervalSeconds: Double = 900

    @Flag(help: "Notify other processes of every saga this worker finishes (PostgreSQL; for watchers and the benchmark).")
    var announceFinished = false

    @Option(
        help: ArgumentHelp(
            "Write the store's statement counters as JSON to this file once started, on SIGUSR1 and at exit (used by `arcadia bench`).",
            valueName: "path"))
    var statisticsFile: String?

    func validate() throws {
        guard (1...1024).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 1024") }
        guard syncIntervalSeconds == 0 || (10...86_400).contains(syncIntervalSeconds) else {
            throw ValidationError("--sync-interval-seconds must be 0 (off) or between 10 and 86400")
        }
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
        let syncInterval = syncIntervalSeconds
        try await StoreFactory.withStore(url, maximumConnections: concurrency + 4, batchConcurrency: concurrency >= 32 ? 2 : 1, logger: logger) {
            store in
            let engine = SagaEngine(
                store: store, registry: CLIEnvironment.registry(store: store, digitalOcean: digitalOcean), configuration: configuration,
                logger: logger)
            let worker = engine.makeWorker(configuration: .init(concurrency: concurrency, announceFinished: announce))
            var services: [any Service] = [worker]
            if let scheduler = try Self.scheduler(store: store, digitalOcean: digitalOcean, intervalSeconds: syncInterval, logger: logger) {
                services.append(scheduler)
            }
            var groupConfiguration = ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
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

    /// The inventory schedule, when an inventory token is configured and the interval is not 0.
    static func scheduler(
        store: any InventoryStore, digitalOcean: DigitalOceanOptions, intervalSeconds: Double, logger: Logger
    ) throws -> InventoryScheduler? {
        guard intervalSeconds > 0 else { return nil }
        return try inventorySync(store: store, digitalOcean: digitalOcean, intervalSeconds: intervalSeconds, logger: logger).map {
            InventoryScheduler(sync: $0, logger: logger)
        }
    }

    /// The inventory sync of this process, when an inventory token is configured.
    static func inventorySync(
        store: any InventoryStore, digitalOcean: DigitalOceanOptions, intervalSeconds: Double, logger: Logger
    ) throws -> InventorySync? {
        guard let client = digitalOcean.environment.clients().inventory else {
            logger.notice("no inventory token (\(DigitalOceanEnvironment.inventoryTokenVariable)): inventory sync not available")
            return nil
        }
        return try InventorySync(
            client: client, store: store, configuration: InventorySyncConfiguration(interval: .milliseconds(Int64(intervalSeconds * 1000))),
            holder: "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)", logger: logger)
    }

    private static func write(_ statistics: StoreStatistics, to path: String) throws {
        let data = try JSONEncoder().encode(statistics)
        // Written aside and renamed, so a reader never sees half a file.
        try data.write(to: URL(fileURLWithPath: path + ".tmp"))
        _ = rename(path + ".tmp", path)
    }
}
