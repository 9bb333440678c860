public import CloudOps
public import Foundation

/// One resource of a deployment as billing sees it: what it is, when it existed (inventory
/// presence) and what DigitalOcean charges for it.
public struct MeteredResource: Sendable, Hashable {
    public var kind: String
    public var providerID: String
    public var name: String
    public var sizeSlug: String?
    public var deploymentID: String
    /// When it existed, as inventory saw it (overlaps are counted once).
    public var intervals: [PresenceInterval]
    /// DigitalOcean's hourly list price (nil: free or unknown).
    public var providerHourlyPrice: Decimal?
    /// Size in GB of a snapshot (priced per GB-month).
    public var sizeGigabytes: Decimal?
    /// A droplet with (weekly) backups on, as inventory last saw it: DigitalOcean charges a share
    /// of the droplet's price for them.
    public var backups: Bool

    /// Creates a metered resource.
    public init(
        kind: String, providerID: String, name: String, sizeSlug: String? = nil, deploymentID: String, intervals: [PresenceInterval],
        providerHourlyPrice: Decimal? = nil, sizeGigabytes: Decimal? = nil, backups: Bool = false
    ) {
        self.kind = kind
        self.providerID = providerID
        self.name = name
        self.sizeSlug = sizeSlug
        self.deploymentID = deploymentID
        self.intervals = intervals
        self.providerHourlyPrice = providerHourlyPrice
        self.sizeGigabytes = sizeGigabytes
        self.backups = backups
    }

    /// Its presence inside `[from, to)` as disjoint stretches, oldest first: intervals clipped,
    /// open ones running to `to`, overlapping or touching ones merged, whole seconds.
    public func stretches(from: Date, to: Date) -> [(from: Date, to: Date)] {
        let clipped = intervals.compactMap { interval -> (Date, Date)? in
            let start = max(interval.startedAt, from)
            let end = min(interval.endedAt ?? to, to)
            return start < end ? (start, end) : nil
        }.sorted { $0.0 < $1.0 }
        var merged: [(from: Date, to: Date)] = []
        for (start, end) in clipped {
            if let last = merged.last, start <= last.to {
                merged[merged.count - 1].to = max(last.to, end)
            } else {
                merged.append((start, end))
            }
        }
        return merged
    }
}
