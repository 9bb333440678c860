import Foundation

/// A monthly invoice (or the running preview).
public struct Invoice: Decodable, Sendable, Hashable, Identifiable {
    public var invoiceUUID: String
    public var invoiceID: String?
    public var amount: Decimal
    /// `2019-12`.
    public var invoicePeriod: String
    public var updatedAt: Date?

    public var id: String { invoiceUUID }

    private enum CodingKeys: String, CodingKey {
        case invoiceUUID = "invoiceUuid", invoiceID = "invoiceId", amount, invoicePeriod, updatedAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        invoiceUUID = try container.decode(String.self, forKey: .invoiceUUID)
        invoiceID = try container.decodeIfPresent(String.self, forKey: .invoiceID)
        amount = try container.decodeMoney(forKey: .amount)
        invoicePeriod = try container.decode(String.self, forKey: .invoicePeriod)
        updatedAt = try container.decodeIfPresent(Date.self, forKey: .updatedAt)
    }
}
