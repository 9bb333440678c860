import Foundation

/// A droplet snapshot (an image of type `snapshot`), or a droplet backup (kept apart, in
/// ``World/backups``, as an image of type `backup`).
struct SimSnapshot: Sendable {
    var id: Int
    var name: String
    var dropletID: Int
    var regionSlug: String
    /// Equal to the snapshot action's `started_at`.
    var createdAt: Date
    /// When it shows up in listings (after the action completed, plus the listing lag).
    var visibleAt: Date
    var minDiskSize: Int
    var sizeGigabytes: Double
    var tags: [String] = []
    var deletedAt: Date?
    /// Set for a volume snapshot (`resource_type` `volume`; `dropletID` is then 0).
    var volumeID: String?
}
