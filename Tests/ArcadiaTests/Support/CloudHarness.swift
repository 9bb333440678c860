import ArcadiaStorage
import AsyncHTTPClient
import CloudOps
import DigitalOcean
import FakeDigitalOcean
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SagaEngine

/// A DigitalOcean simulator over HTTP (wall clock, DigitalOcean's lags at a hundredth of their
/// length), a store, and an engine whose registry holds the cloud templates with clients for the
/// simulator; plus the simulator's control API.
struct CloudHarness: Sendable {
    static let token = "dop_v1_cloud_test_\(UUID().uuidString)"
    /// A read-only token, for the inventory client.
    static let inventoryToken = "dop_v1_cloud_inventory_\(UUID().uuidString)"

    let simulator: RunningFakeDigitalOcean
    let engine: SagaEngine
    let store: any ArcadiaStore
    let services: CloudServices
    /// The database the engine uses (for worker processes).
    let databaseURL: String
    /// The simulator's lags.
    let lags: Lags

    /// Quick polls: the simulator's lags are a hundredth of DigitalOcean's.
    static let configuration = CloudConfiguration(
        actionPollInterval: .milliseconds(50), actionPollBudget: 400, activePollInterval: .milliseconds(50), activePollBudget: 200,
        snapshotLookupInterval: .milliseconds(50), snapshotLookupBudget: 40, adoptWindow: .seconds(2), adoptLookupInterval: .milliseconds(50),
        deleteConfirmBudget: 20, maxRateLimitWaitInMemory: .seconds(1), orphanMinimumAge: .zero)

    /// Runs `body` with a fresh simulator, store and engine (with a worker of 4 slots unless
    /// `startWorker` is false); `extend` adds test-only templates to the registry.
    static func with<T: Sendable>(
        _ backend: Backend, lags: Lags = Lags().scaled(by: 0.01), settings: @Sendable (inout SimulatorSettings) -> Void = { _ in },
        startWorker: Bool = true, paces: Bool = true, engineConfiguration: SagaEngine.Configuration = TestDatabase.fastConfiguration,
        extend: @Sendable (inout SagaRegistry, CloudServices) -> Void = { _, _ in },
        _ body: @Sendable (CloudHarness) async throws -> T
    ) async throws -> T {
        var simulatorSettings = SimulatorSettings(lags: lags, rateLimits: .unlimited, dropletLimit: 500)
        settings(&simulatorSettings)
        let burst = (simulatorSettings.rateLimits.burstLimit, Duration.seconds(simulatorSettings.rateLimits.burstWindow))
        var logger = Logger(label: "test.fake-do")
        logger.logLevel = .warning
        let simulator = try await RunningFakeDigitalOcean.start(
            .init(host: "127.0.0.1", port: 0, seed: 7, tokens: [token: .write, inventoryToken: .read], settings: simulatorSettings),
            logger: logger)
        do {
            let result = try await TestDatabase.withStore(backend) { store, url in
                let client = DigitalOceanClient(
                    configuration: .init(
                        token: APIToken(token, purpose: .provisioning), baseURL: simulator.baseURL,
                        retry: .init(baseDelay: .milliseconds(5), maxRateLimitWait: .seconds(1)), pacesRequests: paces,
                        burstLimit: burst))
                let inventory = DigitalOceanClient(
                    configuration: .init(
                        token: APIToken(inventoryToken, purpose: .inventory), baseURL: simulator.baseURL,
                        retry: .init(baseDelay: .milliseconds(5), maxRateLimitWait: .seconds(1)), pacesRequests: paces,
                        burstLimit: burst))
                let services = CloudServices(provisioning: client, inventory: inventory, store: store, configuration: configuration)
                var registry = SagaRegistry.testing
                registry.registerCloudTemplates(services)
                extend(&registry, services)
                let engine = SagaEngine(store: store, registry: registry, configuration: engineConfiguration, logger: TestDatabase.logger)
                let harness = CloudHarness(simulator: simulator, engine: engine, store: store, services: services, databaseURL: url, lags: lags)
                return try await withThrowingTaskGroup(of: T?.self) { group in
                    if startWorker {
                        group.addTask {
                            try await engine.makeWorker(configuration: .init(concurrency: 4)).run()
                            return nil
                        }
                    }
                    defer { group.cancelAll() }
                    return try await body(harness)
                }
            }
            await simulator.stop()
            return result
        } catch {
            await simulator.stop()
            throw error
        }
    }

    var client: DigitalOceanClient { services.provisioning! }

    /// An inventory sync over the read-only client, on the store, at the simulator's time unless `clock` is given.
    func inventorySync(
        _ configuration: InventorySyncConfiguration = InventorySyncConfiguration(), holder: String = "test",
        clock: (@Sendable () -> Date)? = nil
    ) throws -> InventorySync {
        let simulator = self.simulator.simulator
        return try InventorySync(
            client: services.inventory!, store: store, configuration: configuration, holder: holder,
            clock: clock ?? { simulator.now }, logger: TestDatabase.logger)
    }

