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
}
