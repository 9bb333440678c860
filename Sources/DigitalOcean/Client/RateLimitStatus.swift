import Foundation

/// DigitalOcean's rate-limit headers as read from one response.
public struct RateLimitStatus: Sendable, Hashable {
    /// `ratelimit-limit`: requests allowed in the window.
    public var limit: Int
    /// `ratelimit-remaining`: requests left.
    public var remaining: Int
    /// `ratelimit-reset`: when the oldest counted request leaves the window.
    public var reset: Date
    /// `retry-after`, sent with burst 429s.
    public var retryAfter: Duration?

    /// Creates a status.
    public init(limit: Int, remaining: Int, reset: Date, retryAfter: Duration? = nil) {
        self.limit = limit
        self.remaining = remaining
        self.reset = reset
        self.retryAfter = retryAfter
    }

    /// Reads the headers (names are case-insensitive); `nil` when the limit headers are absent.
    init?(header: (String) -> String?) {
        guard let limit = header("ratelimit-limit").flatMap({ Int($0) }),
            let remaining = header("ratelimit-remaining").flatMap({ Int($0) })
        else { return nil }
        self.limit = limit
        self.remaining = remaining
        let reset = header("ratelimit-reset").flatMap { Double($0) }
        self.reset = reset.map { Date(timeIntervalSince1970: $0) } ?? Date()
        self.retryAfter = header("retry-after").flatMap { Self.parseRetryAfter($0) }
    }

    /// `retry-after` is either delta seconds or an HTTP date.
    static func parseRetryAfter(_ value: String) -> Duration? {
        if let seconds = Double(value.trimmingCharacters(in: .whitespaces)) {
            return .milliseconds(Int64(max(0, seconds) * 1000))
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSinceNow) * 1000))
    }
}
