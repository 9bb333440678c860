import PostgresNIO

/// Builds one SQL statement with bound parameters (`$1`, `$2`, …) when its shape depends on the
/// transition (how many step updates, which CTEs). Values are never spliced into the text.
struct SQLBuilder {
    private(set) var sql = ""
    private(set) var binds = PostgresBindings()

    /// Appends SQL text.
    mutating func append(_ text: String) { sql += text }

    /// Binds a value and returns its placeholder.
    mutating func bind<T: PostgresDynamicTypeEncodable>(_ value: T) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// Binds an optional value (NULL when nil) and returns its placeholder.
    mutating func bind<T: PostgresDynamicTypeEncodable>(_ value: T?) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}
