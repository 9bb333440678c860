/// A saga a worker holds, with the attempt counters of its current step as just recorded.
public struct ClaimedSaga: Sendable {
    public var saga: SagaRecord
    /// Attempts of the current step (compensation attempts while compensating); 0 if none recorded.
    public var attempts: Int
    /// Polls of the current step.
    public var polls: Int

    public init(saga: SagaRecord, attempts: Int, polls: Int) {
        self.saga = saga
        self.attempts = attempts
        self.polls = polls
    }
}
