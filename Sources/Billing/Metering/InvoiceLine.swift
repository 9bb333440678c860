public import Foundation

/// One line of an invoice: a deployment's base fee or a resource's usage over a stretch of the
/// period at one rate card's price. `amount` is `quantity × unitPrice` rounded once, to cents,
/// half away from zero.
public struct InvoiceLine: Sendable, Hashable, Codable {
    /// What the line charges for.
    public enum Category: String, Sendable, Hashable, Codable {
        case baseFee = "base_fee"
        case resource
        case snapshot
    }

    public var deploymentID: String
    public var category: Category
    /// The resource's DigitalOcean id (nil for a base fee).
    public var resource: String?
    public var name: String
    public var kind: String?
    public var size: String?
    public var from: Date
    public var to: Date
    /// Hours, GB-months or months (see `unit`), exact.
    public var quantity: Decimal
    /// `hour`, `GB-month` or `month`.
    public var unit: String
    public var unitPrice: Decimal
    public var amount: Decimal
    /// The rate card whose price this is.
    public var rateCard: String
    /// Why the quantity is less than the time (the monthly cap), when it is.
    public var note: String?

    /// Creates a line.
    public init(
        deploymentID: String, category: Category, resource: String?, name: String, kind: String?, size: String?, from: Date, to: Date,
        quantity: Decimal, unit: String, unitPrice: Decimal, amount: Decimal, rateCard: String, note: String? = nil
    ) {
        self.deploymentID = deploymentID
        self.category = category
        self.resource = resource
        self.name = name
        self.kind = kind
        self.size = size
        self.from = from
        self.to = to
        self.quantity = quantity
        self.unit = unit
        self.unitPrice = unitPrice
        self.amount = amount
        self.rateCard = rateCard
        self.note = note
    }

    private enum Keys: String, CodingKey {
        case deploymentID = "deployment_id", category, resource, name, kind, size, from, to, quantity, unit
        case unitPrice = "unit_price", amount, rateCard = "rate_card", note
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        deploymentID = try c.decode(String.self, forKey: .deploymentID)
        category = try c.decode(Category.self, forKey: .category)
        resource = try c.decodeIfPresent(String.self, forKey: .resource)
        name = try c.decode(String.self, forKey: .name)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        size = try c.decodeIfPresent(String.self, forKey: .size)
        from = try c.decode(Date.self, forKey: .from)
        to = try c.decode(Date.self, forKey: .to)
        quantity = try ExactDecimal.decode(.quantity, in: c)
        unit = try c.decode(String.self, forKey: .unit)
        unitPrice = try ExactDecimal.decode(.unitPrice, in: c)
        amount = try ExactDecimal.decode(.amount, in: c)
        rateCard = try c.decode(String.self, forKey: .rateCard)
        note = try c.decodeIfPresent(String.self, forKey: .note)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(deploymentID, forKey: .deploymentID)
        try c.encode(category, forKey: .category)
        try c.encode(resource, forKey: .resource)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encode(size, forKey: .size)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try ExactDecimal.encode(quantity, .quantity, in: &c)
        try c.encode(unit, forKey: .unit)
        try ExactDecimal.encode(unitPrice, .unitPrice, in: &c)
        try ExactDecimal.encode(amount, .amount, in: &c)
        try c.encode(rateCard, forKey: .rateCard)
        try c.encodeIfPresent(note, forKey: .note)
    }
}
