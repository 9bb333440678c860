/// A fault injected into matching requests, decided by the simulator's seeded random source.
public struct FaultRule: Codable, Sendable, Equatable {
    /// What goes wrong.
    public enum Kind: String, Codable, Sendable {
        /// Answer with a 5xx (``FaultRule/status``, default 500) without doing anything.
        case serverError = "server_error"
        /// Answer 429 `too_many_requests` with `retry-after`.
        case rateLimited = "rate_limited"
        /// Answer a transient 422 that succeeds on a later try.
        case retryable422 = "retryable_422"
        /// Answer a permanent 422 with ``FaultRule/message`` (default DigitalOcean's capacity
        /// answer, "creating this/these droplet(s) will exceed your droplet limit"), applying nothing.
        case unprocessable
        /// Wait ``FaultRule/latencyMs`` before handling the request.
        case latency
        /// The action the request starts ends `errored` (a failed create deletes the droplet).
        case actionErrored = "action_errored"
        /// The request is applied, then the connection is dropped before any answer.
        case responseLost = "response_lost"
        /// The request is applied, then answered with a 5xx (``FaultRule/status``, default 500):
        /// DigitalOcean's "committed, then 500".
        case serverErrorAfterApply = "server_error_after_apply"
        /// The request is applied at once, its answer held back ``FaultRule/latencyMs`` (a worker
        /// can be killed after DigitalOcean accepted a create and before it heard the answer).
        case latencyAfterApply = "latency_after_apply"
    }

    /// HTTP method to match (`POST`); `nil` or `*` matches every method.
    public var method: String?
    /// Route to match: a spec path template (`/v2/droplets/{droplet_id}`), a concrete path, or
    /// `*` for every route.
    public var path: String
    public var kind: Kind
    /// Probability of firing on a matching request, 0…1.
    public var probability: Double
    /// How many more times the rule may fire; `nil` = without end.
    public var remaining: Int?
    /// Status for `server_error` (500, 502, 503, 504).
    public var status: Int?
    /// Delay for `latency` and `latency_after_apply`.
    public var latencyMs: Int?
    /// The message of an `unprocessable` answer.
    public var message: String?

    /// Creates a rule.
    public init(
        method: String? = nil, path: String, kind: Kind, probability: Double = 1, remaining: Int? = nil, status: Int? = nil, latencyMs: Int? = nil,
        message: String? = nil
    ) {
        self.message = message
        self.method = method
        self.path = path
        self.kind = kind
        self.probability = probability
        self.remaining = remaining
        self.status = status
        self.latencyMs = latencyMs
    }

    private enum CodingKeys: String, CodingKey {
        case method, path, kind, probability, remaining, status, latencyMs = "latency_ms", message
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        method = try container.decodeIfPresent(String.self, forKey: .method)
        path = try container.decodeIfPresent(String.self, forKey: .path) ?? "*"
        kind = try container.decode(Kind.self, forKey: .kind)
        probability = try container.decodeIfPresent(Double.self, forKey: .probability) ?? 1
        remaining = try container.decodeIfPresent(Int.self, forKey: .remaining)
        status = try container.decodeIfPresent(Int.self, forKey: .status)
        latencyMs = try container.decodeIfPresent(Int.self, forKey: .latencyMs)
        message = try container.decodeIfPresent(String.self, forKey: .message)
    }

    /// Whether the rule applies to a request.
    func matches(method: String, route: String, path: String) -> Bool {
        if let wanted = self.method, wanted != "*", wanted.uppercased() != method { return false }
        return self.path == "*" || self.path == route || self.path == path
    }
}
