import ArcadiaServer
import ArcadiaStorage
import ArgumentParser
import AsyncHTTPClient
import CloudOps
import DigitalOcean
import FakeDigitalOcean
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SagaEngine

/// `arcadia demo`: the whole control plane on one machine with nothing to configure — SQLite,
/// the DigitalOcean simulator in-process, the server — and a tour of real sagas, then it keeps
/// serving until Ctrl-C.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run Arcadia offline (SQLite, simulator, server on 127.0.0.1:4000) with a tour of real sagas; Ctrl-C stops it.")

    @Option(help: "Database URL (default: a new file under the temporary directory).")
    var database: String?

    @Option(help: "Port to listen on (0: a free port, printed).")
    var port: Int = 4000

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        if let database {
            do { _ = try DatabaseURL.parse(database) } catch let error as StorageError { throw ValidationError(error.message) }
        }
    }

    func run() async throws {
        CLIEnvironment.bootstrapLogging(.warning)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("arcadia-demo-\(UUID().uuidString.prefix(8)).sqlite").path
        let url = try DatabaseURL.parse(database ?? "sqlite:" + path)
        // The simulator's lags at a twentieth of DigitalOcean's, and quick polls, so the tour takes seconds.
        var digitalOcean = try DigitalOceanOptions.parse(["--do-poll-seconds", "0.2"])
        digitalOcean.apiURL = nil
        Self.say("Arcadia demo: database \(url), DigitalOcean simulator in-process")
        try await ServeCommand.runControlPlane(
            database: url, engine: .init(leaseDuration: .seconds(30), pollInterval: .milliseconds(200)), digitalOcean: digitalOcean,
            fakeDo: SimulatorSettings(lags: Lags().scaled(by: 0.05)), server: ServerConfiguration(port: port), concurrency: 8,
            syncIntervalSeconds: 0
        ) { parts in
            do {
                try await Self.tour(parts)
            } catch {
                Self.say("tour stopped: \(error)")
            }
        }
    }

    static func say(_ line: String) { ServeCommand.emit(line) }

    /// Provision, snapshot, DNS, a failure rolled back, an inventory sync and a drift report.
    static func tour(_ parts: ControlPlaneParts) async throws {
        let engine = parts.engine
        guard let client = parts.digitalOcean.environment.clients().provisioning, let simulatorURL = parts.simulatorURL else { return }
        func run(_ step: Int, _ template: String, _ inputs: [String: JSONValue]) async throws -> SagaDetail {
            let saga = try await engine.start(template, inputs: inputs).saga
            _ = try await engine.waitUntilTerminal(saga.id, timeout: .seconds(120))
            let detail = try await engine.detail(saga.id)
            say("[\(step)/6] \(template): \(detail.saga.status.rawValue) (saga \(saga.id.uuidString.lowercased()))")
            return detail
        }
        let provisioned = try await run(
            1, "provision-droplet",
            ["name": "demo-web-1", "region": "nyc3", "size_slug": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64", "deployment_id": "demo"])
        guard let dropletID = provisioned.saga.context["droplet_id"]?.intValue else { return }
        say("      droplet \(dropletID) at \(provisioned.saga.context["public_ipv4"]?.stringValue ?? "?")")
        _ = try await run(2, "snapshot-droplet", ["droplet_provider_id": .string(String(dropletID))])
        _ = try? await client.createDomain(name: "demo.example")
        _ = try await run(
            3, "upsert-dns",
            [
                "dns_domain": "demo.example", "dns_record_type": "A", "dns_record_name": "www",
                "dns_record_data": provisioned.saga.context["public_ipv4"] ?? "203.0.113.10", "deployment_id": "demo",
            ])
        // DigitalOcean fails the next droplet's create action: the saga rolls back and leaves nothing.
        var fault = HTTPClientRequest(url: simulatorURL + "/_fake/faults")
        fault.method = .POST
        fault.headers.add(name: "Content-Type", value: "application/json")
        fault.body = .bytes(ByteBuffer(string: #"{"method": "POST", "path": "/v2/droplets", "kind": "action_errored", "remaining": 1}"#))
        _ = try await HTTPClient.shared.execute(fault, timeout: .seconds(10))
        let failed = try await run(
            4, "provision-droplet", ["name": "demo-web-2", "region": "nyc3", "size_slug": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64"])
        // Listings show a deleted droplet for a little while: a GET says whether it still exists.
        var leftovers = 0
        for droplet in try await client.droplets(name: "demo-web-2").collect() {
            do {
                _ = try await client.droplet(id: droplet.id)
                leftovers += 1
            } catch let error as DigitalOceanError where error.isNotFound {}
        }
        say("      \(failed.saga.error ?? "no error")")
        say("      droplets left behind by the failed saga: \(leftovers)")
        if let sync = parts.inventorySync {
            let run = try await sync.syncNow(trigger: "demo")
            let totals = run.totals
            say("[5/6] inventory sync: \(run.status.rawValue), \(totals.added) added over \(run.kinds.count) kinds, \(run.requests) requests")
        }
        let report = try await DriftDetector(store: parts.store).report()
        say(
            "[6/6] drift: \(report.missing.count) missing, \(report.changed.count) changed, \(report.orphaned.count) orphaned, "
                + "\(report.inSync) in sync")
        say("tour done: the API is on http://127.0.0.1:\(parts.port) (Authorization: Bearer <the admin token above>); Ctrl-C stops the demo")
    }
}
