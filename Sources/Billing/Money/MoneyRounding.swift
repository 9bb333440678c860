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
    public static func decimal(_ text: String) -> Decimal? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) else { return nil }
        return Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// A decimal as plain text with exactly `scale` places ("6.70").
    public static func text(_ value: Decimal, scale: Int = 2) -> String {
        let rounded = round(value, scale: scale)
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.numberStyle = .decimal
        formatter.usesGroupingSeparator = false
        formatter.minimumFractionDigits = scale
        formatter.maximumFractionDigits = scale
        formatter.minimumIntegerDigits = 1
        return formatter.string(from: rounded as NSDecimalNumber) ?? "\(rounded)"
    }
}
