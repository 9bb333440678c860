import Foundation

/// An image: a distribution, an application, a snapshot or a backup.
public struct Image: Decodable, Sendable, Hashable, Identifiable {
    public var id: Int
    public var name: String
    /// `base`, `snapshot`, `backup`, `custom` or `admin`.
    public var type: String?
    public var distribution: String?
    public var slug: String?
    public var `public`: Bool?
    public var regions: [String]
    public var createdAt: Date?
    public var minDiskSize: Int?
    public var sizeGigabytes: Decimal?
    public var description: String?
    public var tags: [String]?
    public var status: String?
}
