import SagaEngine

/// A cloud step's own failure, with a code (DigitalOcean's errors are mapped to
/// ``SagaEngine/StepFailure`` by ``CloudCall``).
public struct CloudStepError: RetryClassifiable, CustomStringConvertible, Hashable {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public var description: String { rawValue }
        /// A token the step needs is not configured.
        public static let missingCredential = Code(rawValue: "missing_credential")
        /// An input or context value the step needs is missing or malformed.
        public static let badInput = Code(rawValue: "bad_input")
        /// DigitalOcean did not reach the expected state within the step's budget.
        public static let budgetExhausted = Code(rawValue: "budget_exhausted")
        /// An action DigitalOcean ran for the step ended `errored`.
        public static let actionErrored = Code(rawValue: "action_errored")
        /// The resource the step works on does not exist.
        public static let notFound = Code(rawValue: "not_found")
        /// Deleted, but DigitalOcean still shows it.
        public static let stillPresent = Code(rawValue: "still_present")
    }

    public var code: Code
    public var message: String
    public var isRetryable: Bool
    public var retryAfter: Duration? { nil }

    /// Creates an error.
    public init(_ code: Code, _ message: String, retryable: Bool = false) {
        self.code = code
        self.message = message
        self.isRetryable = retryable
    }

    public var description: String { "\(message) [\(code)]" }
}
