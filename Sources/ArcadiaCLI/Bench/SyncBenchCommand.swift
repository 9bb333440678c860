import ArcadiaStorage
import ArgumentParser
import CloudOps
import DigitalOcean
import FakeDigitalOcean
import Foundation
import Logging
import SagaEngine

/// `arcadia bench sync`: a full inventory sync of a large simulated account, then a sync without
/// change, against the in-process simulator (lags off) over HTTP.
struct SyncBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Time a full inventory sync and a no-change sync of a large simulated account.",
        discussion: """
            Seeds the in-process simulator with --droplets droplets and --records DNS records under one domain
            (lags off, no rate limit), then syncs every kind into a fresh database: a temporary SQLite file, or a
            temporary schema of the PostgreSQL --database (dropped afterwards). Prints the seconds of each sync,
            the requests made and the resources synced.
            """)

    @OptionGroup var scratch: ScratchDatabaseOptions

    @Option(help: "Droplets in the account.")
    var droplets: Int = 10_000

    @Option(help: "DNS records under one domain.")
    var records: Int = 20_000

    @Flag(help: "Print JSON (full_sync_s, nochange_sync_s, requests, resources).")
    var json = false

    func validate() throws {
        guard (0...200_000).contains(droplets) else { throw ValidationError("--droplets must be between 0 and 200000") }
        guard (0...400_000).contains(records) else { throw ValidationError("--records must be between 0 and 400000") }
    }

    func run() async throws {
        let logger = ScratchDatabaseOptions.logger()
        let (url, cleanup) = try scratch.scratch(logger: logger)
        let token = "dop_v1_bench_\(UUID().uuidString)"
        let settings = SimulatorSettings(lags: .zero, rateLimits: .unlimited, dropletLimit: droplets + 10)
        let simulator = try await RunningFakeDigitalOcean.start(
            .init(host: "127.0.0.1", port: 0, seed: 1, tokens: [token: .read], settings: settings), logger: logger)
        await simulator.simulator.populate(droplets: droplets, domain: "bench.example", records: records)
        let client = DigitalOceanClient(
            configuration: .init(token: APIToken(token, purpose: .inventory), baseURL: simulator.baseURL, pacesRequests: false), logger: logger)
        let result: (full: Double, nochange: Double, requests: Int, resources: Int, runs: [SyncRun])
        do {
            result = try await StoreFactory.withStore(url, logger: logger) { store in
                let sync = try InventorySync(client: client, store: store, holder: "bench", logger: logger)
                let clock = ContinuousClock()
                var first: SyncRun?
                let full = try await clock.measure { first = try await sync.syncNow() }
                var second: SyncRun?
                let nochange = try await clock.measure { second = try await sync.syncNow() }
                let runs = [first, second].compactMap { $0 }
                let resources = try await store.resources(kind: nil, includeDeleted: false).count
                return (full.seconds, nochange.seconds, runs.map(\.requests).reduce(0, +), resources, runs)
            }
        } catch {
            await simulator.stop()
            await cleanup()
            throw error
        }
        await simulator.stop()
        await cleanup()
        for run in result.runs where run.status != .succeeded {
            throw ValidationError("a sync ended \(run.status.rawValue): \(run.errors.map { "\($0.kind): \($0.message)" }.joined(separator: "; "))")
        }
        let fullRequests = result.runs.first?.requests ?? 0
        let secondRequests = result.runs.last?.requests ?? 0
        if json {
            let object: [String: Any] = [
                "full_sync_s": ScratchDatabaseOptions.round(result.full), "nochange_sync_s": ScratchDatabaseOptions.round(result.nochange),
                "requests": result.requests,
                "full_sync_requests": fullRequests, "nochange_sync_requests": secondRequests, "resources": result.resources,
                "droplets": droplets, "records": records, "backend": ScratchDatabaseOptions.isPostgres(url) ? "postgres" : "sqlite",
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(
                """
                inventory sync of \(droplets) droplets and \(records) records (\(ScratchDatabaseOptions.isPostgres(url) ? "PostgreSQL" : "SQLite"), \(result.resources) resources)
                full sync:       \(ScratchDatabaseOptions.round(result.full)) s, \(fullRequests) requests
                no-change sync:  \(ScratchDatabaseOptions.round(result.nochange)) s, \(secondRequests) requests
                """)
        }
    }
}
