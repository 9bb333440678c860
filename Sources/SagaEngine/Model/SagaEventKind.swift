/// What a `saga_events` row records; stored as its raw value.
public enum SagaEventKind: String, Sendable, Codable, CaseIterable {
    case sagaCreated = "saga_created"
    /// A worker took the saga (detail: the worker id).
    case claimed
    /// A worker took the saga after the previous worker's lease ran out (detail: both ids).
    case reclaimed
    /// The saga waits behind a lock key held by an earlier saga.
    case lockWaiting = "lock_waiting"
    case stepStarted = "step_started"
    case stepCompleted = "step_completed"
    case stepWaiting = "step_waiting"
    case stepRetryScheduled = "step_retry_scheduled"
    case stepFailed = "step_failed"
    case sagaHeld = "saga_held"
    case sagaResumed = "saga_resumed"
    case cancelRequested = "cancel_requested"
    case compensationStarted = "compensation_started"
    case compensationStepStarted = "compensation_step_started"
    case stepCompensated = "step_compensated"
    case compensationRetryScheduled = "compensation_retry_scheduled"
    case compensationFailed = "compensation_failed"
    case compensationRetried = "compensation_retried"
    /// A worker gave the saga back (shutting down, or no free slot for a delivery) before running it further.
    case handedBack = "handed_back"
    case sagaCompleted = "saga_completed"
    case sagaRolledBack = "saga_rolled_back"
    case sagaFailed = "saga_failed"
    case sagaKilled = "saga_killed"
}
