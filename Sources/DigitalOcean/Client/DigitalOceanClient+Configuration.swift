extension DigitalOceanClient {
    /// How a client talks to the API.
    public struct Configuration: Sendable {
        /// Where the API lives, without the `/v2` suffix. Point it at `arcadia fake-do` for
        /// offline work: `http://127.0.0.1:9000`.
        public var baseURL: String
        /// The token the client sends, with its purpose.
        public var token: APIToken
        /// Bounded retries with exponential backoff and jitter.
        public var retry: Retry
        /// How long one HTTP exchange may take.
        public var requestTimeout: Duration
        /// Responses larger than this are refused.
        public var maxResponseBytes: Int
        /// Whether requests are paced from the `ratelimit-*` headers so that DigitalOcean's
        /// limits are never hit.
        public var pacesRequests: Bool
        /// Items per page for collection reads (DigitalOcean's maximum is 200).
        public var pageSize: Int
        /// The per-token burst limit the pacer keeps to on its own (DigitalOcean: 250 requests a
        /// minute, not reported in its headers; a burst 429 only carries `retry-after`).
        public var burstLimit: (requests: Int, window: Duration)
        /// The `User-Agent` header.
        public var userAgent: String

        /// Creates a configuration for `token` against `baseURL`.
        public init(
            token: APIToken,
            baseURL: String = "https://api.digitalocean.com",
            retry: Retry = Retry(),
            requestTimeout: Duration = .seconds(60),
            maxResponseBytes: Int = 32 << 20,
            pacesRequests: Bool = true,
            pageSize: Int = 200,
            userAgent: String = "arcadia-digitalocean/1",
            burstLimit: (requests: Int, window: Duration) = (250, .seconds(60))
        ) {
            self.burstLimit = burstLimit
            self.token = token
            self.baseURL = baseURL
            self.retry = retry
            self.requestTimeout = requestTimeout
            self.maxResponseBytes = maxResponseBytes
            self.pacesRequests = pacesRequests
            self.pageSize = pageSize
            self.userAgent = userAgent
        }
    }

    /// Retry settings. GET, PUT and DELETE are retried on 429, 5xx (except 501) and connection
    /// errors; POST only when it certainly was not applied (429, connection refused).
    public struct Retry: Sendable {
        /// Total sends of one request, the first included.
        public var maxAttempts: Int
        /// The first backoff; each further one doubles, up to ``maxDelay``.
        public var baseDelay: Duration
        /// The longest backoff between two attempts (a `retry-after` from the API wins over it).
        public var maxDelay: Duration
        /// The longest the client waits for a rate-limit reset before giving up with the 429.
        public var maxRateLimitWait: Duration

        /// Creates retry settings.
        public init(
            maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30),
            maxRateLimitWait: Duration = .seconds(120)
        ) {
            self.maxAttempts = max(1, maxAttempts)
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
            self.maxRateLimitWait = maxRateLimitWait
        }

        /// The backoff before attempt `attempt + 1` (attempt counts from 1): exponential with
        /// "equal jitter" (half fixed, half random), so a fleet of clients does not retry in step.
        func backoff(after attempt: Int, random: Double = Double.random(in: 0...1)) -> Duration {
            let exponent = min(attempt - 1, 30)
            let raw = baseDelay * (1 << exponent)
            let capped = min(raw, maxDelay)
            return capped / 2 + capped / 2 * random
        }
    }
}
