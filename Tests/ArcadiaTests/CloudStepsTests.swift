import ArcadiaStorage
import CloudOps
import DigitalOcean
import FakeDigitalOcean
import Foundation
import NIOHTTP1
import SagaEngine
import Testing

/// The cloud templates against the DigitalOcean simulator over HTTP, its lags switched on (at a
/// hundredth of DigitalOcean's), on every backend.
@Suite("Cloud steps", .timeLimit(.minutes(5)))
struct CloudStepsTests {
    static func provisionInputs(_ name: String, deployment: String = "") -> [String: JSONValue] {
        [
            "name": .string(name), "region": "syd1", "size_slug": "s-1vcpu-512mb-10gb", "image": "ubuntu-24-04-x64",
            "tags": .array(["web"]), "deployment_id": .string(deployment),
        ]
    }

    @Test("provision-droplet creates, waits until active, registers; destroy-droplet removes it and marks it deleted", arguments: Backend.enabled)
    func provisionThenDestroy(backend: Backend) async throws {
        try await CloudHarness.with(backend) { cloud in
            let detail = try await cloud.run("provision-droplet", Self.provisionInputs("web-1", deployment: "dep1"))
            #expect(detail.saga.status == .completed, "\(detail.saga.error ?? "")")
            let id = try #require(detail.saga.context["droplet_id"]?.intValue)
            #expect(detail.saga.context["public_ipv4"]?.stringValue != nil)
            let droplet = try await cloud.client.droplet(id: id)
            #expect(droplet.status == "active")
            #expect(
                Set(droplet.tags) == [
                    "arcadia-saga-\(String(detail.saga.id.uuidString.lowercased().prefix(8)))", "managed-by-arcadia-cloud", "deployment:dep1", "web",
                ])
            let row = try #require(try await cloud.store.resource(kind: "droplet", providerID: String(id)))
            #expect(row.managed && row.creatingSagaID == detail.saga.id && row.deploymentID == "dep1" && row.sizeSlug == "s-1vcpu-512mb-10gb")
            let desired = try #require(try await cloud.store.provisioned(kind: "droplet", providerID: String(id)))
            #expect(desired.spec["size_slug"] == "s-1vcpu-512mb-10gb" && desired.spec["region"] == "syd1" && desired.specVersion == 1)
            // The waits were durable: the saga was parked between looks.
            #expect(detail.events.contains { $0.kind == .stepWaiting && ($0.detail ?? "").contains("waiting for") })

            let destroyed = try await cloud.run("destroy-droplet", ["droplet_provider_id": .string(String(id))])
            #expect(destroyed.saga.status == .completed, "\(destroyed.saga.error ?? "")")
            #expect(try await cloud.live().droplets.isEmpty)
            #expect(try await cloud.store.resource(kind: "droplet", providerID: String(id))?.deletedAt != nil)
            #expect(try await cloud.store.provisioned(kind: "droplet", providerID: String(id)) == nil)
            #expect(try await cloud.appliedWrites("POST", "/v2/droplets") == 1)
        }
    }

    @Test("snapshot-droplet takes one snapshot under its deterministic name, found after the listing lag", arguments: Backend.enabled)
    func snapshot(backend: Backend) async throws {
        try await CloudHarness.with(backend) { cloud in
            let droplet = try await cloud.makeDroplet("db-1")
            let detail = try await cloud.run("snapshot-droplet", ["droplet_provider_id": .string(String(droplet.id))])
            #expect(detail.saga.status == .completed, "\(detail.saga.error ?? "")")
            let name = "arcadia-snap-\(droplet.id)-\(String(detail.saga.id.uuidString.lowercased().prefix(8)))"
            #expect(detail.saga.context["snapshot_name"]?.stringValue == name)
            let snapshots = try await cloud.live().snapshots
            #expect(snapshots.count == 1 && snapshots.first?["name"] as? String == name)
            #expect(String(describing: snapshots.first?["id"] ?? "") == String(detail.saga.context["snapshot_id"]?.intValue ?? -1))
            #expect(try await cloud.appliedWrites("POST", "/v2/droplets/{droplet_id}/actions") == 1)
        }
    }

    @Test("upsert-dns creates, then finds nothing to do, then updates (stashing the prior data); delete-dns removes it", arguments: Backend.enabled)
    func dnsLifecycle(backend: Backend) async throws {
        try await CloudHarness.with(backend) { cloud in
            _ = try await cloud.client.createDomain(name: "example.com")
            func upsert(_ data: String) async throws -> SagaDetail {
                try await cloud.run(
                    "upsert-dns",
                    ["dns_domain": "example.com", "dns_record_type": "CNAME", "dns_record_name": "www", "dns_record_data": .string(data)])
            }
            let created = try await upsert("app.example.net")
            #expect(created.saga.status == .completed, "\(created.saga.error ?? "")")
            #expect(created.saga.context["dns_outcome"] == "created")
            // DigitalOcean returns CNAME data without its trailing dot: still the same data.
            let again = try await upsert("APP.example.net.")
            #expect(again.saga.context["dns_outcome"] == "noop")
            let updated = try await upsert("other.example.net")
            #expect(updated.saga.context["dns_outcome"] == "updated")
            #expect(updated.saga.context["dns_prior_data"]?.stringValue.map { DNSNames.sameData(type: "CNAME", $0, "app.example.net") } == true)
            let records = try await cloud.client.domainRecords(domain: "example.com", name: "www.example.com", type: "CNAME").collect()
            #expect(records.map(\.data) == ["other.example.net"])

            let deleted = try await cloud.run(
                "delete-dns", ["dns_domain": "example.com", "dns_record_type": "CNAME", "dns_record_name": "www.example.com"])
            #expect(deleted.saga.context["dns_outcome"] == "deleted")
            #expect(try await cloud.client.domainRecords(domain: "example.com", name: "www.example.com", type: "CNAME").collect().isEmpty)
            let absent = try await cloud.run("delete-dns", ["dns_domain": "example.com", "dns_record_type": "CNAME", "dns_record_name": "www"])
            #expect(absent.saga.status == .completed && absent.saga.context["dns_outcome"] == "absent")

            // Equal data is a no-op whatever the TTL, unless a TTL is asked for.
            _ = try await cloud.client.createDomainRecord(domain: "example.com", .init(type: "TXT", name: "t", data: "v=1", ttl: 300))
            let txt: [String: JSONValue] = ["dns_domain": "example.com", "dns_record_type": "TXT", "dns_record_name": "t", "dns_record_data": "v=1"]
            #expect(try await cloud.run("upsert-dns", txt).saga.context["dns_outcome"] == "noop")
            #expect(try await cloud.run("upsert-dns", txt.merging(["dns_record_ttl": 300]) { $1 }).saga.context["dns_outcome"] == "noop")
            #expect(try await cloud.run("upsert-dns", txt.merging(["dns_record_ttl": 600]) { $1 }).saga.context["dns_outcome"] == "updated")
        }
    }

    @Test("suspend, resume and offboard a deployment: power every droplet off and on; snapshot, destroy, remove its DNS", arguments: Backend.enabled)
    func deploymentLifecycle(backend: Backend) async throws {
        try await CloudHarness.with(backend) { cloud in
            _ = try await cloud.client.createDomain(name: "tenant.example")
            let a = try await cloud.makeDroplet("t-a", tags: ["deployment:d7"])
            let b = try await cloud.makeDroplet("t-b", tags: ["deployment:d7"])
            let other = try await cloud.makeDroplet("other")
            let dns = try await cloud.run(
                "upsert-dns",
                [
                    "dns_domain": "tenant.example", "dns_record_type": "A", "dns_record_name": "@", "dns_record_data": "203.0.113.7",
                    "deployment_id": "d7",
                ])
            #expect(dns.saga.status == .completed)

            let suspended = try await cloud.run("suspend-deployment", ["deployment_id": "d7"])
            #expect(suspended.saga.status == .completed, "\(suspended.saga.error ?? "")")
            #expect(Set(suspended.saga.context["powered_off"]?.arrayValue?.compactMap(\.intValue) ?? []) == [a.id, b.id])
            // Idempotent: a second suspension finds them off.
            let again = try await cloud.run("suspend-deployment", ["deployment_id": "d7"])
            #expect(again.saga.status == .completed && again.saga.context["powered_off"]?.arrayValue?.isEmpty == true)
            let resumed = try await cloud.run("resume-deployment", ["deployment_id": "d7"])
            #expect(resumed.saga.status == .completed, "\(resumed.saga.error ?? "")")

            // A droplet of the deployment provisioned by a saga and then destroyed out of band: drift
            // calls it missing until the offboarding forgets it too (nothing left to re-create).
            let gone = try await cloud.run("provision-droplet", Self.provisionInputs("t-gone", deployment: "d7"))
            #expect(gone.saga.status == .completed, "\(gone.saga.error ?? "")")
            try await cloud.client.deleteDroplet(id: try #require(gone.saga.context["droplet_id"]?.intValue))
            try await InventoryTests.advance(cloud, seconds: 400)
            #expect(try await cloud.store.provisioned(deploymentID: "d7").contains { $0.kind == "droplet" })

            let offboarded = try await cloud.run("offboard-deployment", ["deployment_id": "d7"])
            #expect(offboarded.saga.status == .completed, "\(offboarded.saga.error ?? "")")
            let live = try await cloud.live()
            #expect(live.droplets.compactMap { $0["id"] as? Int } == [other.id])
            #expect(live.snapshots.count == 2, "one snapshot per destroyed droplet is kept")
            #expect(!(live.records["tenant.example"] ?? []).contains { ($0["type"] as? String) == "A" && ($0["name"] as? String) == "@" })
            #expect(try await cloud.store.provisioned(deploymentID: "d7").isEmpty)
        }
    }

    /// Each template with each step in turn failing after it did its work.
    static let failureCases: [(template: String, steps: [String])] = [
        ("provision-droplet", ["create_droplet", "wait_droplet_active", "register_droplet"]),
        ("snapshot-droplet", ["create_droplet_snapshot"]),
        ("upsert-dns", ["upsert_dns_record"]),
        ("suspend-deployment", ["power_off_deployment"]),
    ]

    @Test("a failure at any step of a template rolls the saga back and leaves nothing behind on DigitalOcean", arguments: Backend.enabled)
    func failureAtEveryStepLeavesNothing(backend: Backend) async throws {
        let cases = Self.failureCases
        var lags = Lags().scaled(by: 0.01)
        lags.statusLag = 0
        try await CloudHarness.with(
            backend, lags: lags,
            extend: { registry, _ in
                for (template, steps) in cases {
                    for index in steps.indices { registry.registerFailing(template, steps: steps, at: index) }
                }
            }
        ) { cloud in
            _ = try await cloud.client.createDomain(name: "fail.example")
            let existing = try await cloud.makeDroplet("keep", tags: ["deployment:f1"])
            let before = try await cloud.live()
            for (template, steps) in cases {
                for index in steps.indices {
                    let inputs: [String: JSONValue]
                    switch template {
                    case "provision-droplet": inputs = Self.provisionInputs("f-\(index)")
                    case "snapshot-droplet": inputs = ["droplet_provider_id": .string(String(existing.id))]
                    case "upsert-dns":
                        inputs = ["dns_domain": "fail.example", "dns_record_type": "TXT", "dns_record_name": "probe", "dns_record_data": "v=1"]
                    default: inputs = ["deployment_id": "f1"]
                    }
                    let detail = try await cloud.run("\(template)@\(index)", inputs)
                    #expect(detail.saga.status == .rolledBack, "\(template) failing at \(index): \(detail.saga.status) \(detail.saga.error ?? "")")
                    let after = try await cloud.live()
                    #expect(after.droplets.count == before.droplets.count, "\(template)@\(index) left a droplet")
                    #expect(after.snapshots.count == before.snapshots.count, "\(template)@\(index) left a snapshot")
                    #expect(
                        (after.records["fail.example"] ?? []).count == (before.records["fail.example"] ?? []).count,
                        "\(template)@\(index) left a DNS record")
                    #expect(try await cloud.client.droplet(id: existing.id).status == "active", "\(template)@\(index) left the droplet off")
                }
            }
        }
    }

    @Test("a droplet POST whose response is lost is resolved by looking the saga's tag up: exactly one droplet", arguments: Backend.enabled)
    func lostResponseIsResolvedByLookup(backend: Backend) async throws {
        try await CloudHarness.with(backend) { cloud in
            try await cloud.addFault(#"{"method": "POST", "path": "/v2/droplets", "kind": "response_lost", "remaining": 1}"#)
            let detail = try await cloud.run("provision-droplet", Self.provisionInputs("lost-1"))
            #expect(detail.saga.status == .completed, "\(detail.saga.error ?? "")")
            #expect(detail.saga.context["droplet_adopted"] == true)
            #expect(try await cloud.live().droplets.count == 1)
            #expect(try await cloud.appliedWrites("POST", "/v2/droplets") == 1)
        }
    }

    @Test("a 5xx after DigitalOcean applied a create leaves exactly one resource", arguments: Backend.enabled)
    func serverErrorAfterApplyLeavesOne(backend: Backend) async throws {
        try await CloudHarness.with(backend) { cloud in
            try await cloud.addFault(#"{"method": "POST", "path": "/v2/droplets", "kind": "server_error_after_apply", "remaining": 1}"#)
            let detail = try await cloud.run("provision-droplet", Self.provisionInputs("applied-1"))
            #expect(detail.saga.status == .completed, "\(detail.saga.error ?? "")")
            #expect(try await cloud.live().droplets.count == 1)
        }
    }

    @Test("cancel during wait_droplet_active compensates at once and leaves nothing behind", arguments: Backend.enabled)
    func cancelDuringWait(backend: Backend) async throws {
        // Droplets take 30 s to become active here, so the saga is surely waiting when cancelled.
        var lags = Lags().scaled(by: 0.01)
        lags.dropletCreate = 30
        try await CloudHarness.with(backend, lags: lags) { cloud in
            let events = cloud.engine.events()
            let saga = try await cloud.engine.start("provision-droplet", inputs: Self.provisionInputs("slow-1")).saga
            try await withTimeout(.seconds(30)) {
                for await event in events {
                    if case .parked(let id, 1, _, _, _) = event, id == saga.id { return }
                    if case .sagaFinished(let id, let status) = event, id == saga.id {
                        throw TestSetupError("the saga ended \(status) before it waited")
                    }
                }
            }
            _ = try await cloud.engine.cancel(saga.id)
            let done = try await cloud.engine.waitUntilTerminal(saga.id, timeout: .seconds(20))
            #expect(done.status == .rolledBack)
            #expect(try await cloud.live().droplets.isEmpty)
        }
    }

    @Test("a worker without a provisioning token fails the step with an error naming the variable; starting needs no token")
    func missingCredentialIsNamed() async throws {
        try await TestDatabase.withStore(.sqlite) { store, _ in
            var registry = SagaRegistry.testing
            registry.registerCloudTemplates(CloudServices(provisioning: nil, store: store))
            let engine = SagaEngine(store: store, registry: registry, configuration: TestDatabase.fastConfiguration, logger: TestDatabase.logger)
            let saga = try await engine.start("destroy-droplet", inputs: ["droplet_provider_id": "123"]).saga
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await engine.makeWorker(configuration: .init(concurrency: 1)).run() }
                defer { group.cancelAll() }
                let done = try await engine.waitUntilTerminal(saga.id, timeout: .seconds(20))
                #expect(done.status == .rolledBack)
                #expect((done.error ?? "").contains("ARCADIA_DO_TOKEN_PROVISIONING"))
            }
        }
    }

    @Test("bad inputs are refused at start with every problem named")
    func badInputsAreNamed() throws {
        var registry = SagaRegistry.builtIn
        registry.registerCloudTemplates(CloudServices(provisioning: nil, store: nil))
        #expect(throws: SagaInputError.self) { try registry.prepare(template: "provision-droplet", inputs: ["name": "x"]) }
        do {
            _ = try registry.prepare(template: "provision-droplet", inputs: ["name": "x"])
        } catch let error as SagaInputError {
            #expect(error.problems.count == 3, "\(error.problems)")
            #expect(error.problems.allSatisfy { $0.contains("missing required input") })
        }
        #expect(throws: SagaInputError.self) { try registry.prepare(template: "snapshot-droplet", inputs: ["droplet_provider_id": "web-1"]) }
        #expect(throws: SagaInputError.self) {
            try registry.prepare(
                template: "upsert-dns",
                inputs: ["dns_domain": "nodot", "dns_record_type": "BOGUS", "dns_record_name": "www", "dns_record_data": "x"])
        }
        let tags = try registry.prepare(template: "provision-droplet", inputs: Self.provisionInputs("x").merging(["tags": "a, b"]) { $1 })
        #expect(tags.inputs["tags"] == .array(["a", "b"]))
    }

    @Test(
        "a rate limit spent for the hour parks the saga in the database until the reset, no slot held; a cancel compensates at once",
        arguments: Backend.enabled)
    func spentRateLimitParksTheSaga(backend: Backend) async throws {
        try await CloudHarness.with(
            backend, settings: { $0.rateLimits = RateLimits(hourlyLimit: 2, hourlyWindow: 3600, burstLimit: 1000, burstWindow: 60) },
            paces: false
        ) { cloud in
            // Spend the token's hour.
            _ = try await cloud.client.account()
            _ = try await cloud.client.account()
            let events = cloud.engine.events()
            let saga = try await cloud.engine.start("provision-droplet", inputs: Self.provisionInputs("limited-1")).saga
            let until = try await withTimeout(.seconds(30)) {
                for await event in events {
                    if case .parked(let id, 0, let until, .poll, let detail) = event, id == saga.id, (detail ?? "").contains("rate limit") {
                        return until
                    }
                }
                throw TestSetupError("no rate-limit park")
            }
            #expect(until.timeIntervalSinceNow > 3000, "parked until the window resets, an hour away")
            let parked = try #require(try await cloud.store.saga(id: saga.id))
            #expect(parked.status == .waiting && parked.leaseOwner == nil, "no worker holds it")
            #expect(abs(parked.runAt.timeIntervalSince(until)) < 1, "run_at in the database is the reset")
            #expect(try await cloud.engine.detail(saga.id).steps.first?.attempts == 1, "a rate limit counts no attempt")
            // The operator gives up on it; DigitalOcean's limits are lifted meanwhile.
            try await cloud.control(.PATCH, "/settings", #"{"rate_limits": {"hourly_limit": 1000000, "burst_limit": 1000000}}"#)
            _ = try await cloud.engine.cancel(saga.id)
            let done = try await cloud.engine.waitUntilTerminal(saga.id, timeout: .seconds(20))
            #expect(done.status == .rolledBack)
            #expect(try await cloud.live().droplets.isEmpty)
            #expect(try await cloud.appliedWrites("POST", "/v2/droplets") == 0)
        }
    }

    @Test(
        "SIGKILL of a worker after DigitalOcean accepted its droplet POST and before it saved the answer: the next worker adopts the droplet, one create",
        arguments: Backend.enabled)
    func killAfterCreateIsAdopted(backend: Backend) async throws {
        try await CloudHarness.with(backend, startWorker: false) { cloud in
            // The create is applied at once; its answer is held back long enough to kill the worker.
            try await cloud.addFault(
                #"{"method": "POST", "path": "/v2/droplets", "kind": "latency_after_apply", "latency_ms": 10000, "remaining": 1}"#)
            let saga = try await cloud.engine.start("provision-droplet", inputs: Self.provisionInputs("killed-1")).saga
            let child = try ChildProcess(
                [
                    "worker", "--database", cloud.databaseURL, "--concurrency", "2", "--lease-seconds", "3", "--heartbeat-seconds", "1",
                    "--poll-seconds", "0.2",
                ],
                environment: ["ARCADIA_DO_API_URL": cloud.simulator.baseURL, "ARCADIA_DO_TOKEN_PROVISIONING": CloudHarness.token])
            try await withTimeout(.seconds(60)) { await cloud.simulator.simulator.waitForWrite(method: "POST", route: "/v2/droplets") }
            child.kill(SIGKILL)
            _ = try await child.waitForExit()
            #expect(try await cloud.engine.detail(saga.id).saga.context["droplet_id"] == nil, "the answer was never saved")
            let done = try await withThrowingTaskGroup(of: SagaRecord?.self) { group in
                group.addTask {
                    try await cloud.engine.makeWorker(configuration: .init(concurrency: 2)).run()
                    return nil
                }
                defer { group.cancelAll() }
                return try await cloud.engine.waitUntilTerminal(saga.id, timeout: .seconds(60))
            }
            #expect(done.status == .completed, "\(done.error ?? "")")
            let detail = try await cloud.engine.detail(saga.id)
            #expect(detail.saga.context["droplet_adopted"] == true)
            #expect(detail.events.contains { $0.kind == .reclaimed })
            #expect(try await cloud.appliedWrites("POST", "/v2/droplets") == 1, "exactly one create")
            #expect(try await cloud.live().droplets.count == 1)
        }
    }

    @Test(
        "soak: 200 provision + destroy pairs under 10% 5xx, 5% 429 and workers killed at random: all terminal, no leak, no duplicate create",
        .enabled(if: Backend.enabled.contains(.postgres)))
    func soak() async throws {
        let configuration = SagaEngine.Configuration(
            leaseDuration: .seconds(2), heartbeatInterval: .milliseconds(500), pollInterval: .milliseconds(100))
        try await CloudHarness.with(.postgres, startWorker: false, engineConfiguration: configuration) { cloud in
            try await cloud.addFault(
                #"{"faults": [{"path": "*", "kind": "server_error", "probability": 0.07, "status": 503},"#
                    + #"{"method": "POST", "path": "/v2/droplets", "kind": "server_error_after_apply", "probability": 0.03},"#
                    + #"{"path": "*", "kind": "rate_limited", "probability": 0.05}]}"#)
            let pairs = 200
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Three workers, each killed after a random 150 to 400 steps have started in this
                // process (its task cancelled mid-step: nothing it was doing is written, its leases run
                // out) and replaced: kills follow the work, not the clock.
                for _ in 0..<3 {
                    group.addTask {
                        let started = cloud.engine.events { if case .stepStarted = $0 { return true } else { return false } }
                        var steps = started.makeAsyncIterator()
                        while !Task.isCancelled {
                            let worker = Task { try await cloud.engine.makeWorker(configuration: .init(concurrency: 8)).run() }
                            for _ in 0..<Int.random(in: 150...400) where await steps.next() == nil { break }
                            worker.cancel()
                            _ = try? await worker.value
                        }
                    }
                }
                defer { group.cancelAll() }
                var provisions: [UUID] = []
                for index in 0..<pairs {
                    provisions.append(try await cloud.engine.start("provision-droplet", inputs: Self.provisionInputs("soak-\(index)")).saga.id)
                }
                var destroys: [UUID] = []
                for id in provisions {
                    let done = try await cloud.engine.waitUntilTerminal(id, timeout: .seconds(240))
                    #expect(done.status == .completed, "provision \(id): \(done.status) \(done.error ?? "")")
                    guard let droplet = done.context["droplet_id"]?.intValue else { continue }
                    destroys.append(
                        try await cloud.engine.start("destroy-droplet", inputs: ["droplet_provider_id": .string(String(droplet))]).saga.id)
                }
                for id in destroys {
                    let done = try await cloud.engine.waitUntilTerminal(id, timeout: .seconds(240))
                    #expect(done.status == .completed, "destroy \(id): \(done.status) \(done.error ?? "")")
                }
            }
            try await cloud.clearFaults()
            #expect(try await cloud.live().droplets.isEmpty, "leaked droplets")
            #expect(try await cloud.appliedWrites("POST", "/v2/droplets") == pairs, "duplicate creates")
            let counts = try await cloud.store.countByStatus()
            #expect(counts.keys.allSatisfy { $0 == .completed }, "\(counts)")
        }
    }

    @Test(
        "offboard-deployment failing after each step: snapshots of droplets still there are deleted, a destroyed droplet's snapshot is kept",
        arguments: Backend.enabled)
    func offboardFailures(backend: Backend) async throws {
        let steps = ["snapshot_deployment", "destroy_deployment_droplets", "remove_deployment_dns"]
        var lags = Lags().scaled(by: 0.01)
        lags.statusLag = 0
        try await CloudHarness.with(
            backend, lags: lags,
            extend: { registry, _ in
                for index in steps.indices { registry.registerFailing("offboard-deployment", steps: steps, at: index) }
            }
        ) { cloud in
            _ = try await cloud.client.createDomain(name: "off.example")
            for index in steps.indices {
                let deployment = "off\(index)"
                let droplets = [
                    try await cloud.makeDroplet("\(deployment)-a", tags: ["deployment:\(deployment)"]),
                    try await cloud.makeDroplet("\(deployment)-b", tags: ["deployment:\(deployment)"]),
                ].map(\.id)
                let dns = try await cloud.run(
                    "upsert-dns",
                    [
                        "dns_domain": "off.example", "dns_record_type": "A", "dns_record_name": .string(deployment), "dns_record_data": "203.0.113.9",
                        "deployment_id": .string(deployment),
                    ])
                #expect(dns.saga.status == .completed)
                let snapshotsBefore = try await cloud.live().snapshots.count
                let detail = try await cloud.run("offboard-deployment@\(index)", ["deployment_id": .string(deployment)])
                #expect(detail.saga.status == .rolledBack, "offboard@\(index): \(detail.saga.status) \(detail.saga.error ?? "")")
                let live = try await cloud.live()
                let liveIDs = Set(live.droplets.compactMap { $0["id"] as? Int })
                let record = (live.records["off.example"] ?? []).contains { ($0["name"] as? String) == deployment }
                switch index {
                case 0:
                    // Nothing was destroyed: the snapshots it took are deleted again.
                    #expect(liveIDs.isSuperset(of: droplets))
                    #expect(live.snapshots.count == snapshotsBefore, "offboard@0 left snapshots")
                    #expect(record)
                default:
                    // The droplets are gone for good: their snapshots are what is left of them.
                    #expect(liveIDs.isDisjoint(with: droplets))
                    #expect(live.snapshots.count == snapshotsBefore + 2)
                    #expect(record == (index == 1), "offboard@\(index): DNS record present \(record)")
                }
            }
        }
    }

    @Test("delete-dns rolled back after deleting: the record and its desired state are put back", arguments: Backend.enabled)
    func deleteDnsRollbackRestores(backend: Backend) async throws {
        try await CloudHarness.with(
            backend,
            extend: { registry, _ in registry.registerFailing("delete-dns", steps: ["delete_dns_record"], at: 0) }
        ) { cloud in
            _ = try await cloud.client.createDomain(name: "restore.example")
            let inputs: [String: JSONValue] = ["dns_domain": "restore.example", "dns_record_type": "MX", "dns_record_name": "@"]
            var upsert = inputs
            upsert["dns_record_data"] = "mail.restore.example"
            upsert["dns_record_priority"] = 10
            upsert["deployment_id"] = "r1"
            #expect(try await cloud.run("upsert-dns", upsert).saga.status == .completed)
            let key = ResourceKind.recordKey(domain: "restore.example", type: "MX", name: "@")
            #expect(try await cloud.store.provisioned(kind: "domain_record", providerID: key)?.deploymentID == "r1")
            let detail = try await cloud.run("delete-dns@0", inputs)
            #expect(detail.saga.status == .rolledBack, "\(detail.saga.error ?? "")")
            let records = try await cloud.client.domainRecords(domain: "restore.example", name: "restore.example", type: "MX").collect()
            #expect(records.map(\.data) == ["mail.restore.example"])
            #expect(try await cloud.store.provisioned(kind: "domain_record", providerID: key)?.deploymentID == "r1")
        }
    }

    @Test("saga run of a cloud template shows each step as it runs, with what each look waits for; a missing token is named")
    func sagaRunShowsProgress() async throws {
        // A create that takes 5 s: the wait is surely seen polling, however loaded the machine.
        var lags = Lags().scaled(by: 0.01)
        lags.dropletCreate = 5
        try await CloudHarness.with(.sqlite, lags: lags, startWorker: false) { cloud in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arcadia-cloud-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let database = "sqlite:" + directory.appendingPathComponent("cli.sqlite").path
            let arguments = [
                "saga", "run", "provision-droplet", "--input", "name=cli-1", "--input", "region=syd1", "--input", "size_slug=s-1vcpu-512mb-10gb",
                "--input", "image=ubuntu-24-04-x64", "--input", "tags=web,blue", "--database", database, "--do-poll-seconds", "0.05",
                "--do-api-url", cloud.simulator.baseURL,
            ]
            let run = try await ChildProcess.run(arguments, environment: ["ARCADIA_DO_TOKEN_PROVISIONING": CloudHarness.token])
            #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
            for expected in [
                "[0] create_droplet: running", "[0] create_droplet: completed", "[1] wait_droplet_active: poll", "waiting for droplet",
                "[2] register_droplet: completed", "completed in",
            ] {
                #expect(run.stdout.contains(expected), "missing '\(expected)' in:\n\(run.stdout)")
            }
            #expect(!run.stdout.contains(CloudHarness.token) && !run.stderr.contains(CloudHarness.token), "the token was printed")
            let droplets = try await cloud.live().droplets
            #expect(
                droplets.count == 1 && Set(droplets.first?["tags"] as? [String] ?? []).isSuperset(of: ["web", "blue", "managed-by-arcadia-cloud"]))

            let missing = try await ChildProcess.run(
                [
                    "saga", "run", "destroy-droplet", "--input", "droplet_provider_id=1", "--database", database, "--do-api-url",
                    cloud.simulator.baseURL,
                ],
                environment: ["ARCADIA_DO_TOKEN_PROVISIONING": ""])
            #expect(missing.status == 1)
            #expect((missing.stdout + missing.stderr).contains("ARCADIA_DO_TOKEN_PROVISIONING"), "\(missing.stdout)\n\(missing.stderr)")
        }
    }

    @Test("a permanent 422 (capacity) fails the create at once, without retries, and leaves nothing", arguments: Backend.enabled)
    func permanent422FailsAtOnce(backend: Backend) async throws {
        try await CloudHarness.with(backend) { cloud in
            try await cloud.addFault(#"{"method": "POST", "path": "/v2/droplets", "kind": "unprocessable", "remaining": 1}"#)
            let detail = try await cloud.run("provision-droplet", Self.provisionInputs("full-1"))
            #expect(detail.saga.status == .rolledBack)
            #expect((detail.saga.error ?? "").contains("droplet limit"), "\(detail.saga.error ?? "")")
            #expect(detail.steps.first?.attempts == 1, "a 4xx is not retried")
            #expect(try await cloud.live().droplets.isEmpty)
            // A size the region does not offer: DigitalOcean's own 422.
            var inputs = Self.provisionInputs("full-2")
            inputs["region"] = "blr1"
            inputs["size_slug"] = "s-4vcpu-8gb"
            let unavailable = try await cloud.run("provision-droplet", inputs)
            #expect(unavailable.saga.status == .rolledBack && (unavailable.saga.error ?? "").contains("not available in this region"))
        }
    }

    @Test("a 5xx after DigitalOcean applied a snapshot action or a DNS record create leaves exactly one of each", arguments: Backend.enabled)
    func serverErrorAfterApplyOnEveryCreate(backend: Backend) async throws {
        try await CloudHarness.with(backend) { cloud in
            _ = try await cloud.client.createDomain(name: "applied.example")
            let droplet = try await cloud.makeDroplet("applied-snap")
            try await cloud.addFault(
                #"{"faults": [{"method": "POST", "path": "/v2/droplets/{droplet_id}/actions", "kind": "server_error_after_apply", "remaining": 1},"#
                    + #"{"method": "POST", "path": "/v2/domains/{domain_name}/records", "kind": "server_error_after_apply", "remaining": 1}]}"#)
            let snapshot = try await cloud.run("snapshot-droplet", ["droplet_provider_id": .string(String(droplet.id))])
            #expect(snapshot.saga.status == .completed, "\(snapshot.saga.error ?? "")")
            #expect(try await cloud.live().snapshots.count == 1)
            let dns = try await cloud.run(
                "upsert-dns", ["dns_domain": "applied.example", "dns_record_type": "TXT", "dns_record_name": "once", "dns_record_data": "v=1"])
            #expect(dns.saga.status == .completed && dns.saga.context["dns_outcome"] == "created", "\(dns.saga.error ?? "")")
            #expect(try await cloud.client.domainRecords(domain: "applied.example", name: "once.applied.example", type: "TXT").collect().count == 1)
        }
    }

    @Test("cancel while a snapshot action runs: the saga compensates and no snapshot is left", arguments: Backend.enabled)
    func cancelDuringActionPoll(backend: Backend) async throws {
        var lags = Lags().scaled(by: 0.01)
        lags.snapshotAction = 3
        try await CloudHarness.with(backend, lags: lags) { cloud in
            let droplet = try await cloud.makeDroplet("cancel-snap")
            let events = cloud.engine.events()
            let saga = try await cloud.engine.start("snapshot-droplet", inputs: ["droplet_provider_id": .string(String(droplet.id))]).saga
            try await withTimeout(.seconds(30)) {
                for await event in events {
                    if case .parked(let id, 0, _, .poll, let detail) = event, id == saga.id, (detail ?? "").contains("to complete") { return }
                }
            }
            _ = try await cloud.engine.cancel(saga.id)
            let done = try await cloud.engine.waitUntilTerminal(saga.id, timeout: .seconds(60))
            #expect(done.status == .rolledBack)
            #expect(try await cloud.live().snapshots.isEmpty, "the snapshot the action made was deleted")
        }
    }

    @Test(
        "resume-deployment and destroy-droplet failing after their work: powered back off; a destroyed droplet stays destroyed",
        arguments: Backend.enabled)
    func resumeAndDestroyFailures(backend: Backend) async throws {
        var lags = Lags().scaled(by: 0.01)
        lags.statusLag = 0
        try await CloudHarness.with(
            backend, lags: lags,
            extend: { registry, _ in
                registry.registerFailing("resume-deployment", steps: ["power_on_deployment"], at: 0)
                registry.registerFailing("destroy-droplet", steps: ["destroy_droplet"], at: 0)
            }
        ) { cloud in
            let sleeper = try await cloud.makeDroplet("sleeper", tags: ["deployment:z1"])
            #expect(try await cloud.run("suspend-deployment", ["deployment_id": "z1"]).saga.status == .completed)
            let resumed = try await cloud.run("resume-deployment@0", ["deployment_id": "z1"])
            #expect(resumed.saga.status == .rolledBack)
            #expect(try await cloud.client.droplet(id: sleeper.id).status == "off", "the droplet it powered on is off again")
            let destroyed = try await cloud.run("destroy-droplet@0", ["droplet_provider_id": .string(String(sleeper.id))])
            #expect(destroyed.saga.status == .rolledBack)
            #expect(try await cloud.live().droplets.isEmpty, "a destroy cannot be undone; nothing else was made")
        }
    }

    @Test(
        "power-off-droplet and power-on-droplet wait for their actions and are idempotent; rolled back, the droplet is powered back",
        arguments: Backend.enabled)
    func powerOneDroplet(backend: Backend) async throws {
        var lags = Lags().scaled(by: 0.01)
        lags.statusLag = 0
        try await CloudHarness.with(
            backend, lags: lags,
            extend: { registry, _ in
                registry.registerFailing("power-off-droplet", steps: ["power_off_droplet"], at: 0)
            }
        ) { cloud in
            let droplet = try await cloud.makeDroplet("single")
            let inputs: [String: JSONValue] = ["droplet_provider_id": .string(String(droplet.id))]
            let off = try await cloud.run("power-off-droplet", inputs)
            #expect(off.saga.status == .completed && off.saga.context["powered_off"] == [.int(droplet.id)], "\(off.saga.error ?? "")")
            #expect(try await cloud.client.droplet(id: droplet.id).status == "off")
            let again = try await cloud.run("power-off-droplet", inputs)
            #expect(again.saga.status == .completed && again.saga.context["powered_off"] == [], "already off is success")
            #expect(try await cloud.run("power-on-droplet", inputs).saga.status == .completed)
            #expect(try await cloud.client.droplet(id: droplet.id).status == "active")
            let failed = try await cloud.run("power-off-droplet@0", inputs)
            #expect(failed.saga.status == .rolledBack)
            #expect(try await cloud.client.droplet(id: droplet.id).status == "active", "powered back on")
        }
    }
}
