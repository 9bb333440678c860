/// One versioned schema change: SQL statements applied in one transaction, recorded in
/// `schema_migrations`.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}
