import Foundation

/// A droplet size (plan) with its prices.
public struct Size: Decodable, Sendable, Hashable, Identifiable {
    public var slug: String
    /// Memory in MiB.
    public var memory: Int
    public var vcpus: Int
    /// Disk in GB.
    public var disk: Int
    /// Transfer allowance in TB.
    public var transfer: Decimal
    public var priceMonthly: Decimal
    public var priceHourly: Decimal
    public var regions: [String]
    public var available: Bool
    public var description: String

    public var id: String { slug }

    private enum CodingKeys: String, CodingKey {
        case slug, memory, vcpus, disk, transfer, priceMonthly, priceHourly, regions, available, description
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        slug = try container.decode(String.self, forKey: .slug)
        memory = try container.decode(Int.self, forKey: .memory)
        vcpus = try container.decode(Int.self, forKey: .vcpus)
        disk = try container.decode(Int.self, forKey: .disk)
        transfer = try container.decodeMoney(forKey: .transfer)
        priceMonthly = try container.decodeMoney(forKey: .priceMonthly)
        priceHourly = try container.decodeMoney(forKey: .priceHourly)
        regions = try container.decode([String].self, forKey: .regions)
        available = try container.decode(Bool.self, forKey: .available)
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
    }
}
