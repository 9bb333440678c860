import Billing
import CloudOps
import DigitalOcean
import FakeDigitalOcean
import Foundation
import SagaEngine
import Testing

/// Arcadia's reading of DigitalOcean's charges against DigitalOcean's own invoice (the
/// simulator's, from its resources' lifetimes): end to end, through inventory presence.
@Suite("Billing reconciliation", .timeLimit(.minutes(3)))
struct BillingReconciliationTests {
    @Test(
        "closed months: the margin costed by Arcadia's rules equals the one costed from the simulator's invoice items (droplets, backups, a database)"
    )
    func marginMatchesTheInvoice() async throws {
        try await CloudHarness.with(.sqlite, startWorker: false) { cloud in
            let web = try await cloud.makeDroplet("rec-web", tags: ["deployment:rec"], backups: true)
            let db = try await cloud.makeDroplet("rec-db", tags: ["deployment:rec"])
            let cluster = try await cloud.client.createDatabaseCluster(
                name: "rec-pg", engine: "pg", size: "db-s-1vcpu-1gb", region: "nyc3", numNodes: 2, tags: ["deployment:rec"])
            try await InventoryTests.settle(cloud)
            let created = cloud.simulator.simulator.now
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let month = calendar.dateInterval(of: .month, for: created)!
            // One droplet goes at the middle of the next month; both months close.
            let next = calendar.dateInterval(of: .month, for: month.end)!
            try await InventoryTests.advance(cloud, seconds: next.start.addingTimeInterval(15 * 86_400).timeIntervalSince(created))
            try await cloud.client.deleteDroplet(id: db.id)
            try await InventoryTests.advance(cloud, seconds: next.end.addingTimeInterval(2 * 86_400).timeIntervalSince(cloud.simulator.simulator.now))
            _ = try await cloud.inventorySync().syncNow()
            _ = try await cloud.inventorySync().syncNow()

            let store = cloud.store
            try await store.insertTenant(Tenant(id: "rec", name: "Rec", billingEmail: "r@rec.test", createdAt: month.start))
            try await store.insertDeployment(
                Deployment(id: "rec", tenantID: "rec", name: "rec", region: "nyc3", plan: "standard", createdAt: month.start))
            try await store.insertRateCard(
                RateCard(
                    name: "r", effectiveFrom: month.start.addingTimeInterval(-86_400 * 400), planFees: ["standard": 30],
                    rates: ["droplet": .markup(Decimal(string: "0.2")!)]))
            let now = cloud.simulator.simulator.now
            let service = InvoiceService(billing: store, inventory: store, now: { now })
            let client = try #require(cloud.services.inventory)
            for start in [month.start, next.start] {
                let period = BillingPeriod(containing: start)
                _ = try await service.generate(tenantID: "rec", period: period)
                var invoiceUUID: String?
                for try await invoice in client.invoices() where invoice.invoicePeriod == period.description { invoiceUUID = invoice.invoiceUUID }
                var charges: [String: Decimal] = [:]
                for try await item in client.invoiceItems(invoiceUUID: try #require(invoiceUUID)) {
                    charges[item.resourceID ?? "", default: 0] += item.amount
                }
                #expect(charges.keys.contains(String(web.id)) && charges.keys.contains(cluster.id))
                let byRules = try #require(try await service.margin(period: period).first)
                let byInvoice = try #require(try await service.margin(period: period, providerCharges: charges).first)
                #expect(
                    byRules.providerCost == byInvoice.providerCost,
                    "\(period): \(byRules.providerCost) by the rules, \(byInvoice.providerCost) invoiced")
                #expect(byRules.providerCost > 0 && byInvoice.margin == byInvoice.invoiced - byInvoice.providerCost)
            }
        }
    }

    @Test(
        "a snapshot of a deployment's droplet is billed to the deployment, also once the droplet is gone; a draft's DigitalOcean cost runs to when it was made"
    )
    func snapshotsAndDrafts() async throws {
        try await CloudHarness.with(.sqlite, startWorker: false) { cloud in
            let web = try await cloud.makeDroplet("snap-web", tags: ["deployment:snap"])
            let other = try await cloud.makeDroplet("snap-other", tags: ["deployment:snap"])
            _ = try await cloud.client.snapshotDroplet(id: web.id, name: "snap-web-1")
            let lags = cloud.lags
            try await InventoryTests.advance(cloud, seconds: lags.snapshotAction + lags.snapshotListing + lags.listVisibility + 1)
            _ = try await cloud.inventorySync().syncNow()
            try await cloud.client.deleteDroplet(id: web.id)
            try await InventoryTests.advance(cloud, seconds: 3600)
            for _ in 0..<2 { _ = try await cloud.inventorySync().syncNow() }
            let snapshot = try #require(try await cloud.store.resources(kind: "snapshot", includeDeleted: false).first)
            #expect(snapshot.deploymentID == nil && snapshot.attributes["resource_id"]?.stringValue == String(web.id))

            let store = cloud.store
            let now = cloud.simulator.simulator.now
            let period = BillingPeriod(containing: now)
            try await store.insertTenant(Tenant(id: "snap", name: "Snap", billingEmail: "s@snap.test", createdAt: period.start))
            try await store.insertDeployment(
                Deployment(id: "snap", tenantID: "snap", name: "snap", region: "nyc3", plan: "standard", createdAt: period.start))
            try await store.insertRateCard(
                RateCard(
                    name: "s", effectiveFrom: period.start.addingTimeInterval(-86_400), planFees: ["standard": 0], rates: ["droplet": .markup(0)],
                    snapshotPerGBMonth: Decimal(string: "0.06")!))
            let service = InvoiceService(billing: store, inventory: store, now: { now })
            let invoice = try await service.generate(tenantID: "snap", period: period)
            let snapshotLine = try #require(invoice.lines.first { $0.kind == "snapshot" }, "\(invoice.lines.map(\.kind))")
            #expect(snapshotLine.resource == snapshot.providerID && snapshotLine.deploymentID == "snap")
            #expect(invoice.lines.contains { $0.resource == String(web.id) } && invoice.lines.contains { $0.resource == String(other.id) })
            // The draft bills the droplet still there up to now; DigitalOcean's cost is taken over the
            // same time (a few hours: cents), not to the month's end (dollars).
            let row = try #require(try await service.margin(period: period).first)
            #expect(row.providerCost > 0 && row.providerCost < 1, "\(row.providerCost)")
        }
    }
}
