import Foundation

/// The account balance; every amount is exact.
public struct Balance: Decodable, Sendable, Hashable {
    public var monthToDateBalance: Decimal
    public var accountBalance: Decimal
    public var monthToDateUsage: Decimal
    public var generatedAt: Date

    private enum CodingKeys: String, CodingKey { case monthToDateBalance, accountBalance, monthToDateUsage, generatedAt }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        monthToDateBalance = try container.decodeMoney(forKey: .monthToDateBalance)
        accountBalance = try container.decodeMoney(forKey: .accountBalance)
        monthToDateUsage = try container.decodeMoney(forKey: .monthToDateUsage)
        generatedAt = try container.decode(Date.self, forKey: .generatedAt)
    }
}
