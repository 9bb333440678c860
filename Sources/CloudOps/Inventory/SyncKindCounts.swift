/// What one sync found for one kind.
public struct SyncKindCounts: Sendable, Hashable, Codable {
    /// New, or seen again after it was marked deleted.
    public var added: Int
    /// Seen with other content than the inventory held.
    public var changed: Int
    /// Seen as the inventory held it (only `last_seen_at` written).
    public var unchanged: Int
    /// Marked deleted: missing from two consecutive successful syncs, or answered 404.
    public var deleted: Int
    /// Missing from this listing but not (yet) marked deleted.
    public var missing: Int
    /// Write statements the sync issued for this kind (one for a kind without change).
    public var writes: Int

    /// Creates counts.
    public init(added: Int = 0, changed: Int = 0, unchanged: Int = 0, deleted: Int = 0, missing: Int = 0, writes: Int = 0) {
        self.added = added
        self.changed = changed
        self.unchanged = unchanged
        self.deleted = deleted
        self.missing = missing
        self.writes = writes
    }

    /// Adds another kind's counts.
    public mutating func add(_ other: SyncKindCounts) {
        added += other.added
        changed += other.changed
        unchanged += other.unchanged
        deleted += other.deleted
        missing += other.missing
        writes += other.writes
    }
}
