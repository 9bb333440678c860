import DigitalOcean
import FakeDigitalOcean
import Foundation
import NIOHTTP1
import Testing

/// The simulator bills its own resources by DigitalOcean's rules as its clock moves: invoices of
/// closed months, the preview, items, the summary, billing history and the balance.
@Suite("Simulator billing")
struct SimulatorBillingTests {
    static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    @Test("a droplet's months: the partial first month per second, a whole month capped at 5.00, invoiced on the 1st, paid on the 2nd")
    func invoicesFromLifetimes() async throws {
        try await withSimulator { sim in
            let client = sim.client(.provisioning)
            let created = sim.server.simulator.now
            let droplet = try await client.createDroplet(SimulatorHarness.dropletRequest("billed-1")).droplet
            // To 00:00 on the 3rd of the month after next: one partial and one whole month closed.
            let thisMonth = Self.calendar.dateInterval(of: .month, for: created)!
            let nextMonth = Self.calendar.dateInterval(of: .month, for: thisMonth.end)!
            let target = nextMonth.end.addingTimeInterval(2 * 86_400)
            try await sim.advance(seconds: target.timeIntervalSince(created))

            let invoices = try await client.invoices().collect()
            #expect(invoices.count == 2)
            let formatter = DateFormatter()
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM"
            let whole = try #require(invoices.first { $0.invoicePeriod == formatter.string(from: nextMonth.start) })
            #expect(whole.amount == Decimal(string: "5.00"), "a whole month is capped at the monthly price")
            let items = try await client.invoiceItems(invoiceUUID: whole.invoiceUUID).collect()
            #expect(items.count == 1 && items[0].product == "Droplets" && items[0].resourceID == String(droplet.id))
            #expect(items[0].amount == Decimal(string: "5.00") && items[0].durationUnit == "Hours")
            // The partial month: per second at 0.00743999984115362 an hour, rounded once.
            let partial = try #require(invoices.first { $0.invoicePeriod == formatter.string(from: thisMonth.start) })
            let seconds = Decimal(Int(thisMonth.end.timeIntervalSince(created).rounded()))
            var exact = min(max(seconds, 60) * Decimal(string: "0.00743999984115362")! / 3600, 5)
            var cents = Decimal()
            NSDecimalRound(&cents, &exact, 2, .plain)
            #expect(partial.amount == max(cents, Decimal(string: "0.01")!))

            // Issued on the 1st, paid on the 2nd: nothing owed; newest first.
            let history = try await client.billingHistory().collect()
            #expect(history.map(\.type) == ["Payment", "Invoice", "Payment", "Invoice"])
            #expect(history[1].amount == Decimal(string: "5.00") && history[0].amount == Decimal(string: "-5.00"))
            let balance = try await client.balance()
            #expect(balance.accountBalance == 0)
            // Two days of the month in progress: 48 h × the hourly price.
            var running = Decimal(48) * Decimal(string: "0.00743999984115362")!
            var runningCents = Decimal()
            NSDecimalRound(&runningCents, &running, 2, .plain)
            #expect(balance.monthToDateUsage == runningCents)
            #expect(try await client.invoiceItems(invoiceUUID: "preview").collect().map(\.amount) == [runningCents])

            let summary = try await sim.raw(.GET, "/v2/customers/my/invoices/\(whole.invoiceUUID)/summary")
            let body = try #require(try JSONSerialization.jsonObject(with: summary.body) as? [String: Any])
            #expect(summary.status == 200 && body["amount"] as? String == "5.00" && body["billing_period"] as? String == whole.invoicePeriod)
            let charges = try #require(body["product_charges"] as? [String: Any])
            #expect((charges["items"] as? [[String: Any]])?.first?["count"] as? String == "1")
            #expect(try await sim.raw(.GET, "/v2/customers/my/invoices/nope/summary").status == 404)

            // Destroyed: the month in progress stops counting it.
            try await client.deleteDroplet(id: droplet.id)
            try await sim.advance(seconds: 86_400)
            #expect(try await client.balance().monthToDateUsage == runningCents)
        }
    }

    @Test("backups at 20% of the droplet, a database per node, a reserved IP while not assigned: a line each, hand-computed")
    func otherProducts() async throws {
        try await withSimulator { sim in
            let client = sim.client(.provisioning)
            // From the 2nd of next month, so the 20 hours below stay in one month whatever today is.
            let start = sim.server.simulator.now
            let month = Self.calendar.dateInterval(of: .month, for: start)!
            try await sim.advance(seconds: month.end.addingTimeInterval(86_400).timeIntervalSince(start))
            var request = SimulatorHarness.dropletRequest("backed-up")
            request.backups = true
            let droplet = try await client.createDroplet(request).droplet
            let database = try await sim.raw(
                .POST, "/v2/databases", body: #"{"name": "billed-db", "engine": "pg", "num_nodes": 2, "size": "db-s-1vcpu-1gb", "region": "nyc3"}"#)
            #expect(database.status == 201)
            let reserved = try await client.createReservedIP(region: "nyc3")
            try await sim.advance(seconds: 10 * 3600)
            // Assigned after 10 hours: from then on it costs nothing.
            _ = try await client.assignReservedIP(reserved.ip, dropletID: droplet.id)
            try await sim.advance(seconds: 10 * 3600)

            let items = try await client.invoiceItems(invoiceUUID: "preview").collect()
            func amount(_ product: String) -> Decimal? { items.first { $0.product == product }?.amount }
            #expect(items.count == 4, "\(items.map(\.product))")
            // 20 h per second at 0.00743999984115362: 0.1487999968 → 0.15.
            #expect(amount("Droplets") == Decimal(string: "0.15"))
            // 20% of the droplet's 0.1487999968: 0.02976 → 0.03, under the droplet's id.
            #expect(amount("Backups") == Decimal(string: "0.03"))
            #expect(items.first { $0.product == "Backups" }?.resourceID == String(droplet.id))
            // Two $15 nodes, 20 started hours: 20 × 30 / 672 = 0.892857… → 0.89.
            #expect(amount("Managed Databases") == Decimal(string: "0.89"))
            // 10 hours unassigned at $5 a month: 10 × 5 / 672 = 0.0744… → 0.07.
            #expect(amount("Reserved IPs") == Decimal(string: "0.07"))
            #expect(items.first { $0.product == "Reserved IPs" }?.resourceID == reserved.ip)

            // Unassigned again by the droplet's destroy: billed again from then.
            try await client.deleteDroplet(id: droplet.id)
            try await sim.advance(seconds: 2 * 3600)
            let later = try await client.invoiceItems(invoiceUUID: "preview").collect()
            // 12 hours unassigned: 12 × 5 / 672 = 0.0892… → 0.09.
            #expect(later.first { $0.product == "Reserved IPs" }?.amount == Decimal(string: "0.09"))
        }
    }
}
