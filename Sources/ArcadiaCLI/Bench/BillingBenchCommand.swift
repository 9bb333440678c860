import ArcadiaStorage
import ArgumentParser
import Billing
import CloudOps
import Foundation
import Logging
import SagaEngine

/// `arcadia bench billing`: invoices for many tenants over a month of hourly inventory syncs.
struct BillingBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "billing",
        abstract: "Time the draft invoices of many tenants over a month of hourly inventory syncs.",
        discussion: """
            In a fresh database (a temporary SQLite file, or a temporary schema of the PostgreSQL --database, dropped
            afterwards), makes --tenants tenants with one deployment and --resources droplets each, and records a month
            (November 2026) of hourly inventory syncs through the inventory store, as the sync would: every droplet seen
            each hour, and one droplet in ten of each tenant destroyed for a day and created again, so presence has
            gaps. Then times the generation of every tenant's draft invoice for that month.
            """)

    @OptionGroup var scratch: ScratchDatabaseOptions

    @Option(help: "Tenants, each with one deployment.")
    var tenants: Int = 1000

    @Option(help: "Droplets per tenant.")
    var resources: Int = 10

    @Flag(help: "Print JSON (invoices, line_items, seconds, setup_seconds, syncs, backend).")
    var json = false

    func validate() throws {
        guard (1...100_000).contains(tenants) else { throw ValidationError("--tenants must be between 1 and 100000") }
        guard (1...1000).contains(resources) else { throw ValidationError("--resources must be between 1 and 1000") }
    }

    func run() async throws {
        let logger = ScratchDatabaseOptions.logger()
        let (url, cleanup) = try scratch.scratch(logger: logger)
        let (tenants, resources) = (self.tenants, self.resources)
        let period = BillingPeriod("2026-11")!
        let result: (setup: Double, seconds: Double, invoices: [Invoice], syncs: Int)
        do {
            result = try await StoreFactory.withStore(url, logger: logger) { store in
                let clock = ContinuousClock()
                var syncs = 0
                let setup = try await clock.measure {
                    syncs = try await Self.seed(store, tenants: tenants, resources: resources, period: period)
                }
                var invoices: [Invoice] = []
                let service = InvoiceService(billing: store, inventory: store, now: { period.end.addingTimeInterval(86_400) })
                let ids = try await store.tenants().map(\.id)
                let seconds = try await clock.measure { invoices = try await service.generate(tenantIDs: ids, period: period) }
                return (setup.seconds, seconds.seconds, invoices, syncs)
            }
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
        let lines = result.invoices.reduce(0) { $0 + $1.lines.count }
        let backend = ScratchDatabaseOptions.isPostgres(url) ? "postgres" : "sqlite"
        if json {
            let object: [String: Any] = [
                "invoices": result.invoices.count, "line_items": lines, "seconds": ScratchDatabaseOptions.round(result.seconds),
                "setup_seconds": ScratchDatabaseOptions.round(result.setup), "syncs": result.syncs, "backend": backend, "tenants": tenants,
                "resources_per_tenant": resources,
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print(
                """
                billing for \(tenants) tenants × \(resources) droplets over \(result.syncs) hourly syncs of \(period) (\(backend == "postgres" ? "PostgreSQL" : "SQLite"))
                setup:     \(ScratchDatabaseOptions.round(result.setup)) s
                invoices:  \(result.invoices.count) with \(lines) lines in \(ScratchDatabaseOptions.round(result.seconds)) s
                """)
        }
    }

    /// Tenants, deployments, a rate card, and a month of hourly syncs of their droplets; answers
    /// the number of syncs.
    static func seed(_ store: any ArcadiaStore, tenants: Int, resources: Int, period: BillingPeriod) async throws -> Int {
        let start = period.start
        try await store.insertRateCard(
            RateCard(
                name: "bench", effectiveFrom: BillingPeriod("2026-01")!.start, planFees: ["standard": 30],
                rates: ["droplet": .hourly(["*": Decimal(string: "0.0357")!])], snapshotPerGBMonth: Decimal(string: "0.10")))
        var droplets: [CloudResource] = []
        for tenant in 0..<tenants {
            let id = String(format: "t%05d", tenant)
            try await store.insertTenant(Tenant(id: id, name: "Tenant \(tenant)", billingEmail: "\(id)@bench.test", createdAt: start))
            try await store.insertDeployment(
                Deployment(id: "\(id)-d", tenantID: id, name: "\(id)-d", region: "nyc3", plan: "standard", createdAt: start))
            for index in 0..<resources {
                droplets.append(
                    CloudResource(
                        kind: "droplet", providerID: String(1_000_000 + tenant * resources + index), name: "\(id)-web-\(index)", region: "nyc3",
                        sizeSlug: "s-1vcpu-1gb", status: "active", tags: ["deployment:\(id)-d"], managed: true, deploymentID: "\(id)-d",
                        hourlyPrice: Decimal(string: "0.00744"), firstSeenAt: start, lastSeenAt: start))
            }
        }
        let hours = Int(period.seconds / 3600)
        // One droplet in ten is away for a day (from hour 100 to 124) and comes back.
        let away = Set(droplets.indices.filter { $0 % 10 == 0 }.map { droplets[$0].providerID })
        var syncs = 0
        for hour in 0...hours {
            let seenAt = start.addingTimeInterval(Double(hour) * 3600)
            let run = SyncRun(trigger: "bench", holder: "bench", startedAt: seenAt)
            guard try await store.beginSync(run, leaseUntil: seenAt.addingTimeInterval(600), notStartedAfter: nil, now: seenAt) else {
                throw ValidationError("the bench's sync did not start")
            }
            var batch = SyncBatch(kind: "droplet", seenAt: seenAt)
            switch hour {
            case 0:
                batch.upserts = droplets.map { .init(resource: $0, wasDeleted: nil, presenceStart: start) }
            case 100:
                batch.touched = droplets.map(\.providerID).filter { !away.contains($0) }
                batch.deleted = Array(away)
            case 124:
                batch.touched = droplets.map(\.providerID).filter { !away.contains($0) }
                batch.upserts = droplets.filter { away.contains($0.providerID) }.map {
                    var back = $0
                    back.lastSeenAt = seenAt
                    return .init(resource: back, wasDeleted: true, presenceStart: seenAt, newIncarnation: true)
                }
            default:
                batch.touched = droplets.map(\.providerID).filter { !(100..<124).contains(hour) || !away.contains($0) }
            }
            _ = try await store.applySyncBatch(batch, runID: run.id, leaseUntil: seenAt.addingTimeInterval(600), now: seenAt)
            var finished = run
            finished.status = .succeeded
            finished.finishedAt = seenAt
            try await store.finishSync(finished, now: seenAt)
            syncs += 1
        }
        return syncs
    }
}
