/// A saga with its step ledger, its event timeline and, while it waits behind a lock key, the
/// sagas holding the key.
public struct SagaDetail: Sendable, Hashable {
    public var saga: SagaRecord
    public var steps: [StepRecord]
    public var events: [SagaEvent]
    /// Earlier sagas holding a lock key this saga needs; empty unless it is blocked.
    public var blockedBy: [LockBlocker]

    public init(saga: SagaRecord, steps: [StepRecord], events: [SagaEvent], blockedBy: [LockBlocker] = []) {
        self.saga = saga
        self.steps = steps
        self.events = events
        self.blockedBy = blockedBy
    }
}
