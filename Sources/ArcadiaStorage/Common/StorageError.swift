/// An error from a storage backend. Messages name the problem and what to do, and never contain
/// SQL or passwords.
public struct StorageError: Error, CustomStringConvertible, CustomDebugStringConvertible {
    /// The kind of error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case invalidURL = "invalid_database_url"
            case unreachable = "database_unreachable"
            case schemaTooNew = "schema_too_new"
            case query = "query_failed"
            case corrupt = "corrupt_row"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The `--database` URL could not be understood.
        public static let invalidURL = Code(.invalidURL)
        /// The database could not be opened or connected to.
        public static let unreachable = Code(.unreachable)
        /// The database was migrated by a newer Arcadia.
        public static let schemaTooNew = Code(.schemaTooNew)
        public static let query = Code(.query)
        public static let corrupt = Code(.corrupt)

        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Code and message only (the database error it came from may quote SQL or bound values).
    public var debugDescription: String { "\(code): \(message)" }
}
