import Foundation

/// A stretch of time a resource existed, as inventory saw it (`cloud_presence`); billing meters
/// from these.
///
/// An interval opens when a resource is first seen (at DigitalOcean's `created_at` when the
/// listing gives one) and stays open while syncs keep seeing it, however far apart they run: a
/// missed sync or a restart leaves no gap. It closes when the resource is marked deleted: at the
/// moment Arcadia deleted it, or at the last sync that saw it. A resource seen again after it was
/// marked deleted had existed all along (DigitalOcean never reuses an id) and its interval is
/// reopened, unless DigitalOcean's `created_at` shows a new object under a reused name or address.
public struct PresenceInterval: Sendable, Hashable, Codable {
    public var kind: String
    public var providerID: String
    public var startedAt: Date
    /// Nil while the resource exists.
    public var endedAt: Date?

    /// Creates an interval.
    public init(kind: String, providerID: String, startedAt: Date, endedAt: Date? = nil) {
        self.kind = kind
        self.providerID = providerID
        self.startedAt = startedAt
        self.endedAt = endedAt
    }

    /// The seconds of this interval inside `[from, to)`, open intervals running to `to`.
    public func seconds(from: Date, to: Date) -> TimeInterval {
        let start = max(startedAt, from)
        let end = min(endedAt ?? to, to)
        return max(0, end.timeIntervalSince(start))
    }
}
