import Foundation

/// One entry of the billing history: an invoice, a payment (negative amount), a credit, ….
public struct BillingHistoryEntry: Decodable, Sendable, Hashable, Identifiable {
    public var description: String
    public var amount: Decimal
    public var invoiceID: String?
    public var invoiceUUID: String?
    public var date: Date
    public var type: String

    /// Always `nil`: an entry has no id of its own, and two equal entries (two equal payments on one
    /// day) are two entries, never one (pagination yields every entry and never merges them).
    public var id: String? { nil }

    private enum CodingKeys: String, CodingKey {
        case description, amount, invoiceID = "invoiceId", invoiceUUID = "invoiceUuid", date, type
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        amount = try container.decodeMoney(forKey: .amount)
        invoiceID = try container.decodeIfPresent(String.self, forKey: .invoiceID)
        invoiceUUID = try container.decodeIfPresent(String.self, forKey: .invoiceUUID)
        date = try container.decode(Date.self, forKey: .date)
        type = try container.decode(String.self, forKey: .type)
    }
}
