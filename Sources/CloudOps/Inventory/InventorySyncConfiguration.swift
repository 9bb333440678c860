/// How the inventory sync runs.
public struct InventorySyncConfiguration: Sendable, Hashable {
    /// A scheduled sync runs when no sync started within this long (default 15 minutes).
    public var interval: Duration
    /// How long a sync holds the lease without renewing it; renewed with every kind and every
    /// third of this while a listing runs. A sync that stalls past it stops writing.
    public var lease: Duration
    /// Missing from this many consecutive successful listings of its kind marks a resource deleted.
    public var deleteAfterMisses: Int
    /// Whether a resource missing from a listing (or a deleted one listed again) is looked up with a
    /// GET where the kind has one: a 404 marks it deleted at once, an answer keeps it (listing lag).
    public var confirmWithGet: Bool
    /// A 404 for a resource created (or first seen) less than this long ago is DigitalOcean's
    /// read-after-create lag, not proof of a delete: it counts as a miss.
    public var notFoundGrace: Duration
    /// Only these kinds (all when nil).
    public var kinds: Set<String>?
    /// Listings of a kind, counting those cut short by a spent rate-limit budget.
    public var kindAttempts: Int
    /// The longest pause for a rate-limit window before a kind is listed again.
    public var maxRateLimitPause: Duration
    /// How many of the account's newest actions (`GET /v2/actions`) are read, at most, to find
    /// when droplets marked deleted were destroyed (0: never; their time ends when last seen).
    public var maxActionsForDeletions: Int

    /// Creates a configuration.
    public init(
        interval: Duration = .seconds(900), lease: Duration = .seconds(300), deleteAfterMisses: Int = 2, confirmWithGet: Bool = true,
        kinds: Set<String>? = nil, kindAttempts: Int = 4, maxRateLimitPause: Duration = .seconds(300), notFoundGrace: Duration = .seconds(300),
        maxActionsForDeletions: Int = 1000
    ) {
        self.maxActionsForDeletions = maxActionsForDeletions
        self.notFoundGrace = notFoundGrace
        self.kindAttempts = kindAttempts
        self.maxRateLimitPause = maxRateLimitPause
        self.interval = interval
        self.lease = lease
        self.deleteAfterMisses = deleteAfterMisses
        self.confirmWithGet = confirmWithGet
        self.kinds = kinds
    }
}
