/// What inserting a saga did.
package struct CreateResult: Sendable {
    /// The saga inserted, or the existing one with the same idempotency key.
    package var saga: SagaRecord
    /// False when the idempotency key already existed: nothing was inserted.
    package var created: Bool
    /// The worker the saga was inserted claimed for (its lease owner), if any.
    package var assignedTo: String? { created ? saga.leaseOwner : nil }

    /// Whether the store already told the assigned worker (so the starter need not).
    package var delivered: Bool

    package init(saga: SagaRecord, created: Bool, delivered: Bool = false) {
        self.saga = saga
        self.created = created
        self.delivered = delivered
    }

    /// The saga as claimed by its assigned worker: its first step's attempt is recorded.
    package var claimed: ClaimedSaga? {
        guard assignedTo != nil else { return nil }
        return ClaimedSaga(saga: saga, attempts: saga.stepNames.isEmpty ? 0 : 1, polls: 0)
    }
}
