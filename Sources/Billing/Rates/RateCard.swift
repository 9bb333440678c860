public import Foundation

/// A version of the prices Arcadia charges tenants, in force from `effectiveFrom` until the next
/// version's date. A new price is a new card with a later date: invoices already made never
/// change, and a period that spans a change is billed in pieces, each at its card's prices.
public struct RateCard: Sendable, Hashable, Codable {
    /// Billable hours of one resource in one month (DigitalOcean's cap: 672 h = 28 days).
    public static let monthlyCapHours: Decimal = 672

    public var id: UUID
    public var name: String
    public var currency: String
    public var effectiveFrom: Date
    /// The monthly base fee of a deployment, by its plan.
    public var planFees: [String: Decimal]
    /// Resource prices by inventory kind (`droplet`, `volume`, `load_balancer`, ...); kinds not
    /// listed are not billed to tenants.
    public var rates: [String: ResourceRate]
    /// Snapshots (`snapshot`, `volume_snapshot`), per GB-month of their size.
    public var snapshotPerGBMonth: Decimal?

    /// Creates a card.
    public init(
        id: UUID = UUID(), name: String, currency: String = "USD", effectiveFrom: Date, planFees: [String: Decimal] = [:],
        rates: [String: ResourceRate] = [:], snapshotPerGBMonth: Decimal? = nil
    ) {
        self.id = id
        self.name = name
        self.currency = currency
        self.effectiveFrom = effectiveFrom
        self.planFees = planFees
        self.rates = rates
        self.snapshotPerGBMonth = snapshotPerGBMonth
    }

    /// The snapshot kinds priced per GB-month.
    public static let snapshotKinds: Set<String> = ["snapshot", "volume_snapshot"]

    private enum Keys: String, CodingKey {
        case id, name, currency, effectiveFrom = "effective_from", planFees = "plan_fees", rates
        case snapshotPerGBMonth = "snapshot_per_gb_month"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        id = try c.decodeIfPresent(UUID.self, forKey: .id) ?? UUID()
        name = try c.decode(String.self, forKey: .name)
        currency = try c.decodeIfPresent(String.self, forKey: .currency) ?? "USD"
        effectiveFrom = try c.decode(Date.self, forKey: .effectiveFrom)
        planFees = try ExactDecimal.map(try c.decodeIfPresent([String: String].self, forKey: .planFees) ?? [:], codingPath: c.codingPath)
        rates = try c.decodeIfPresent([String: ResourceRate].self, forKey: .rates) ?? [:]
        snapshotPerGBMonth =
            try c.contains(.snapshotPerGBMonth) && !c.decodeNil(forKey: .snapshotPerGBMonth)
            ? ExactDecimal.decode(.snapshotPerGBMonth, in: c) : nil
        if let problem {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: problem))
        }
    }

    /// What makes the card unusable, if anything: a currency that is not an ISO 4217 code with
    /// cents, a negative price or markup, a markup on DigitalOcean's dollar prices in another currency.
    public var problem: String? {
        if let problem = MoneyRounding.currencyProblem(currency) { return problem }
        if planFees.values.contains(where: { $0 < 0 }) || (snapshotPerGBMonth ?? 0) < 0 { return "prices may not be negative" }
        for rate in rates.values {
            switch rate {
            case .hourly(let prices): if prices.values.contains(where: { $0 < 0 }) { return "prices may not be negative" }
            case .markup(let markup):
                if markup < -1 { return "a markup below -1 would make DigitalOcean's price negative" }
                if currency != "USD" { return "a markup applies to DigitalOcean's prices in USD; a \(currency) card needs fixed hourly prices" }
            }
        }
        return nil
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(currency, forKey: .currency)
        try c.encode(effectiveFrom, forKey: .effectiveFrom)
        try c.encode(ExactDecimal.map(planFees), forKey: .planFees)
        try c.encode(rates, forKey: .rates)
        if let snapshotPerGBMonth { try ExactDecimal.encode(snapshotPerGBMonth, .snapshotPerGBMonth, in: &c) }
    }
}
