/// Why a saga is parked until `run_at`.
public enum WaitKind: String, Sendable, Codable {
    /// The step asked to be polled again later (a durable wait). The next execution is a poll,
    /// not a new attempt.
    case poll
    /// The step failed with a retryable error and is backing off before its next attempt.
    case retry
    /// A worker shutting down handed the saga back before running its current step; the next
    /// claim is neither a new attempt nor a poll.
    case handoff
}
