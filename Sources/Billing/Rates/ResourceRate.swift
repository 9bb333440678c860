public import Foundation

/// How a rate card prices one kind of resource.
public enum ResourceRate: Sendable, Hashable, Codable {
    /// A fixed hourly price per size slug (`*`: any size not listed), billed per hour of presence
    /// (fractions of an hour exact), at most ``RateCard/monthlyCapHours`` hours a month.
    case hourly([String: Decimal])
    /// DigitalOcean's own hourly price of the resource times `1 + markup` (0.25: 25 % on top),
    /// capped the same way.
    case markup(Decimal)

    private enum Keys: String, CodingKey { case hourly, markup }

    /// `{"hourly": {"size": "price", ...}}` or `{"markup": "0.25"}`, decimals as strings.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        if let prices = try c.decodeIfPresent([String: String].self, forKey: .hourly) {
            self = .hourly(try ExactDecimal.map(prices, codingPath: c.codingPath))
        } else {
            self = .markup(try ExactDecimal.decode(.markup, in: c))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        switch self {
        case .hourly(let prices): try c.encode(ExactDecimal.map(prices), forKey: .hourly)
        case .markup(let markup): try ExactDecimal.encode(markup, .markup, in: &c)
        }
    }
}
