import PostgresNIO

/// Builds one SQL statement with bound parameters (`$1`, `$2`, …) when its shape depends on the
/// transition (how many step updates, which CTEs). Values are never spliced into the text.
///
/// Every parameter's type is recorded from its Swift type, also when the value is nil, so a
/// statement prepared from this text declares the same parameter types whichever values its first
/// execution happened to carry (a NULL would otherwise leave the type to PostgreSQL's inference,
/// which a later non-NULL value of the Swift type may not match).
struct SQLBuilder {
    private(set) var sql = ""
    private(set) var binds = PostgresBindings()
    /// The declared type of each parameter, in order.
    private(set) var types: [PostgresDataType] = []

    /// Appends SQL text.
    mutating func append(_ text: String) { sql += text }

    /// Binds a value and returns its placeholder.
    mutating func bind<T: PostgresNonThrowingEncodable>(_ value: T) -> String {
        binds.append(value)
        types.append(T.psqlType)
        return "$\(binds.count)"
    }

    /// Binds an optional value (NULL when nil, still typed as `T`) and returns its placeholder.
    mutating func bind<T: PostgresNonThrowingEncodable>(_ value: T?) -> String {
        binds.append(value)
        types.append(T.psqlType)
        return "$\(binds.count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}
