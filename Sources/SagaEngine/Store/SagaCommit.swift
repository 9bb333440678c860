import Foundation

/// One fenced state transition of a saga, applied in one transaction.
///
/// The happy path of a step is a single commit: the step's result (``stepUpdates``), the new
/// context and cursor, and the attempt of the next step (``attempt``). The final commit of a saga
/// can also claim the next runnable saga (``claimNext``), so a busy worker needs no separate
/// claim transaction.
public struct SagaCommit: Sendable {
    /// How the lock keys change.
    public enum LockChange: Sendable, Hashable {
        case keep
        /// The saga reached a terminal status: other sagas sharing its keys may run.
        case release
        /// An operator revived a terminal saga: take the keys again, behind sagas already holding them.
        case reacquire([String])
    }

    /// How the saga's error changes.
    public enum ErrorChange: Sendable, Hashable {
        case keep
        case set(String)
        case clear
    }

    public var sagaID: UUID
    /// The token the writer holds; the commit applies only if it is still current.
    public var fencingToken: Int64
    /// Operators bump the token so that any worker still holding the saga can no longer write.
    public var bumpFencingToken: Bool
    public var status: SagaStatus
    public var currentStep: Int
    /// The new context, or nil to keep it.
    public var context: [String: JSONValue]?
    public var error: ErrorChange
    /// When the saga may next be claimed; while the writer keeps holding it, its new lease expiry.
    public var runAt: Date
    public var waitKind: WaitKind?
    /// Clears the lease owner (the saga is parked, terminal or handed back).
    public var releaseLease: Bool
    /// Sets `finished_at` (terminal statuses).
    public var finished: Bool
    /// Sets or clears the cancel flag; nil keeps it.
    public var cancelRequested: Bool?
    public var stepUpdates: [StepUpdate]
    public var attempt: StepAttempt?
    public var events: [NewSagaEvent]
    public var locks: LockChange
    /// Wake idle workers (other processes) after the commit.
    public var wakeWorkers: Bool
    public var claimNext: ClaimRequest?
    public var now: Date

    public init(
        sagaID: UUID, fencingToken: Int64, bumpFencingToken: Bool = false, status: SagaStatus, currentStep: Int,
        context: [String: JSONValue]? = nil, error: ErrorChange = .keep, runAt: Date, waitKind: WaitKind? = nil,
        releaseLease: Bool = false, finished: Bool = false, cancelRequested: Bool? = nil,
        stepUpdates: [StepUpdate] = [], attempt: StepAttempt? = nil, events: [NewSagaEvent] = [],
        locks: LockChange = .keep, wakeWorkers: Bool = false, claimNext: ClaimRequest? = nil, now: Date
    ) {
        self.sagaID = sagaID
        self.fencingToken = fencingToken
        self.bumpFencingToken = bumpFencingToken
        self.status = status
        self.currentStep = currentStep
        self.context = context
        self.error = error
        self.runAt = runAt
        self.waitKind = waitKind
        self.releaseLease = releaseLease
        self.finished = finished
        self.cancelRequested = cancelRequested
        self.stepUpdates = stepUpdates
        self.attempt = attempt
        self.events = events
        self.locks = locks
        self.wakeWorkers = wakeWorkers
        self.claimNext = claimNext
        self.now = now
    }
}

/// A change to an existing step row.
public struct StepUpdate: Sendable, Hashable {
    public var index: Int
    public var status: StepStatus
    /// The output to store, or nil to keep it.
    public var output: [String: JSONValue]?
    public var error: SagaCommit.ErrorChange
    /// Sets `finished_at`.
    public var finished: Bool
    /// Sets `compensated_at`.
    public var compensated: Bool
    /// Resets `attempts` to zero (operator resume).
    public var resetAttempts: Bool

    public init(
        index: Int, status: StepStatus, output: [String: JSONValue]? = nil, error: SagaCommit.ErrorChange = .keep,
        finished: Bool = false, compensated: Bool = false, resetAttempts: Bool = false
    ) {
        self.index = index
        self.status = status
        self.output = output
        self.error = error
        self.finished = finished
        self.compensated = compensated
        self.resetAttempts = resetAttempts
    }
}

/// An attempt to record before a step runs: inserts the step row or counts one more attempt.
public struct StepAttempt: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable {
        /// A forward execution that counts as an attempt.
        case attempt
        /// A forward re-execution after a durable wait.
        case poll
        /// A compensation attempt.
        case compensation
    }

    public var index: Int
    public var name: String
    public var phase: Phase

    public init(index: Int, name: String, phase: Phase) {
        self.index = index
        self.name = name
        self.phase = phase
    }
}

/// What a commit did.
public struct CommitResult: Sendable {
    /// False when the fencing token no longer matched: nothing was written.
    public var applied: Bool
    /// The saga's cancel flag after the commit.
    public var cancelRequested: Bool
    /// Counters of the step whose attempt the commit recorded (``SagaCommit/attempt``).
    public var attempts: Int
    public var polls: Int
    /// The saga claimed by ``SagaCommit/claimNext``, if any.
    public var next: ClaimedSaga?
    /// Whether ``nextRunAt`` was read: a store may answer it along with ``SagaCommit/claimNext``,
    /// so that a worker that found nothing to claim knows when to look again without asking.
    public var nextRunAtKnown = false
    /// The earliest `run_at` of the other unfinished sagas when the commit looked (nil: none).
    public var nextRunAt: Date?

    public init(applied: Bool, cancelRequested: Bool, attempts: Int = 0, polls: Int = 0, next: ClaimedSaga? = nil) {
        self.applied = applied
        self.cancelRequested = cancelRequested
        self.attempts = attempts
        self.polls = polls
        self.next = next
    }

    public static let fenced = CommitResult(applied: false, cancelRequested: false)
}

/// What a heartbeat found.
public enum HeartbeatResult: Sendable, Hashable {
    /// The lease was extended.
    case held(cancelRequested: Bool)
    /// Another worker or an operator took the saga over; stop without writing.
    case lost
}
