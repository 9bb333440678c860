/// An error from the saga engine, with a stable code and a message that names what was wrong.
public struct EngineError: Error, CustomStringConvertible, Hashable {
    /// The kind of error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case unknownTemplate = "unknown_template"
            case unknownStep = "unknown_step"
            case notFound = "not_found"
            case invalidTransition = "invalid_transition"
            case idempotencyConflict = "idempotency_conflict"
            case timeout
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        public static let unknownTemplate = Code(.unknownTemplate)
        public static let unknownStep = Code(.unknownStep)
        public static let notFound = Code(.notFound)
        /// The saga's status does not allow the requested operation.
        public static let invalidTransition = Code(.invalidTransition)
        /// An idempotency key was reused for a different template or different inputs.
        public static let idempotencyConflict = Code(.idempotencyConflict)
        public static let timeout = Code(.timeout)

        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
