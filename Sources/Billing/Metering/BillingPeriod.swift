public import Foundation
import SagaEngine

/// A calendar month in UTC, `[start, end)`: the period of an invoice ("2026-11").
public struct BillingPeriod: Sendable, Hashable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    /// The month `text` names (`YYYY-MM`); nil when it is not one.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), let month = Int(parts[1]),
            (1970...9999).contains(year), (1...12).contains(month)
        else { return nil }
        self.year = year
        self.month = month
    }

    /// The month holding `date` (UTC).
    public init(containing date: Date) {
        let components = Self.calendar.dateComponents([.year, .month], from: date)
        year = components.year ?? 1970
        month = components.month ?? 1
    }

    public var description: String { String(format: "%04d-%02d", year, month) }

    /// The first instant of the month.
    public var start: Date { Self.calendar.date(from: DateComponents(year: year, month: month, day: 1)) ?? .distantPast }

    /// The first instant of the next month.
    public var end: Date { Self.calendar.date(byAdding: .month, value: 1, to: start) ?? .distantFuture }

    /// Seconds in the month (28 to 31 days).
    public var seconds: TimeInterval { end.timeIntervalSince(start) }

    /// The month before.
    public var previous: BillingPeriod { BillingPeriod(containing: start.addingTimeInterval(-1)) }

    /// A date as ISO 8601 (UTC, seconds), for messages and exports.
    public static func iso(_ date: Date) -> String {
        ISO8601Text.wholeSeconds(date)
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
