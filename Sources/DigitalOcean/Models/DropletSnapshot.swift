import Foundation

/// A snapshot or backup as listed under `/v2/droplets/{id}/snapshots` (integer ids).
public struct DropletSnapshot: Decodable, Sendable, Hashable, Identifiable {
    public var id: Int
    public var name: String
    /// Equal to the `started_at` of the snapshot action that made it.
    public var createdAt: Date
    public var regions: [String]
    public var minDiskSize: Int
    public var sizeGigabytes: Decimal
    /// `snapshot` or `backup`.
    public var type: String
}
