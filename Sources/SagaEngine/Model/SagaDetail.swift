/// A saga with its step ledger and its event timeline.
public struct SagaDetail: Sendable, Hashable {
    public var saga: SagaRecord
    public var steps: [StepRecord]
    public var events: [SagaEvent]

    public init(saga: SagaRecord, steps: [StepRecord], events: [SagaEvent]) {
        self.saga = saga
        self.steps = steps
        self.events = events
    }
}
