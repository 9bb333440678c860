public import Foundation

/// Exact money: amounts are `Decimal`, never a binary float, and each invoice line is rounded
/// once, to the currency's minor unit, half away from zero ("round half up" for positive
/// amounts: 0.125 → 0.13). Totals are sums of rounded lines, so they add up exactly.
public enum MoneyRounding {
    /// ISO 4217 currencies whose minor unit is not the cent (JPY has none, KWD has three digits):
    /// Arcadia rounds every line to cents, so it refuses to bill in these.
    public static let currenciesWithoutCents: Set<String> = [
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF", "BHD", "IQD", "JOD",
        "KWD", "LYD", "OMR", "TND", "CLF", "UYW",
    ]

    /// Why `currency` cannot be billed in, or nil when it can: an ISO 4217 code whose minor unit is the cent.
    public static func currencyProblem(_ currency: String) -> String? {
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            return "the currency must be an ISO 4217 code such as USD or EUR"
        }
        if currenciesWithoutCents.contains(currency) {
            return "\(currency) has no cents (its minor unit is not 1/100); Arcadia rounds every line to cents and bills only in such currencies"
        }
        return nil
    }

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
