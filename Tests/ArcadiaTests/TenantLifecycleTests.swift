import ArcadiaStorage
import Billing
import CloudOps
import DigitalOcean
import Foundation
import SagaEngine
import Testing

/// Suspending, resuming and offboarding a tenant drive the deployment sagas against the
/// simulator, and the statuses follow the sagas' outcomes.
@Suite("Tenant lifecycle", .timeLimit(.minutes(3)))
struct TenantLifecycleTests {
    @Test(
        "suspend, resume and offboard a tenant of two deployments: sagas per deployment, statuses from their outcomes, no droplet left",
        arguments: Backend.enabled)
    func lifecycle(backend: Backend) async throws {
        try await CloudHarness.with(backend) { cloud in
            let store = cloud.store
            let created = Date(timeIntervalSince1970: 1_790_000_000)
            try await store.insertTenant(Tenant(id: "acme", name: "Acme", billingEmail: "b@acme.test", createdAt: created))
            for id in ["d7", "d8"] {
                try await store.insertDeployment(Deployment(id: id, tenantID: "acme", name: id, region: "nyc3", plan: "standard", createdAt: created))
            }
            _ = try await cloud.makeDroplet("t-a", tags: ["deployment:d7"])
            _ = try await cloud.makeDroplet("t-b", tags: ["deployment:d7"])
            _ = try await cloud.makeDroplet("t-c", tags: ["deployment:d8"])
            let other = try await cloud.makeDroplet("someone-else")
            let lifecycle = TenantLifecycle(billing: store, engine: cloud.engine)

            func run(_ action: TenantAction) async throws -> [SagaRecord] {
                var sagas = try await lifecycle.start(action, tenantID: "acme", triggeredBy: "test")
                for index in sagas.indices { sagas[index] = try await cloud.engine.waitUntilTerminal(sagas[index].id, timeout: .seconds(60)) }
                return sagas
            }

            let suspended = try await run(.suspend)
            #expect(suspended.map(\.template) == ["suspend-deployment", "suspend-deployment"])
            #expect(suspended.allSatisfy { $0.status == .completed && $0.tenantID == "acme" })
            #expect(try await lifecycle.refresh(tenantID: "acme").status == .suspended)
            #expect(try await store.deployments(tenantID: "acme").allSatisfy { $0.status == .suspended })
            let off = try await cloud.live().droplets.filter { ($0["name"] as? String)?.hasPrefix("t-") == true }
            #expect(off.count == 3 && off.allSatisfy { ($0["status"] as? String) == "off" })
            // Nothing active is left to suspend: no second saga.
            #expect(try await lifecycle.start(.suspend, tenantID: "acme", triggeredBy: "test").isEmpty)

            let resumed = try await run(.resume)
            #expect(resumed.count == 2 && resumed.allSatisfy { $0.status == .completed })
            #expect(try await lifecycle.refresh(tenantID: "acme").status == .active)

            let offboarding = try await lifecycle.start(.offboard, tenantID: "acme", triggeredBy: "test")
            // Asking again while (or after) they run answers those sagas, or nothing once they are done: never new ones.
            let again = try await lifecycle.start(.offboard, tenantID: "acme", triggeredBy: "test")
            #expect(Set(again.map(\.id)).isSubset(of: offboarding.map(\.id)))
            var offboarded: [SagaRecord] = []
            for saga in offboarding { offboarded.append(try await cloud.engine.waitUntilTerminal(saga.id, timeout: .seconds(60))) }
            #expect(offboarded.count == 2 && offboarded.allSatisfy { $0.status == .completed }, "\(offboarded.map { $0.error ?? "" })")
            #expect(try await lifecycle.refresh(tenantID: "acme").status == .offboarded)
            // Asking to offboard again is answered by what is done: nothing more starts.
            #expect(try await lifecycle.start(.offboard, tenantID: "acme", triggeredBy: "test").isEmpty)
            let deployments = try await store.deployments(tenantID: "acme")
            #expect(deployments.allSatisfy { $0.status == .offboarded && $0.endedAt != nil })
            // Nothing of the tenant is left: no droplet, no snapshot.
            let live = try await cloud.live()
            #expect(live.droplets.compactMap { $0["id"] as? Int } == [other.id])
            #expect(live.snapshots.isEmpty)
            do {
                _ = try await lifecycle.start(.resume, tenantID: "acme", triggeredBy: "test")
                Issue.record("an offboarded tenant was resumed")
            } catch let error as BillingError {
                #expect(error.message.contains("offboarded"))
            }
        }
    }

    @Test("while an offboarding waits to run, no other lifecycle action starts, and asking again answers the same sagas")
    func busyWhileOffboarding() async throws {
        try await CloudHarness.with(.sqlite, startWorker: false) { cloud in
            let lifecycle = try await Self.seed(cloud, tenant: "wait", deployment: "w1", droplet: "w-a")
            // No worker yet: the offboarding stays pending, so what follows does not race it.
            let offboarding = try await lifecycle.start(.offboard, tenantID: "wait", triggeredBy: "test")
            #expect(offboarding.count == 1)
            do {
                _ = try await lifecycle.start(.suspend, tenantID: "wait", triggeredBy: "test")
                Issue.record("a suspension started behind a waiting offboarding")
            } catch let error as BillingError {
                #expect(error.code == .busy && error.message.contains("offboard-deployment"))
            }
            #expect(try await lifecycle.start(.offboard, tenantID: "wait", triggeredBy: "test").map(\.id) == offboarding.map(\.id))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await cloud.engine.makeWorker(configuration: .init(concurrency: 2)).run() }
                let ended = try await cloud.engine.waitUntilTerminal(try #require(offboarding.first).id, timeout: .seconds(60))
                #expect(ended.status == .completed, "\(ended.error ?? "")")
                group.cancelAll()
            }
            #expect(try await lifecycle.refresh(tenantID: "wait").status == .offboarded)
        }
    }

