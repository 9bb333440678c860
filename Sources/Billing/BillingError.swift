/// A billing failure with a code and a message that names what to do.
public struct BillingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        case invalidRateCard = "invalid_rate_card"
        case noRateCard = "no_rate_card"
        case unknownPlan = "unknown_plan"
        case notFound = "not_found"
        case finalized
        case invalidInput = "invalid_input"
        case invalidField = "invalid_field"
        case busy = "lifecycle_running"
    }

    public var code: Code
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
