/// TLS use on a PostgreSQL connection, as in libpq's `sslmode`.
public enum PostgresTLSMode: String, Sendable {
    case disable
    case prefer
    case require
}
