import Billing
import CloudOps
import Foundation
import Testing

/// DigitalOcean's own charges for the margin report, hand-computed.
@Suite("DigitalOcean cost")
struct DigitalOceanCostTests {
    static func droplet(_ from: String, _ to: String?, hourly: String = "0.0357") -> MeteredResource {
        MeteredResource(
            kind: "droplet", providerID: "101", name: "web-1", sizeSlug: "s-1vcpu-1gb", deploymentID: "d1",
            intervals: [
                PresenceInterval(
                    kind: "droplet", providerID: "101", startedAt: InvoiceCalculatorTests.date(from), endedAt: to.map(InvoiceCalculatorTests.date))
            ],
            providerHourlyPrice: InvoiceCalculatorTests.decimal(hourly))
    }

    @Test(
        "droplets from 2026 per second: 12000 s × 0.0357/3600 = 0.119 → 0.12; 30 s counts 60 s, 0.000595, at least 0.01; a month caps at 672 × 0.0357 = 23.99"
    )
    func perSecond() {
        let november = BillingPeriod("2026-11")!
        #expect(
            DigitalOceanCost.cost(of: Self.droplet("2026-11-10T00:00:00Z", "2026-11-10T03:20:00Z"), period: november)
                == InvoiceCalculatorTests.decimal("0.12"))
        #expect(
            DigitalOceanCost.cost(of: Self.droplet("2026-11-10T00:00:00Z", "2026-11-10T00:00:30Z"), period: november)
                == InvoiceCalculatorTests.decimal("0.01"))
        #expect(DigitalOceanCost.cost(of: Self.droplet("2026-10-01T00:00:00Z", nil), period: november) == InvoiceCalculatorTests.decimal("23.99"))
    }

    @Test("droplets before 2026 per started hour: 3 h 20 min is 4 h × 0.0357 = 0.1428 → 0.14; December 2025 whole = 672 h cap")
    func hourlyBefore2026() {
        let december = BillingPeriod("2025-12")!
        #expect(
            DigitalOceanCost.cost(of: Self.droplet("2025-12-10T00:00:00Z", "2025-12-10T03:20:00Z"), period: december)
                == InvoiceCalculatorTests.decimal("0.14"))
        #expect(DigitalOceanCost.cost(of: Self.droplet("2025-11-01T00:00:00Z", nil), period: december) == InvoiceCalculatorTests.decimal("23.99"))
    }

    @Test("snapshots per GB-month at 0.06: 10 GB all month = 0.60; 1 GB for one day = 0.002, at least 0.01")
    func snapshots() {
        func snapshot(_ gigabytes: Int, _ from: String, _ to: String?) -> MeteredResource {
            MeteredResource(
                kind: "snapshot", providerID: "s", name: "s", deploymentID: "d1",
                intervals: [
                    PresenceInterval(
                        kind: "snapshot", providerID: "s", startedAt: InvoiceCalculatorTests.date(from), endedAt: to.map(InvoiceCalculatorTests.date))
                ], sizeGigabytes: Decimal(gigabytes))
        }
        let november = BillingPeriod("2026-11")!
        #expect(DigitalOceanCost.cost(of: snapshot(10, "2026-10-01T00:00:00Z", nil), period: november) == InvoiceCalculatorTests.decimal("0.60"))
        #expect(
            DigitalOceanCost.cost(of: snapshot(1, "2026-11-03T00:00:00Z", "2026-11-04T00:00:00Z"), period: november)
                == InvoiceCalculatorTests.decimal("0.01"))
    }

    @Test(
        "weekly backups: 20% of the droplet's charge before rounding, a line of their own: 3 h 20 min 0.119 + 0.0238 → 0.12 + 0.02; a capped month 23.99 + 4.80"
    )
    func backups() {
        let november = BillingPeriod("2026-11")!
        var short = Self.droplet("2026-11-10T00:00:00Z", "2026-11-10T03:20:00Z")
        short.backups = true
        #expect(DigitalOceanCost.cost(of: short, period: november) == InvoiceCalculatorTests.decimal("0.14"))
        var whole = Self.droplet("2026-10-01T00:00:00Z", nil)
        whole.backups = true
        // 23.9904 × 0.2 = 4.79808 → 4.80; the droplet's 23.9904 → 23.99.
        #expect(DigitalOceanCost.cost(of: whole, period: november) == InvoiceCalculatorTests.decimal("28.79"))
    }

    @Test("a database (two $15 nodes) and an unassigned reserved IP ($5) per started hour at their inventory prices; 672 h at most")
    func hourlyKinds() {
        let november = BillingPeriod("2026-11")!
        func resource(_ kind: String, monthly: Decimal, _ from: String, _ to: String?) -> MeteredResource {
            MeteredResource(
                kind: kind, providerID: "r", name: "r", deploymentID: "d1",
                intervals: [
                    PresenceInterval(
                        kind: kind, providerID: "r", startedAt: InvoiceCalculatorTests.date(from), endedAt: to.map(InvoiceCalculatorTests.date))
                ], providerHourlyPrice: InventoryPrices.hourly(monthly: monthly))
        }
        // 30/672 = 0.0446429 an hour (7 places); 20 h = 0.892858 → 0.89.
        #expect(
            DigitalOceanCost.cost(of: resource("database", monthly: 30, "2026-11-02T00:00:00Z", "2026-11-02T20:00:00Z"), period: november)
                == InvoiceCalculatorTests.decimal("0.89"))
        // 9 h 30 min begun: 10 h × 0.0074405 = 0.074405 → 0.07.
        #expect(
            DigitalOceanCost.cost(of: resource("reserved_ip", monthly: 5, "2026-11-02T00:00:00Z", "2026-11-02T09:30:00Z"), period: november)
                == InvoiceCalculatorTests.decimal("0.07"))
        // A whole month: 672 h × 0.0446429 = 30.0000288 → 30.00.
        #expect(
            DigitalOceanCost.cost(of: resource("database", monthly: 30, "2026-10-01T00:00:00Z", nil), period: november)
                == InvoiceCalculatorTests.decimal("30.00"))
    }
}
