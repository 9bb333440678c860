import Foundation
import SagaEngine
import Testing

@Suite("ISO 8601 text")
struct ISO8601TextTests {
    @Test("milliseconds are rounded and survive a round trip; whole seconds and fractions both read")
    func roundTrip() throws {
        for fraction in [0.0, 0.0004, 0.0005, 0.1234, 0.1235, 0.123, 0.9994, 0.9996] {
            let date = Date(timeIntervalSince1970: 1_790_000_000 + fraction)
            let text = ISO8601Text.string(date)
            #expect(text.hasSuffix("Z") && text.count == "2026-09-21T14:13:20.123Z".count, "\(text)")
            let back = try #require(ISO8601Text.date(text))
            #expect(ISO8601Text.string(back) == text)
            #expect(abs(back.timeIntervalSince(date)) <= 0.0005 + 1e-6)
        }
        #expect(ISO8601Text.string(Date(timeIntervalSince1970: 1_790_000_000.9996)) == "2026-09-21T14:13:21.000Z")
        #expect(ISO8601Text.date("2026-11-01T00:00:00Z") == ISO8601Text.date("2026-11-01T00:00:00.000Z"))
        #expect(ISO8601Text.date("yesterday") == nil)
    }
}
