public import Foundation

/// Dates as ISO 8601 text in UTC: written with milliseconds (or whole seconds), read with or
/// without fractional seconds. Format styles are Sendable values and cheap to use; a new
/// `ISO8601DateFormatter` per date cost tens of microseconds on every API response.
public enum ISO8601Text {
    static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    static let whole = Date.ISO8601FormatStyle()

    /// `2026-11-01T00:00:00.000Z`, the milliseconds rounded (the format style truncates, so a
    /// parsed `.122` could come back as `.121`).
    public static func string(_ date: Date) -> String {
        let time = date.timeIntervalSince1970
        var seconds = time.rounded(.down)
        var milliseconds = Int(((time - seconds) * 1000).rounded())
        if milliseconds == 1000 {
            seconds += 1
            milliseconds = 0
        }
        let text = whole.format(Date(timeIntervalSince1970: seconds))
        let digits = String(milliseconds)
        return text.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// `2026-11-01T00:00:00Z`.
    public static func wholeSeconds(_ date: Date) -> String { whole.format(date) }

    /// The date `text` names, with or without fractional seconds; nil when it is not one.
    public static func date(_ text: String) -> Date? { (try? fractional.parse(text)) ?? (try? whole.parse(text)) }
}
