/// A refused token operation, with a stable code.
public struct AccessError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        /// The request carries no token.
        public static let missingToken = Code(name: "missing_token")
        /// The token is malformed, unknown or revoked.
        public static let invalidToken = Code(name: "invalid_token")
        /// The token's role does not allow this.
        public static let forbidden = Code(name: "forbidden")
        /// Bad arguments (a tenant token without a tenant, a tenant on another role, …).
        public static let badRequest = Code(name: "bad_request")
        public var description: String { name }
    }

    public var code: Code
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
