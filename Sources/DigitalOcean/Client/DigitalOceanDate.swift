import Foundation

/// Parses the timestamps DigitalOcean returns: `2020-07-21T18:37:44Z`, with optional fractional
/// seconds or a numeric offset.
enum DigitalOceanDate {
    static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return try? fractional.parse(text)
    }
}
