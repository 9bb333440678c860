import Foundation

extension KeyedDecodingContainer {
    /// Decodes an amount of money exactly: DigitalOcean sends prices as JSON numbers
    /// (`0.00743999984115362`) and balances and invoice amounts as strings (`"12.34"`).
    /// Either way the value becomes a `Decimal`, never a `Double`.
    func decodeMoney(forKey key: Key) throws -> Decimal {
        if let number = try? decode(Decimal.self, forKey: key) { return number }
        let text = try decode(String.self, forKey: key)
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not an amount of money: \(text)")
        }
        return value
    }

    /// ``decodeMoney(forKey:)`` for a field that may be absent or null.
    func decodeMoneyIfPresent(forKey key: Key) throws -> Decimal? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeMoney(forKey: key)
    }
}
