import Foundation

/// One line of an invoice.
public struct InvoiceItem: Decodable, Sendable, Hashable, Identifiable {
    public var product: String
    public var resourceUUID: String?
    public var resourceID: String?
    public var groupDescription: String?
    public var description: String
    public var amount: Decimal
    public var duration: String?
    public var durationUnit: String?
    public var startTime: Date?
    public var endTime: Date?
    public var projectName: String?

    /// Always `nil`: a money line has no id of its own, and two equal lines are two charges, never
    /// one (pagination yields every line and never merges them).
    public var id: String? { nil }

    private enum CodingKeys: String, CodingKey {
        case product, resourceUUID = "resourceUuid", resourceID = "resourceId", groupDescription, description, amount, duration
        case durationUnit, startTime, endTime, projectName
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        product = try container.decode(String.self, forKey: .product)
        resourceUUID = try container.decodeIfPresent(String.self, forKey: .resourceUUID)
        resourceID = try container.decodeIfPresent(String.self, forKey: .resourceID)
        groupDescription = try container.decodeIfPresent(String.self, forKey: .groupDescription)
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        amount = try container.decodeMoney(forKey: .amount)
        duration = try container.decodeIfPresent(String.self, forKey: .duration)
        durationUnit = try container.decodeIfPresent(String.self, forKey: .durationUnit)
        startTime = try container.decodeIfPresent(Date.self, forKey: .startTime)
        endTime = try container.decodeIfPresent(Date.self, forKey: .endTime)
        projectName = try container.decodeIfPresent(String.self, forKey: .projectName)
    }
}
