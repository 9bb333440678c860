/// A saga a worker holds, with the attempt counters of its current step as just recorded.
package struct ClaimedSaga: Sendable, Hashable {
    package var saga: SagaRecord
    /// Attempts of the current step (compensation attempts while compensating); 0 if none recorded.
    package var attempts: Int
    /// Polls of the current step.
    package var polls: Int
    /// The worker whose lease ran out before this claim took the saga over, if any.
    package var reclaimedFrom: String?

    package init(saga: SagaRecord, attempts: Int, polls: Int, reclaimedFrom: String? = nil) {
        self.saga = saga
        self.attempts = attempts
        self.polls = polls
        self.reclaimedFrom = reclaimedFrom
    }
}
