import Billing
import CloudOps
import Foundation
import Testing

/// Hand-computed invoices: each expected amount is worked out in the comment beside it.
@Suite("Invoice calculation")
struct InvoiceCalculatorTests {
    static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)!
    }

    static func decimal(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }

    static let november = BillingPeriod("2026-11")!
    static let standard = RateCard(
        name: "standard-2026", effectiveFrom: date("2026-01-01T00:00:00Z"), planFees: ["standard": 30],
        rates: ["droplet": .hourly(["s-1vcpu-1gb": decimal("0.0357"), "*": decimal("0.05")]), "volume": .markup(decimal("0.25"))],
        snapshotPerGBMonth: decimal("0.10"))
    /// From 16 November: droplets 0.05 an hour, the standard plan 40 a month.
    static let raised = RateCard(
        name: "raised", effectiveFrom: date("2026-11-16T00:00:00Z"), planFees: ["standard": 40],
        rates: ["droplet": .hourly(["*": decimal("0.05")])], snapshotPerGBMonth: decimal("0.10"))

    static let deployment = Deployment(
        id: "d1", tenantID: "acme", name: "acme-prod", region: "nyc3", plan: "standard", createdAt: date("2026-01-01T00:00:00Z"))

    static func droplet(_ intervals: [(String, String?)], size: String = "s-1vcpu-1gb") -> MeteredResource {
        MeteredResource(
            kind: "droplet", providerID: "101", name: "web-1", sizeSlug: size, deploymentID: "d1",
            intervals: intervals.map { PresenceInterval(kind: "droplet", providerID: "101", startedAt: date($0.0), endedAt: $0.1.map(date)) },
            providerHourlyPrice: decimal("0.00893"))
    }

    static func usage(_ resource: MeteredResource, cards: [RateCard] = [standard], period: BillingPeriod = november) throws -> [InvoiceLine] {
        try InvoiceCalculator(schedule: RateCardSchedule(cards)).lines(period: period, deployments: [deployment], resources: [resource])
            .filter { $0.category != .baseFee }
    }

    @Test("a droplet for 3 h 20 min: 12000 s = 10/3 h × 0.0357 = 0.119 → 0.12")
    func threeHoursTwenty() throws {
        let lines = try Self.usage(Self.droplet([("2026-11-10T00:00:00Z", "2026-11-10T03:20:00Z")]))
        #expect(lines.count == 1)
        #expect(lines[0].quantity == Decimal(12000) / Decimal(3600))
        #expect(lines[0].amount == Self.decimal("0.12"))
        #expect(lines[0].unit == "hour" && lines[0].unitPrice == Self.decimal("0.0357"))
    }

    @Test("across a month boundary: 22:00 on 31 Oct to 02:00 on 1 Nov is 2 h in each month, 0.0714 → 0.07 each")
    func monthBoundary() throws {
        let droplet = Self.droplet([("2026-10-31T22:00:00Z", "2026-11-01T02:00:00Z")])
        let november = try Self.usage(droplet)
        let october = try Self.usage(droplet, period: BillingPeriod("2026-10")!)
        #expect(november.map(\.quantity) == [2] && october.map(\.quantity) == [2])
        #expect(november[0].amount == Self.decimal("0.07") && october[0].amount == Self.decimal("0.07"))
        #expect(november[0].from == Self.date("2026-11-01T00:00:00Z") && october[0].to == Self.date("2026-11-01T00:00:00Z"))
    }

    @Test("the monthly cap: all of November is 720 h, billed 672 h × 0.0357 = 23.9904 → 23.99")
    func monthlyCap() throws {
        let lines = try Self.usage(Self.droplet([("2026-10-01T00:00:00Z", nil)]))
        #expect(lines.map(\.quantity) == [672])
        #expect(lines[0].amount == Self.decimal("23.99") && lines[0].note?.contains("672") == true)
    }

    @Test("a rate-card change on 16 Nov: 360 h × 0.0357 = 12.852 → 12.85, then the 312 h left under the cap × 0.05 = 15.60")
    func rateChange() throws {
        let lines = try Self.usage(Self.droplet([("2026-10-01T00:00:00Z", nil)]), cards: [Self.standard, Self.raised])
        #expect(lines.map(\.rateCard) == ["standard-2026", "raised"])
        #expect(lines.map(\.quantity) == [360, 312])
        #expect(lines.map(\.amount) == [Self.decimal("12.85"), Self.decimal("15.60")])
        #expect(lines[1].from == Self.date("2026-11-16T00:00:00Z"))
    }

    @Test("a deployment created on 16 Nov pays half the month's base fee: 15/30 × 30 = 15.00; under the raised card 15/30 × 40 = 20.00")
    func deploymentMidMonth() throws {
        var deployment = Self.deployment
        deployment.createdAt = Self.date("2026-11-16T00:00:00Z")
        let standard = try InvoiceCalculator(schedule: RateCardSchedule([Self.standard])).lines(
            period: Self.november, deployments: [deployment], resources: [])
        #expect(standard.map(\.amount) == [15] && standard[0].quantity == Decimal(1) / 2 && standard[0].unit == "month")
        let raised = try InvoiceCalculator(schedule: RateCardSchedule([Self.standard, Self.raised])).lines(
            period: Self.november, deployments: [deployment], resources: [])
        #expect(raised.map(\.amount) == [20] && raised[0].rateCard == "raised")
        // Ended on 11 Nov (created earlier): 10 of 30 days, 10.00.
        var ended = Self.deployment
        ended.endedAt = Self.date("2026-11-11T00:00:00Z")
        let partial = try InvoiceCalculator(schedule: RateCardSchedule([Self.standard])).lines(
            period: Self.november, deployments: [ended], resources: [])
        #expect(partial.map(\.amount) == [10])
    }

    @Test("presence that breaks and comes back is billed for the time present, overlaps once: 10 h + 2 h = 12 h; the same day twice = 24 h")
    func gapsAndOverlaps() throws {
        let broken = try Self.usage(
            Self.droplet([("2026-11-01T00:00:00Z", "2026-11-01T10:00:00Z"), ("2026-11-01T12:00:00Z", "2026-11-01T14:00:00Z")]))
        #expect(broken.map(\.quantity) == [12] && broken[0].amount == Self.decimal("0.43"))  // 12 × 0.0357 = 0.4284
        let doubled = try Self.usage(
            Self.droplet([
                ("2026-11-02T00:00:00Z", "2026-11-03T00:00:00Z"), ("2026-11-02T00:00:00Z", "2026-11-03T00:00:00Z"),
                ("2026-11-02T06:00:00Z", "2026-11-02T07:00:00Z"),
            ]))
        #expect(doubled.map(\.quantity) == [24])
        let touching = try Self.usage(
            Self.droplet([("2026-11-02T00:00:00Z", "2026-11-03T00:00:00Z"), ("2026-11-03T00:00:00Z", "2026-11-04T00:00:00Z")]))
        #expect(touching.map(\.quantity) == [48])
    }

    @Test("snapshots by size: 10 GB all month × 0.10 = 1.00; 25 GB from 16 Nov = 12.5 GB-months × 0.10 = 1.25")
    func snapshots() throws {
        func snapshot(_ gigabytes: Int, from: String) -> MeteredResource {
            MeteredResource(
                kind: "snapshot", providerID: "s\(gigabytes)", name: "snap", deploymentID: "d1",
                intervals: [PresenceInterval(kind: "snapshot", providerID: "s\(gigabytes)", startedAt: Self.date(from))],
                sizeGigabytes: Decimal(gigabytes))
        }
        #expect(try Self.usage(snapshot(10, from: "2026-10-01T00:00:00Z")).map(\.amount) == [1])
        let half = try Self.usage(snapshot(25, from: "2026-11-16T00:00:00Z"))
        #expect(half.map(\.amount) == [Self.decimal("1.25")] && half[0].quantity == Self.decimal("12.5") && half[0].unit == "GB-month")
    }

    @Test("a markup on DigitalOcean's price: a volume at 0.0148810/h + 25 % = 0.01860125/h, 672 h capped = 12.50004 → 12.50")
    func markup() throws {
        let volume = MeteredResource(
            kind: "volume", providerID: "v1", name: "data", sizeSlug: nil, deploymentID: "d1",
            intervals: [PresenceInterval(kind: "volume", providerID: "v1", startedAt: Self.date("2026-10-01T00:00:00Z"))],
            providerHourlyPrice: Self.decimal("0.0148810"))
        let lines = try Self.usage(volume)
        #expect(lines.map(\.amount) == [Self.decimal("12.50")] && lines[0].unitPrice == Self.decimal("0.01860125"))
    }

    @Test("no price is billed silently: a size without a price, a plan without a fee, or time before any card is an error naming it")
    func missingPrices() throws {
        let card = RateCard(name: "narrow", effectiveFrom: Self.date("2026-01-01T00:00:00Z"), rates: ["droplet": .hourly(["s-1vcpu-1gb": 1])])
        #expect(throws: BillingError.self) {
            _ = try InvoiceCalculator(schedule: RateCardSchedule([card])).lines(
                period: Self.november, deployments: [Self.deployment], resources: [Self.droplet([("2026-11-01T00:00:00Z", nil)], size: "c-2")])
        }
        let late = RateCard(name: "late", effectiveFrom: Self.date("2026-11-10T00:00:00Z"), planFees: ["standard": 1])
        do {
            _ = try InvoiceCalculator(schedule: RateCardSchedule([late])).lines(period: Self.november, deployments: [Self.deployment], resources: [])
            Issue.record("time before the first card was billed")
        } catch let error as BillingError {
            #expect(error.code == .noRateCard && error.message.contains("2026-11-01"))
        }
        #expect(throws: BillingError.self) { _ = try RateCardSchedule([late, late]) }
    }

    @Test("money is rounded once per line, half away from zero")
    func rounding() {
        #expect(MoneyRounding.round(Self.decimal("0.125")) == Self.decimal("0.13"))
        #expect(MoneyRounding.round(Self.decimal("0.124999")) == Self.decimal("0.12"))
        #expect(MoneyRounding.round(Self.decimal("-0.125")) == Self.decimal("-0.13"))
        #expect(MoneyRounding.text(Self.decimal("6.7")) == "6.70")
    }
}
