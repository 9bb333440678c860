/// Where and how `arcadia serve` listens.
public struct ServerConfiguration: Sendable, Hashable {
    public var host: String
    /// 0 binds a free port (tests).
    public var port: Int
    /// Request bodies over this many bytes get 413.
    public var maxBodyBytes: Int
    /// Failed authentications (bad tokens, bad logins) one client address may make per minute
    /// before it is refused with 429 for the rest of the minute.
    public var maxFailedAuthenticationsPerMinute: Int
    /// Whether the dashboard's cookies carry `Secure` (browsers still accept them from
    /// `http://localhost`); off only for a plain-HTTP server reached by another name.
    public var secureCookies: Bool
    /// How long a dashboard session lasts from login.
    public var sessionLifetime: Duration
    /// Seconds an authenticated API token is remembered without asking the database again (0:
    /// never); a revoked token is refused at most this long after its revocation.
    public var tokenCacheSeconds: Double

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 4000, maxBodyBytes: Int = 1 << 20, maxFailedAuthenticationsPerMinute: Int = 20,
        secureCookies: Bool = true, sessionLifetime: Duration = .seconds(12 * 3600), tokenCacheSeconds: Double = 5
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxFailedAuthenticationsPerMinute = maxFailedAuthenticationsPerMinute
        self.secureCookies = secureCookies
        self.sessionLifetime = sessionLifetime
        self.tokenCacheSeconds = tokenCacheSeconds
    }
}
