public import Foundation

/// Coding of money and quantities as exact decimal strings ("0.0357"), never JSON numbers (which
/// decoders may pass through a binary float).
enum ExactDecimal {
    static func encode<K: CodingKey>(_ value: Decimal, _ key: K, in container: inout KeyedEncodingContainer<K>) throws {
        try container.encode(text(value), forKey: key)
    }

    static func decode<K: CodingKey>(_ key: K, in container: KeyedDecodingContainer<K>) throws -> Decimal {
        let text = try container.decode(String.self, forKey: key)
        guard let value = MoneyRounding.decimal(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "'\(text)' is not an exact decimal")
        }
        return value
    }

    static func text(_ value: Decimal) -> String { NSDecimalNumber(decimal: value).stringValue }

    static func map(_ values: [String: Decimal]) -> [String: String] { values.mapValues(text) }

    static func map(_ values: [String: String], codingPath: [any CodingKey]) throws -> [String: Decimal] {
        try values.mapValues { text in
            guard let value = MoneyRounding.decimal(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "'\(text)' is not an exact decimal"))
            }
            return value
        }
    }
}
