/// Where and how `arcadia serve` listens.
public struct ServerConfiguration: Sendable, Hashable {
    public var host: String
    /// 0 binds a free port (tests).
    public var port: Int
    /// Request bodies over this many bytes get 413.
    public var maxBodyBytes: Int

    /// Creates a configuration.
    public init(host: String = "127.0.0.1", port: Int = 4000, maxBodyBytes: Int = 1 << 20) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
    }
}
