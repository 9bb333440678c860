import Foundation

/// Slows down and flags token guessing without locking anyone out: after `limit` failed
/// authentications (bad API tokens, bad dashboard logins) from one client within `window`, that
/// client's further *failures* are answered 429 with how long to wait, until the window has
/// passed. A valid token always gets through, so nobody can lock others out by failing from the
/// same address (a proxy, a NAT). Clients are keyed by IPv4 address or IPv6 /64. In memory, per
/// server process; the secrets have 256 bits, so this is about noise and alerting, not odds.
package actor AuthThrottle {
    private struct Record {
        var windowStart: Date
        var failures: Int
    }

    let limit: Int
    let window: TimeInterval
    /// At most this many clients are tracked; past it, new ones share one record.
    let capacity: Int
    private var records: [String: Record] = [:]
    private var lastPrune = Date.distantPast

    /// A throttle allowing `limit` failures per client per `window` seconds.
    package init(limit: Int = 20, window: TimeInterval = 60, capacity: Int = 100_000) {
        self.limit = limit
        self.window = window
        self.capacity = capacity
    }

    /// Counts one failure of `client`; answers the seconds to wait when it is over the limit
    /// (the failure is then answered 429), nil otherwise.
    package func recordFailure(_ client: String, now: Date = Date()) -> Int? {
        if now.timeIntervalSince(lastPrune) >= window {
            records = records.filter { now.timeIntervalSince($0.value.windowStart) < window }
            lastPrune = now
        }
        let key = records[client] != nil || records.count < capacity ? client : "overflow"
        var record = records[key] ?? Record(windowStart: now, failures: 0)
        if now.timeIntervalSince(record.windowStart) >= window { record = Record(windowStart: now, failures: 0) }
        record.failures += 1
        records[key] = record
        guard record.failures > limit else { return nil }
        return max(1, Int(record.windowStart.addingTimeInterval(window).timeIntervalSince(now).rounded(.up)))
    }

    /// The key of a client address: an IPv4 address as it is, an IPv6 address by its /64.
    package static func key(_ address: String?) -> String {
        guard let address, address.contains(":") else { return address ?? "unknown" }
        var groups = address.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if let gap = groups.firstIndex(of: ""), address.contains("::") {
            // Expand "::" so the first four groups are the network part.
            let missing = 8 - groups.filter { !$0.isEmpty }.count
            groups.removeAll { $0.isEmpty }
            groups.insert(contentsOf: Array(repeating: "0", count: max(missing, 0)), at: min(gap, groups.count))
        }
        return groups.prefix(4).map { $0.lowercased() }.joined(separator: ":") + "::/64"
    }
}
