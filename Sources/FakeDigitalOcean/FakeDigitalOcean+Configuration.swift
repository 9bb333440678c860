extension FakeDigitalOcean {
    /// How the simulator is started.
    public struct Configuration: Sendable {
        /// Interface to bind; tests use `127.0.0.1`.
        public var host: String
        /// Port to bind; 0 picks a free one (see ``RunningFakeDigitalOcean/port``).
        public var port: Int
        /// Seeds the random source behind faults, jitter-free ids and addresses.
        public var seed: UInt64
        /// Known tokens and their scopes. Empty: any non-empty bearer token has full access.
        public var tokens: [String: TokenScope]
        /// Initial behaviour (lags, limits, faults); the control API can change it.
        public var settings: SimulatorSettings
        /// Base of the absolute URLs in `links` (default: from the request's `Host` header).
        public var publicBaseURL: String?
        /// Simulated time stands still until the control API advances it (tests); by default it
        /// follows the wall clock.
        public var frozenClock: Bool
        /// PEM certificate and key files: serve HTTPS (official clients such as pydo refuse
        /// bearer tokens over plain HTTP).
        public var tls: (certificatePath: String, keyPath: String)?

        /// Creates a configuration.
        public init(
            host: String = "127.0.0.1", port: Int = 9000, seed: UInt64 = 1, tokens: [String: TokenScope] = [:],
            settings: SimulatorSettings = SimulatorSettings(), publicBaseURL: String? = nil, frozenClock: Bool = false,
            tls: (certificatePath: String, keyPath: String)? = nil
        ) {
            self.host = host
            self.port = port
            self.seed = seed
            self.tokens = tokens
            self.settings = settings
            self.publicBaseURL = publicBaseURL
            self.frozenClock = frozenClock
            self.tls = tls
        }
    }
}
