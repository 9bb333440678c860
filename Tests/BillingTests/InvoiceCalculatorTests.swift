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

    @Test(
        "backups pass through with a marked-up droplet: 0.00893/h × 1.2 (weekly backups) × 1.25 = 0.0133950/h, 10 h = 0.13395 → 0.13; a fixed price stays as it is"
    )
    func backupsWithMarkup() throws {
        var droplet = Self.droplet([("2026-11-10T00:00:00Z", "2026-11-10T10:00:00Z")])
        droplet.backups = true
        let markedUp = RateCard(
            name: "pass-through", effectiveFrom: Self.date("2026-01-01T00:00:00Z"), planFees: ["standard": 30],
            rates: ["droplet": .markup(Self.decimal("0.25"))])
        let lines = try Self.usage(droplet, cards: [markedUp])
        #expect(lines.map(\.amount) == [Self.decimal("0.13")] && lines[0].unitPrice == Self.decimal("0.013395"))
        #expect(lines[0].note?.contains("backups") == true)
        // A fixed hourly price is the price, backups or not.
        #expect(try Self.usage(droplet).map(\.amount) == [Self.decimal("0.36")])
    }

    @Test(
        "no price is billed silently: a size without a price, a markup without DigitalOcean's price, a plan without a fee, or time before any card is an error naming it"
    )
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
        // A markup on DigitalOcean's price for a resource DigitalOcean gives no price.
        let markup = RateCard(
            name: "markup", effectiveFrom: Self.date("2026-01-01T00:00:00Z"), planFees: ["standard": 1], rates: ["volume": .markup(1)])
        let unpriced = MeteredResource(
            kind: "volume", providerID: "v9", name: "data", sizeSlug: nil, deploymentID: "d1",
            intervals: [PresenceInterval(kind: "volume", providerID: "v9", startedAt: Self.date("2026-11-01T00:00:00Z"))])
        do {
            _ = try InvoiceCalculator(schedule: RateCardSchedule([markup])).lines(
                period: Self.november, deployments: [Self.deployment], resources: [unpriced])
            Issue.record("a resource without a DigitalOcean price was billed nothing under a markup")
        } catch let error as BillingError {
            #expect(error.code == .invalidRateCard && error.message.contains("v9"))
        }
    }

    @Test("money is rounded once per line, half away from zero")
    func rounding() {
        #expect(MoneyRounding.round(Self.decimal("0.125")) == Self.decimal("0.13"))
        #expect(MoneyRounding.round(Self.decimal("0.124999")) == Self.decimal("0.12"))
        #expect(MoneyRounding.round(Self.decimal("-0.125")) == Self.decimal("-0.13"))
        #expect(MoneyRounding.text(Self.decimal("6.7")) == "6.70")
    }

    @Test("amounts are rounded once from the exact product: 750 s at 0.024/h is 0.005 → 0.01; 4800 s at 0.01875/h is 0.025 → 0.03")
    func roundedOnce() throws {
        func droplet(seconds: Int, price: String) throws -> Decimal {
            let card = RateCard(
                name: "c", effectiveFrom: Self.date("2026-01-01T00:00:00Z"), planFees: ["standard": 0],
                rates: ["droplet": .hourly(["*": Self.decimal(price)])])
            let start = Self.date("2026-11-10T00:00:00Z")
            let resource = MeteredResource(
                kind: "droplet", providerID: "1", name: "d", deploymentID: "d1",
                intervals: [PresenceInterval(kind: "droplet", providerID: "1", startedAt: start, endedAt: start.addingTimeInterval(Double(seconds)))])
            let lines = try InvoiceCalculator(schedule: RateCardSchedule([card])).lines(
                period: Self.november, deployments: [Self.deployment], resources: [resource])
            return try #require(lines.first { $0.category == .resource }).amount
        }
        #expect(try droplet(seconds: 750, price: "0.024") == Self.decimal("0.01"))
        #expect(try droplet(seconds: 4800, price: "0.01875") == Self.decimal("0.03"))
    }

    @Test("hours under a card without a price still count toward the 672-hour cap; time after `until` is not billed")
    func capAndUntil() throws {
        let unpriced = RateCard(name: "no volumes", effectiveFrom: Self.date("2026-01-01T00:00:00Z"), planFees: ["standard": 30])
        let priced = RateCard(
            name: "volumes", effectiveFrom: Self.date("2026-11-26T00:00:00Z"), planFees: ["standard": 30], rates: ["volume": .hourly(["*": 1])])
        let volume = MeteredResource(
            kind: "volume", providerID: "v", name: "v", deploymentID: "d1",
            intervals: [PresenceInterval(kind: "volume", providerID: "v", startedAt: Self.date("2026-10-01T00:00:00Z"))])
        // 600 h unpriced (1–26 Nov) use the cap: of the 120 h priced, 72 are billed.
        let lines = try InvoiceCalculator(schedule: RateCardSchedule([unpriced, priced])).lines(
            period: Self.november, deployments: [Self.deployment], resources: [volume]
        ).filter { $0.category == .resource }
        #expect(lines.map(\.quantity) == [72] && lines.map(\.amount) == [72])
        // A draft made on 16 Nov bills the base fee and the droplet to then only.
        let draft = try InvoiceCalculator(schedule: RateCardSchedule([Self.standard])).lines(
            period: Self.november, deployments: [Self.deployment], resources: [Self.droplet([("2026-10-01T00:00:00Z", nil)])],
            until: Self.date("2026-11-16T00:00:00Z"))
        #expect(draft.map(\.amount) == [15, Self.decimal("12.85")])
    }

    @Test("rate cards refuse what they cannot price: malformed or negative numbers, a markup outside USD")
    func strictCards() throws {
        #expect(MoneyRounding.decimal("49.9.9") == nil && MoneyRounding.decimal("1-2") == nil && MoneyRounding.decimal("-") == nil)
        #expect(MoneyRounding.decimal("0.0357") == Self.decimal("0.0357") && MoneyRounding.decimal("-1.5") == Self.decimal("-1.5"))
        #expect(MoneyRounding.text(Self.decimal("9007199254740993.01")) == "9007199254740993.01")
        func card(_ json: String) throws -> RateCard {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(RateCard.self, from: Data(json.utf8))
        }
        #expect(throws: (any Error).self) { _ = try card(#"{"name": "a", "effective_from": "2026-01-01T00:00:00Z", "plan_fees": {"p": "49.9.9"}}"#) }
        #expect(throws: (any Error).self) { _ = try card(#"{"name": "a", "effective_from": "2026-01-01T00:00:00Z", "plan_fees": {"p": "-5"}}"#) }
        #expect(throws: (any Error).self) {
            _ = try card(#"{"name": "a", "currency": "EUR", "effective_from": "2026-01-01T00:00:00Z", "rates": {"volume": {"markup": "0.2"}}}"#)
        }
        #expect(try card(#"{"name": "a", "effective_from": "2026-01-01T00:00:00Z", "rates": {"volume": {"markup": "0.2"}}}"#).currency == "USD")
        // Lines are rounded to cents: currencies without them (JPY, KWD) are refused, for cards and tenants.
        #expect(throws: (any Error).self) { _ = try card(#"{"name": "a", "currency": "JPY", "effective_from": "2026-01-01T00:00:00Z"}"#) }
        #expect(MoneyRounding.currencyProblem("KWD")?.contains("no cents") == true && MoneyRounding.currencyProblem("EUR") == nil)
        #expect(throws: BillingError.self) {
            try BillingValidation.tenant(Tenant(id: "yen", name: "Yen", billingEmail: "b@yen.test", currency: "JPY", createdAt: Date()))
        }
    }
}
