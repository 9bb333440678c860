import Foundation

/// Where the database is: `sqlite:PATH` (the embedded default) or
/// `postgres://user:password@host:port/database[?sslmode=disable|prefer|require&schema=NAME]`.
public enum DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresURL)

    /// The default: a SQLite file in the working directory.
    public static let defaultURL = "sqlite:arcadia.sqlite"

    /// The parts of a PostgreSQL URL.
    public struct PostgresURL: Sendable, Hashable {
        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String
        public var schema: String?
        public var tls: PostgresTLSMode
    }

    /// Parses a URL, naming what is wrong if it cannot.
    public static func parse(_ text: String) throws -> DatabaseURL {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("sqlite:") {
            var path = String(trimmed.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else {
                throw StorageError(.invalidURL, "database URL 'sqlite:' has no path; use sqlite:PATH, for example \(defaultURL)")
            }
            return .sqlite(path: path)
        }
        guard trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") else {
            throw StorageError(
                .invalidURL,
                "database URL must start with sqlite: or postgres:// (got '\(redact(trimmed))'); for example \(defaultURL) or postgres://user:pass@localhost:5432/arcadia"
            )
        }
        guard let components = URLComponents(string: trimmed), let host = components.host, !host.isEmpty else {
            throw StorageError(.invalidURL, "cannot read the PostgreSQL URL '\(redact(trimmed))'; expected postgres://user:pass@host:port/database")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StorageError(.invalidURL, "the PostgreSQL URL '\(redact(trimmed))' names no user; expected postgres://user:pass@host:port/database")
        }
        let database = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard !database.isEmpty else {
            throw StorageError(.invalidURL, "the PostgreSQL URL '\(redact(trimmed))' names no database; add /DATABASE after the host")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw StorageError(.invalidURL, "the PostgreSQL URL '\(redact(trimmed))' has an invalid port \(port)")
        }
        var tls = PostgresSagaStore.Configuration.TLSMode.prefer
        var schema: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(PostgresSagaStore.Configuration.TLSMode.init(rawValue:)) else {
                    throw StorageError(.invalidURL, "sslmode must be disable, prefer or require (got '\(item.value ?? "")')")
                }
                tls = mode
            case "schema":
                guard let value = item.value, !value.isEmpty,
                    value.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "_" }),
                    value.count <= 48
                else {
                    throw StorageError(.invalidURL, "schema must be letters, digits and underscores (at most 48), got '\(item.value ?? "")'")
                }
                schema = value.lowercased()
            default:
                throw StorageError(.invalidURL, "unknown PostgreSQL URL parameter '\(item.name)'; known: sslmode, schema")
            }
        }
        return .postgres(
            PostgresURL(
                host: host, port: components.port ?? 5432, username: user.removingPercentEncoding ?? user,
                password: components.password.map { $0.removingPercentEncoding ?? $0 }, database: database, schema: schema,
                tls: tls))
    }

    /// The URL with any password replaced by `***`.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let url):
            let password = url.password == nil ? "" : ":***"
            var text = "postgres://\(url.username)\(password)@\(url.host):\(url.port)/\(url.database)"
            if let schema = url.schema { text += "?schema=\(schema)" }
            return text
        }
    }

    /// Hides a password in a URL that could not be parsed.
    static func redact(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://"),
            let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
        else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at...])
    }
}