    /// Starts a saga and waits until it is terminal.
    func run(_ template: String, _ inputs: [String: JSONValue], timeout: Duration = .seconds(60)) async throws -> SagaDetail {
        let saga = try await engine.start(template, inputs: inputs).saga
        _ = try await engine.waitUntilTerminal(saga.id, timeout: timeout)
        return try await engine.detail(saga.id)
    }

    // MARK: The simulator's control API

    func control(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: simulator.baseURL + "/_fake" + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        guard response.status == .ok else {
            throw TestSetupError("control \(path) answered \(response.status.code): \(String(buffer: bytes))")
        }
        return try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any] ?? [:]
    }

    /// A DigitalOcean API call with the write token, for kinds the typed client only reads; the
    /// answer's object under `key`.
    @discardableResult
    func api(_ method: HTTPMethod, _ path: String, _ body: String? = nil, key: String? = nil) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: simulator.baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(Self.token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        guard response.status.code < 300 else {
            throw TestSetupError("\(method) \(path) answered \(response.status.code): \(String(buffer: bytes))")
        }
        guard bytes.readableBytes > 0 else { return [:] }
        let object = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any] ?? [:]
        return key.flatMap { object[$0] as? [String: Any] } ?? object
    }

    func addFault(_ json: String) async throws { _ = try await control(.POST, "/faults", json) }
    func clearFaults() async throws { _ = try await control(.DELETE, "/faults") }

    /// What the simulated account holds, deleted objects left out.
    func live() async throws -> (droplets: [[String: Any]], snapshots: [[String: Any]], records: [String: [[String: Any]]]) {
        let state = try await control(.GET, "/state")
        let droplets = (state["droplets"] as? [[String: Any]] ?? []).filter { $0["deleted_at"] is NSNull || $0["deleted_at"] == nil }
        let snapshots = (state["snapshots"] as? [[String: Any]] ?? []).filter { $0["deleted_at"] is NSNull || $0["deleted_at"] == nil }
        var records: [String: [[String: Any]]] = [:]
        for domain in state["domains"] as? [[String: Any]] ?? [] {
            records[domain["name"] as? String ?? "?"] = domain["records"] as? [[String: Any]] ?? []
        }
        return (droplets, snapshots, records)
    }

    /// Mutating requests by route (for example `POST /v2/droplets`) that succeeded.
    func appliedWrites(_ method: String, _ route: String) async throws -> Int {
        let entries = try await control(.GET, "/audit")["entries"] as? [[String: Any]] ?? []
        return entries.filter {
            ($0["method"] as? String) == method && ($0["route"] as? String) == route && (($0["status"] as? Int) ?? 0) < 300
                || ($0["method"] as? String) == method && ($0["route"] as? String) == route && ($0["fault"] as? String) == "response_lost"
        }.count
    }

    /// A droplet made directly (not by a saga), with tags, active at once: the simulator's clock is
    /// moved past the create's lags instead of waiting for them.
    func makeDroplet(_ name: String, tags: [String] = [], backups: Bool = false) async throws -> Droplet {
        let created = try await client.createDroplet(
            DropletCreateRequest(name: name, region: "nyc3", size: "s-1vcpu-1gb", image: "ubuntu-24-04-x64", backups: backups, tags: tags)
        ).droplet
        _ = try await control(.POST, "/clock/advance", #"{"seconds": \#(lags.dropletCreate + lags.getNotFound + lags.listVisibility + 0.001)}"#)
        let droplet = try await client.droplet(id: created.id)
        guard droplet.status == "active" else { throw TestSetupError("droplet \(droplet.id) is \(droplet.status) after its create's lags") }
        return droplet
    }
}

/// A cloud step that runs the real step, then fails for good once the real step is done: its side
/// effect has happened and must be undone by compensation (which it delegates).
struct FailAfterStep: SagaStep {
    let wrapped: any SagaStep
    var name: String { wrapped.name + "+fail" }
    var retryPolicy: RetryPolicy { wrapped.retryPolicy }
    var timeout: Duration? { wrapped.timeout }

    func execute(_ context: StepContext) async throws -> StepOutcome {
        switch try await wrapped.execute(context) {
        case .done(let outputs):
            // Keep what the step learned, as a crash right after would not.
            _ = outputs
            throw StepFailure.permanent("injected failure after \(wrapped.name) did its work")
        case .pollAgain(let delay, let outputs, let waitingFor):
            return .pollAgain(after: delay, outputs: outputs, waitingFor: waitingFor)
        }
    }

    func compensate(_ context: StepContext) async throws { try await wrapped.compensate(context) }
}

extension SagaRegistry {
    /// Registers `template@index`: `template` (whose steps are `names`) with its step at `index`
    /// wrapped to fail after doing its work (see ``FailAfterStep``).
    mutating func registerFailing(_ template: String, steps names: [String], at index: Int) {
        guard let original = self.template(named: template), names.indices.contains(index), let step = step(named: names[index]) else { return }
        register(FailAfterStep(wrapped: step))
        var failing = names
        failing[index] += "+fail"
        let fixed = failing
        register(
            SagaTemplate(
                name: "\(template)@\(index)", kind: original.kind, inputs: original.inputs, lockKeys: original.lockKeys,
                resolveSteps: { _ in fixed }))
    }
}
