import AccessControl
import ArcadiaServer
import ArcadiaStorage
import ArgumentParser
import CloudOps
import FakeDigitalOcean
import Foundation
import Logging
import Metrics
import Prometheus
import SagaEngine
import ServiceLifecycle
import UnixSignals

/// `arcadia serve`: the JSON API, saga workers and the inventory schedule in one process, one
/// `ServiceGroup`, stopped gracefully by SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the HTTP API, saga workers and schedulers in one process until interrupted.",
        discussion: """
            On first start (no API token was ever made in the database), an admin token is created and printed once on standard output.
            With --fake-do (and no DigitalOcean URL configured), a DigitalOcean simulator runs in-process so everything works offline.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var engine: EngineOptions
    @OptionGroup var digitalOcean: DigitalOceanOptions

    @Option(help: "Address to listen on (env ARCADIA_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env ARCADIA_PORT; default 4000; 0: a free port, printed).")
    var port: Int?

    @Option(help: "Sagas executed at the same time by this process (env ARCADIA_CONCURRENCY; default 8).")
    var concurrency: Int?

    @Flag(help: "Run a DigitalOcean simulator in-process and use it (offline).")
    var fakeDo = false

    @Option(help: "Seconds between scheduled inventory syncs (0: off).")
    var syncIntervalSeconds: Double = 900

    @Option(help: "Largest request body in bytes (larger: 413).")
    var maxBodyBytes: Int = 1 << 20

    @Flag(
        help:
            "Send the dashboard's cookies without Secure: only for a plain-HTTP server reached by a name other than localhost (put TLS in front instead)."
    )
    var insecureCookies = false

    func validate() throws {
        let (_, port, concurrency) = try listening()
        guard (0...65_535).contains(port) else { throw ValidationError("--port (ARCADIA_PORT) must be between 0 and 65535") }
        guard (1...1024).contains(concurrency) else { throw ValidationError("--concurrency (ARCADIA_CONCURRENCY) must be between 1 and 1024") }
        guard (1024...(64 << 20)).contains(maxBodyBytes) else { throw ValidationError("--max-body-bytes must be between 1024 and 67108864") }
        guard syncIntervalSeconds == 0 || (10...86_400).contains(syncIntervalSeconds) else {
            throw ValidationError("--sync-interval-seconds must be 0 (off) or between 10 and 86400")
        }
    }

    /// Address, port and worker slots: the flags, else `ARCADIA_HOST`, `ARCADIA_PORT` and
    /// `ARCADIA_CONCURRENCY` (the environment or `.env`), else the defaults.
    func listening() throws -> (host: String, port: Int, concurrency: Int) {
        let environment = ProcessInfo.processInfo.environment
        func number(_ name: String) throws -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text) else { throw ValidationError("\(name) must be a whole number, not '\(text.prefix(32))'") }
            return value
        }
        return (
            host ?? environment["ARCADIA_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1", try port ?? number("ARCADIA_PORT") ?? 4000,
            try concurrency ?? number("ARCADIA_CONCURRENCY") ?? 8
        )
    }

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.info)
        let (host, port, concurrency) = try listening()
        try await Self.runControlPlane(
            database: try database.url(), engine: engine.configuration, digitalOcean: digitalOcean, fakeDo: fakeDo ? SimulatorSettings() : nil,
            server: ServerConfiguration(
                host: host, port: port, maxBodyBytes: maxBodyBytes, secureCookies: !insecureCookies),
            concurrency: concurrency,
            syncIntervalSeconds: syncIntervalSeconds)
    }

    /// Runs the server, workers and schedulers until SIGTERM or SIGINT; `fakeDo` starts a simulator
    /// in-process with those settings; `onRunning` runs once the server listens (the demo's tour).
    static func runControlPlane(
        database url: DatabaseURL, engine engineConfiguration: SagaEngineConfiguration, digitalOcean: DigitalOceanOptions,
        fakeDo: SimulatorSettings?, server: ServerConfiguration, concurrency: Int, syncIntervalSeconds syncInterval: Double,
        onRunning: @escaping @Sendable (ControlPlaneParts) async -> Void = { _ in }
    ) async throws {
        let logger = Logger(label: "arcadia.serve")
        var digitalOcean = digitalOcean
        var simulator: RunningFakeDigitalOcean?
        if let settings = fakeDo {
            let provisioning = "fake_" + UUID().uuidString
            let inventory = "fake_ro_" + UUID().uuidString
            let running = try await RunningFakeDigitalOcean.start(
                .init(
                    host: "127.0.0.1", port: 0, seed: UInt64.random(in: 1...UInt64.max), tokens: [provisioning: .write, inventory: .read],
                    settings: settings),
                logger: Logger(label: "arcadia.fake-do"))
            simulator = running
            digitalOcean.apiURL = running.baseURL
            digitalOcean.provisioningToken = provisioning
            digitalOcean.inventoryToken = inventory
            logger.notice("DigitalOcean simulator running in-process", metadata: ["do.url": "\(running.baseURL)"])
        }
        let options = digitalOcean
        let simulatorURL = simulator?.baseURL
        // The engine's and the store's metrics, for /metrics.
        let registry = PrometheusCollectorRegistry()
        let metricsFactory = PrometheusMetricsFactory(registry: registry)
        // The DigitalOcean client and the inventory sync report through the process-wide factory.
        MetricsSystem.bootstrap(metricsFactory)
        do {
            try await StoreFactory.withStore(url, maximumConnections: concurrency + 8, logger: logger, metricsFactory: metricsFactory) { store in
                var adminToken: String?
                if let (_, secret) = try await TokenIssuer(store: store).issueFirstAdmin() {
                    adminToken = secret
                    Self.emit("admin token (shown once; keep it): \(secret)")
                }
                let engine = SagaEngine(
                    store: store, registry: CLIEnvironment.registry(store: store, digitalOcean: options), configuration: engineConfiguration,
                    logger: logger, metricsFactory: metricsFactory)
                var services: [any Service] = [engine.makeWorker(configuration: .init(concurrency: concurrency))]
                let inventorySync = try WorkerCommand.inventorySync(
                    store: store, digitalOcean: options, intervalSeconds: syncInterval == 0 ? 900 : syncInterval, logger: logger)
                if let inventorySync, syncInterval > 0 { services.append(InventoryScheduler(sync: inventorySync, logger: logger)) }
                let token = adminToken
                services.append(
                    try buildApplication(
                        configuration: server, engine: engine, store: store, inventorySync: inventorySync, metrics: registry, logger: logger
                    ) { port in
                        Self.emit("listening on http://\(server.host):\(port)")
                        logger.notice("listening", metadata: ["http.port": "\(port)"])
                        let parts = ControlPlaneParts(
                            engine: engine, store: store, inventorySync: inventorySync, digitalOcean: options, simulatorURL: simulatorURL, port: port,
                            adminToken: token)
                        Task { await onRunning(parts) }
                    })
                var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
                group.maximumGracefulShutdownDuration = .seconds(30)
                try await ServiceGroup(configuration: group).run()
            }
        } catch {
            await simulator?.stop()
            throw error
        }
        await simulator?.stop()
    }

    /// A line on standard output at once (not buffered: scripts and tests read it while serving).
    static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
