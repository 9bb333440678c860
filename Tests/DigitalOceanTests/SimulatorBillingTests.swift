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
}