    @Test("an offboarding that finished while nobody looked is final: a later suspension is refused, and a saga run after it changes nothing")
    func offboardedUnseen() async throws {
        try await CloudHarness.with(.sqlite) { cloud in
            let store = cloud.store
            let lifecycle = try await Self.seed(cloud, tenant: "gone", deployment: "g1", droplet: "g-a")
            let offboarding = try #require(try await lifecycle.start(.offboard, tenantID: "gone", triggeredBy: "test").first)
            #expect(try await cloud.engine.waitUntilTerminal(offboarding.id, timeout: .seconds(60)).status == .completed)
            // Nobody refreshed: the stored statuses still say active.
            #expect(try await store.deployments(tenantID: "gone").first?.status == .active)
            do {
                _ = try await lifecycle.start(.suspend, tenantID: "gone", triggeredBy: "test")
                Issue.record("a suspension started on an offboarded deployment")
            } catch let error as BillingError {
                #expect(error.message.contains("offboarded"))
            }
            #expect(try await store.deployments(tenantID: "gone").first.map { $0.status == .offboarded && $0.endedAt != nil } == true)
            // A suspension that completes after the offboarding (started beside billing) does not bring the deployment back.
            let (late, _) = try await cloud.engine.start(
                "suspend-deployment", inputs: ["deployment_id": "g1"], options: .init(deploymentID: "g1", tenantID: "gone"))
            let lateEnd = try await cloud.engine.waitUntilTerminal(late.id, timeout: .seconds(60))
            #expect(lateEnd.status == .completed, "\(lateEnd.status): \(lateEnd.error ?? "")")
            #expect(try await lifecycle.refresh(tenantID: "gone").status == .offboarded)
            #expect(try await store.deployments(tenantID: "gone").first?.status == .offboarded)
        }
    }

    @Test("a suspension that fails changes no status: the tenant stays active while its saga rolled back")
    func failedSuspension() async throws {
        try await CloudHarness.with(.sqlite) { cloud in
            let store = cloud.store
            let lifecycle = try await Self.seed(cloud, tenant: "acme", deployment: "d9", droplet: "t-z")
            // DigitalOcean refuses every power-off.
            try await cloud.addFault(#"{"faults": [{"method": "POST", "path": "/v2/droplets/{droplet_id}/actions", "kind": "unprocessable"}]}"#)
            let sagas = try await lifecycle.start(.suspend, tenantID: "acme", triggeredBy: "test")
            let ended = try await cloud.engine.waitUntilTerminal(try #require(sagas.first).id, timeout: .seconds(60))
            #expect(ended.status != .completed)
            #expect(try await lifecycle.refresh(tenantID: "acme").status == .active)
            #expect(try await store.deployments(tenantID: "acme").first?.status == .active)
        }
    }

    @Test("statuses follow the newest lifecycle saga however many other sagas the deployment has had since (60 here)")
    func manySagasSince() async throws {
        try await CloudHarness.with(.sqlite) { cloud in
            let lifecycle = try await Self.seed(cloud, tenant: "busy", deployment: "d10", droplet: "t-busy")
            let suspend = try #require(try await lifecycle.start(.suspend, tenantID: "busy", triggeredBy: "test").first)
            #expect(try await cloud.engine.waitUntilTerminal(suspend.id, timeout: .seconds(60)).status == .completed)
            // Sixty other sagas of the deployment, newer than the suspension (they wait a day to run).
            for _ in 0..<60 {
                _ = try await cloud.engine.start(
                    "test-echo", inputs: ["steps": 1], options: .init(deploymentID: "d10", runAt: Date().addingTimeInterval(86_400)))
            }
            #expect(try await lifecycle.latest(of: "d10")?.id == suspend.id)
            #expect(try await lifecycle.refresh(tenantID: "busy").status == .suspended)
            // Already suspended: resuming is what applies, suspending again starts nothing.
            #expect(try await lifecycle.start(.suspend, tenantID: "busy", triggeredBy: "test").isEmpty)
        }
    }

    /// A tenant with one deployment and one droplet tagged with it (all created now); answers the
    /// lifecycle over the harness's store and engine.
    static func seed(_ cloud: CloudHarness, tenant: String, deployment: String, droplet: String) async throws -> TenantLifecycle {
        try await cloud.store.insertTenant(Tenant(id: tenant, name: tenant, billingEmail: "b@\(tenant).test", createdAt: Date()))
        try await cloud.store.insertDeployment(
            Deployment(id: deployment, tenantID: tenant, name: deployment, region: "nyc3", plan: "standard", createdAt: Date()))
        _ = try await cloud.makeDroplet(droplet, tags: ["deployment:\(deployment)"])
        return TenantLifecycle(billing: cloud.store, engine: cloud.engine)
    }
}
