import Foundation

/// One inventory sync (`sync_runs`): when it ran, what it found per kind, the requests it made and
/// what failed.
public struct SyncRun: Sendable, Hashable, Codable {
    /// How a sync ends.
    public enum Status: String, Sendable, Hashable, Codable {
        /// Holding the sync lease, listing.
        case running
        /// Every kind listed.
        case succeeded
        /// Some kinds failed to list; their rows were left alone.
        case partial
        /// Nothing could be listed (or the sync lost its lease).
        case failed
        /// Its holder stopped without finishing; a later sync took the lease over.
        case abandoned
    }

    public var id: UUID
    /// `scheduled` or `manual`.
    public var trigger: String
    /// The process that ran it.
    public var holder: String
    public var status: Status
    public var startedAt: Date
    public var finishedAt: Date?
    /// Counts per kind.
    public var kinds: [String: SyncKindCounts]
    /// HTTP requests made to DigitalOcean.
    public var requests: Int
    public var errors: [SyncFailure]

    /// Creates a run.
    public init(
        id: UUID = UUID(), trigger: String, holder: String, status: Status = .running, startedAt: Date, finishedAt: Date? = nil,
        kinds: [String: SyncKindCounts] = [:], requests: Int = 0, errors: [SyncFailure] = []
    ) {
        self.id = id
        self.trigger = trigger
        self.holder = holder
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.kinds = kinds
        self.requests = requests
        self.errors = errors
    }

    /// The counts summed over the kinds.
    public var totals: SyncKindCounts {
        kinds.values.reduce(into: SyncKindCounts()) { sum, counts in sum.add(counts) }
    }
}
