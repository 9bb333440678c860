import Foundation

/// The writes of one kind's listing, applied by the store in one transaction fenced by the sync's
/// lease.
public struct SyncBatch: Sendable {
    /// The kind listed.
    public var kind: String
    /// When the listing was read (`last_seen_at` of everything seen).
    public var seenAt: Date
    /// When the listing began: a row a step wrote after it (its `last_seen_at` later) is newer
    /// than the listing and is neither counted missing nor marked deleted.
    public var listingStartedAt: Date?
    /// New rows and rows whose content changed, with the deleted-or-live state the sync read them
    /// in: a row whose state changed meanwhile (a step deleted it) is left alone.
    public var upserts: [Upsert]
    /// Seen unchanged: only `last_seen_at` (and a reset `missed_syncs`) is written, in one statement.
    public var touched: [String]
    /// Missing from this listing for the first time (or not yet twice).
    public var missed: [String]
    /// Missing twice, or answered 404: marked deleted at their `last_seen_at`, presence closed there.
    public var deleted: [String]
    /// When DigitalOcean says some of `deleted` went (a droplet's `destroy` action), when that is
    /// after they were last seen and before this listing began: their `last_seen_at` moves there
    /// first, so a deletion in a gap between syncs loses none of the time the object existed.
    public var deletedAt: [String: Date] = [:]

    /// One row to insert or update.
    public struct Upsert: Sendable {
        public var resource: CloudResource
        /// Whether the sync read the row as absent (nil), live (false) or deleted (true).
        public var wasDeleted: Bool?
        /// Where a new presence interval starts (DigitalOcean's `created_at`, or `seenAt`).
        public var presenceStart: Date
        /// A new object under a reused id (its `created_at` is after the row was marked deleted):
        /// a new interval rather than the old one reopened.
        public var newIncarnation: Bool

        /// Creates an upsert.
        public init(resource: CloudResource, wasDeleted: Bool?, presenceStart: Date, newIncarnation: Bool = false) {
            self.resource = resource
            self.wasDeleted = wasDeleted
            self.presenceStart = presenceStart
            self.newIncarnation = newIncarnation
        }
    }

    /// Creates a batch.
    public init(kind: String, seenAt: Date, upserts: [Upsert] = [], touched: [String] = [], missed: [String] = [], deleted: [String] = []) {
        self.kind = kind
        self.seenAt = seenAt
        self.upserts = upserts
        self.touched = touched
        self.missed = missed
        self.deleted = deleted
    }
}
