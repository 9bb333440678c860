import Foundation
package import OpenAPIRuntime
import SagaEngine

/// Dates in the API: written as ISO 8601 with milliseconds (`2026-11-01T00:00:00.000Z`), read
/// with or without fractional seconds, so clients may send either.
package struct LenientDateTranscoder: DateTranscoder {
    package init() {}

    package func encode(_ date: Date) throws -> String {
        ISO8601Text.string(date)
    }

    package func decode(_ text: String) throws -> Date {
        guard let date = SagaJSON.parseDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "'\(text.prefix(40))' is not an ISO 8601 date-time"))
        }
        return date
    }
}
