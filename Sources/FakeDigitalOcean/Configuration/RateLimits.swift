/// DigitalOcean's per-token limits: a sliding hourly window and a per-minute burst window.
/// Each request counts until it is `window` seconds old.
public struct RateLimits: Codable, Sendable, Equatable {
    /// Requests per ``hourlyWindow`` (DigitalOcean: 5,000 per hour).
    public var hourlyLimit: Int
    public var hourlyWindow: Double
    /// Requests per ``burstWindow`` (DigitalOcean: 250 per minute); a burst 429 carries `retry-after`.
    public var burstLimit: Int
    public var burstWindow: Double

    /// Creates limits.
    public init(hourlyLimit: Int = 5000, hourlyWindow: Double = 3600, burstLimit: Int = 250, burstWindow: Double = 60) {
        self.hourlyLimit = hourlyLimit
        self.hourlyWindow = hourlyWindow
        self.burstLimit = burstLimit
        self.burstWindow = burstWindow
    }

    /// Limits high enough never to matter.
    public static let unlimited = RateLimits(hourlyLimit: 1_000_000_000, burstLimit: 1_000_000_000)

    private enum CodingKeys: String, CodingKey {
        case hourlyLimit = "hourly_limit", hourlyWindow = "hourly_window", burstLimit = "burst_limit", burstWindow = "burst_window"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = RateLimits()
        hourlyLimit = try container.decodeIfPresent(Int.self, forKey: .hourlyLimit) ?? defaults.hourlyLimit
        hourlyWindow = try container.decodeIfPresent(Double.self, forKey: .hourlyWindow) ?? defaults.hourlyWindow
        burstLimit = try container.decodeIfPresent(Int.self, forKey: .burstLimit) ?? defaults.burstLimit
        burstWindow = try container.decodeIfPresent(Double.self, forKey: .burstWindow) ?? defaults.burstWindow
    }
}
