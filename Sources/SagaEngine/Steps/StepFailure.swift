/// An error that tells the engine whether retrying may help.
///
/// Errors that do not conform are treated as permanent: the step fails at once and compensation
/// begins. The DigitalOcean client's errors conform (429, 5xx and connection errors are retryable).
public protocol RetryClassifiable: Error {
    /// Whether the same call may succeed if tried again later.
    var isRetryable: Bool { get }
    /// A delay the remote side asked for (for example DigitalOcean's `retry-after`), if any.
    var retryAfter: Duration? { get }
}

/// A failure raised by a step, with an explicit retry classification.
public struct StepFailure: RetryClassifiable, CustomStringConvertible, Hashable {
    public var message: String
    public var isRetryable: Bool
    public var retryAfter: Duration?

    public init(_ message: String, retryable: Bool = false, retryAfter: Duration? = nil) {
        self.message = message
        self.isRetryable = retryable
        self.retryAfter = retryAfter
    }

    /// A permanent failure: no retry, compensation starts.
    public static func permanent(_ message: String) -> StepFailure { .init(message, retryable: false) }

    /// A transient failure: retried with backoff per the step's ``RetryPolicy``.
    public static func retryable(_ message: String, after: Duration? = nil) -> StepFailure {
        .init(message, retryable: true, retryAfter: after)
    }

    public var description: String { message }
}
