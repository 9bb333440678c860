public import Foundation

/// Exact money: amounts are `Decimal`, never a binary float, and each invoice line is rounded
/// once, to the currency's minor unit, half away from zero ("round half up" for positive
/// amounts: 0.125 → 0.13). Totals are sums of rounded lines, so they add up exactly.
public enum MoneyRounding {
    /// Minor-unit digits of the currencies Arcadia bills in (all two so far).
    public static func scale(of currency: String) -> Int { 2 }

    /// `value` rounded to `scale` decimal places, half away from zero.
    public static func round(_ value: Decimal, scale: Int = 2) -> Decimal {
        // The magnitude is rounded half up, then the sign put back: half away from zero either way.
        var magnitude = value < 0 ? -value : value
        var result = Decimal()
        NSDecimalRound(&result, &magnitude, scale, .plain)
        return value < 0 ? -result : result
    }

    /// Parses an exact decimal string ("0.00893"); nil when it is not one.
    /// Only plain decimals are read: an optional minus, digits, and an optional point followed by
    /// digits (`Decimal(string:)` alone would take "49.9.9" as 49.9).
    public static func decimal(_ text: String) -> Decimal? {
        var rest = Substring(text)
        if rest.first == "-" { rest = rest.dropFirst() }
        let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// A decimal as plain text with exactly `scale` places ("6.70").
    /// Formatted from the decimal's own digits (a number formatter would pass it through a
    /// binary float).
    public static func text(_ value: Decimal, scale: Int = 2) -> String {
        let digits = NSDecimalNumber(decimal: round(value, scale: scale)).stringValue
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        guard scale > 0 else { return String(parts[0]) }
        return String(parts[0]) + "." + fraction + String(repeating: "0", count: max(0, scale - fraction.count))
    }
}
