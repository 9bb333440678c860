/// An error from the DigitalOcean client: either an HTTP error answered by the API, or a
/// failure before or while talking to it.
///
/// Callers decide what to do with POST failures from ``isRetryable`` and ``isAmbiguous``:
/// an ambiguous failure means the request may have been applied (a droplet may exist), so the
/// caller must look before it creates again.
public struct DigitalOceanError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case http
            case transport
            case readOnlyToken = "read_only_token"
            case invalidToken = "invalid_token"
            case invalidRequest = "invalid_request"
            case invalidResponse = "invalid_response"
            case rateLimited = "rate_limited"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The API answered with a non-success status; see ``DigitalOceanError/status``.
        public static let http = Code(.http)
        /// The request did not complete: connection refused, reset, or timed out.
        public static let transport = Code(.transport)
        /// A write was attempted with an `inventory` (read-only) token; nothing was sent.
        public static let readOnlyToken = Code(.readOnlyToken)
        /// The configured token is empty; nothing was sent.
        public static let invalidToken = Code(.invalidToken)
        /// The request could not be built (bad base URL, unencodable body); nothing was sent.
        public static let invalidRequest = Code(.invalidRequest)
        /// The API answered with a body the client could not decode.
        public static let invalidResponse = Code(.invalidResponse)
        /// The token's rate-limit budget is spent for longer than the client may wait
        /// (``DigitalOceanClient/Retry/maxRateLimitWait``); nothing was sent. See ``DigitalOceanError/retryAfter``.
        public static let rateLimited = Code(.rateLimited)

        public var description: String { value.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// HTTP status, when the API answered.
    public var status: Int?
    /// DigitalOcean's error id (`not_found`, `unprocessable_entity`, `too_many_requests`, …).
    public var id: String?
    /// What went wrong, in words. Never contains the token.
    public var message: String
    /// The request id from the error body or the `x-request-id` header.
    public var requestID: String?
    /// Whether trying again later may succeed (429, 5xx except 501, connection errors,
    /// and DigitalOcean's transient 422s such as "Droplet already has a pending event.").
    public var isRetryable: Bool
    /// Whether the request may have been applied even though it failed (a POST whose response
    /// was lost or that got a 5xx). Look before repeating it.
    public var isAmbiguous: Bool
    /// How long to wait before trying again: DigitalOcean's `retry-after`, or the time until
    /// the token's window resets (429s and ``Code/rateLimited``).
    public var retryAfter: Duration?
    /// The HTTP method and path (no query, no token) of the request.
    public var operation: String
    /// How many times the request was sent.
    public var attempts: Int

    /// Creates an error.
    public init(
        code: Code, status: Int? = nil, id: String? = nil, message: String, requestID: String? = nil,
        isRetryable: Bool = false, isAmbiguous: Bool = false, retryAfter: Duration? = nil, operation: String = "", attempts: Int = 0
    ) {
        self.retryAfter = retryAfter
        self.code = code
        self.status = status
        self.id = id
        self.message = message
        self.requestID = requestID
        self.isRetryable = isRetryable
        self.isAmbiguous = isAmbiguous
        self.operation = operation
        self.attempts = attempts
    }

    /// The resource does not exist (HTTP 404). A DELETE that fails this way has nothing left
    /// to delete and can be treated as done.
    public var isNotFound: Bool { status == 404 }

    /// DigitalOcean refused the request as rate limited (HTTP 429), or the client held it back
    /// because the token's budget is spent for longer than it may wait.
    public var isRateLimited: Bool { status == 429 || code == .rateLimited }

    public var description: String {
        var text = "DigitalOcean \(operation.isEmpty ? "request" : operation) failed"
        if let status { text += " with HTTP \(status)" }
        if let id { text += " (\(id))" }
        text += ": \(message)"
        if let requestID { text += " [request \(requestID)]" }
        if attempts > 1 { text += " after \(attempts) attempts" }
        if isAmbiguous { text += "; the request may have been applied" }
        return text
    }
}
