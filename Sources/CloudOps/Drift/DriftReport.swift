import Foundation

/// What `arcadia drift` reports: `{"missing": [...], "changed": [...], "orphaned": [...], "in_sync": N}`.
public struct DriftReport: Sendable, Hashable, Codable {
    /// Desired state whose resource was deleted out of band.
    public var missing: [DriftItem]
    /// Desired state whose resource differs (size, region, image, tags; DNS data and TTL).
    public var changed: [DriftItem]
    /// Resources tagged `managed-by-arcadia-cloud` without desired state: leaks.
    public var orphaned: [DriftItem]
    /// Desired state that matches.
    public var inSync: Int
    /// Not judged yet: desired state of kinds no successful sync has listed, and managed resources
    /// without desired state that are too new to call orphans (their saga may still be running).
    public var unverified: Int
    /// When the inventory was last synced successfully (nil: never).
    public var lastSyncAt: Date?

    /// Creates a report.
    public init(
        missing: [DriftItem] = [], changed: [DriftItem] = [], orphaned: [DriftItem] = [], inSync: Int = 0, unverified: Int = 0,
        lastSyncAt: Date? = nil
    ) {
        self.missing = missing
        self.changed = changed
        self.orphaned = orphaned
        self.inSync = inSync
        self.unverified = unverified
        self.lastSyncAt = lastSyncAt
    }

    /// Finds one item by kind and provider id, with what kind of drift it is.
    public func item(kind: String, providerID: String) -> (drift: String, item: DriftItem)? {
        for (drift, items) in [("missing", missing), ("changed", changed), ("orphaned", orphaned)] {
            if let item = items.first(where: { $0.kind == kind && $0.providerID == providerID }) { return (drift, item) }
        }
        return nil
    }

    private enum CodingKeys: String, CodingKey {
        case missing, changed, orphaned, inSync = "in_sync", unverified, lastSyncAt = "last_sync_at"
    }
}
