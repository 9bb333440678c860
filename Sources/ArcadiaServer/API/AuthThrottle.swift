import Foundation

/// Slows down guessing: after `limit` failed authentications (bad API tokens, bad dashboard
/// logins) from one client address within `window`, that address is refused (429, with how long
/// to wait) until the window has passed. In memory, per server process: a guesser who spreads
/// over processes gets `limit` tries per process per window, against 2^256 secrets.
package actor AuthThrottle {
    private struct Record {
        var windowStart: Date
        var failures: Int
    }

    let limit: Int
    let window: TimeInterval
    private var records: [String: Record] = [:]

    /// A throttle allowing `limit` failures per client per `window` seconds.
    package init(limit: Int = 20, window: TimeInterval = 60) {
        self.limit = limit
        self.window = window
    }

    /// Seconds the client must wait before trying again, or nil when it may try now.
    package func retryAfter(_ client: String, now: Date = Date()) -> Int? {
        guard let record = records[client], record.failures >= limit else { return nil }
        let left = record.windowStart.addingTimeInterval(window).timeIntervalSince(now)
        guard left > 0 else {
            records[client] = nil
            return nil
        }
        return Int(left.rounded(.up))
    }

    /// Counts one failure of the client.
    package func recordFailure(_ client: String, now: Date = Date()) {
        if records.count > 10_000 { records = records.filter { now.timeIntervalSince($0.value.windowStart) < window } }
        var record = records[client] ?? Record(windowStart: now, failures: 0)
        if now.timeIntervalSince(record.windowStart) >= window { record = Record(windowStart: now, failures: 0) }
        record.failures += 1
        records[client] = record
    }
}
