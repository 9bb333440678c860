public import Foundation

/// A tenant's invoice for one month: a draft until finalized, then immutable and numbered (the
/// numbers of finalized invoices run 1, 2, 3, ... without gaps). One per tenant and period.
public struct Invoice: Sendable, Hashable, Codable {
    /// A draft can be generated again (it is replaced); a finalized invoice never changes.
    public enum Status: String, Sendable, Hashable, Codable {
        case draft, finalized
    }

    public var id: UUID
    public var tenantID: String
    public var period: BillingPeriod
    public var status: Status
    /// Set when finalized.
    public var number: Int?
    public var currency: String
    public var lines: [InvoiceLine]
    public var generatedAt: Date
    public var finalizedAt: Date?

    /// Creates an invoice.
    public init(
        id: UUID = UUID(), tenantID: String, period: BillingPeriod, status: Status = .draft, number: Int? = nil, currency: String,
        lines: [InvoiceLine], generatedAt: Date, finalizedAt: Date? = nil
    ) {
        self.id = id
        self.tenantID = tenantID
        self.period = period
        self.status = status
        self.number = number
        self.currency = currency
        self.lines = lines
        self.generatedAt = generatedAt
        self.finalizedAt = finalizedAt
    }

    /// The sum of the lines (each already rounded), exact.
    public var total: Decimal { lines.reduce(0) { $0 + $1.amount } }
}
