import Foundation

/// One fenced state transition of a saga, applied in one transaction.
///
/// Build commits with the named constructors (``advance(_:completed:output:context:leaseUntil:now:)``,
/// ``park(_:at:until:kind:stepUpdates:event:claimNext:now:)`` and the others below); each says which
/// transition it is. The happy path of a step is a single commit: the step's result, the new context
/// and cursor, and the attempt of the next step. The final commit of a saga can also claim the next
/// runnable saga (``claimNext``), so a busy worker needs no separate claim transaction.
package struct SagaCommit: Sendable {
    /// How the lock keys change.
    package enum LockChange: Sendable, Hashable {
        case keep
        /// The saga ended (`completed`, `rolled_back`, `killed`): the next sagas waiting for its keys may run.
        case release
        /// An operator revived the saga: it takes again any of these keys it no longer holds, behind
        /// the sagas holding them now.
        case reacquire([String])
    }

    /// How an error column changes.
    package enum ErrorChange: Sendable, Hashable {
        case keep
        case set(String)
        case clear

        /// The error text this change sets, if any.
        package var text: String? {
            if case .set(let text) = self { return text }
            return nil
        }
    }

    package var sagaID: UUID
    /// The token the writer holds; the commit applies only if it is still current.
    package var fencingToken: Int64
    /// Operators bump the token so that any worker still holding the saga can no longer write.
    package var bumpFencingToken = false
    package var status: SagaStatus
    package var currentStep: Int
    /// The new context, or nil to keep it.
    package var context: [String: JSONValue]?
    package var error: ErrorChange = .keep
    /// When the saga may next be claimed; while the writer keeps holding it, its new lease expiry.
    package var runAt: Date
    package var waitKind: WaitKind?
    /// Clears the lease owner (the saga is parked, terminal or handed back).
    package var releaseLease = false
    /// Sets `finished_at` (terminal statuses).
    package var finished = false
    /// Sets or clears the cancel flag; nil keeps it.
    package var cancelRequested: Bool?
    package var stepUpdates: [StepUpdate] = []
    package var attempt: StepAttempt?
    package var events: [NewSagaEvent] = []
    package var locks: LockChange = .keep
    /// Wake idle workers (other processes) after the commit.
    package var wakeWorkers = false
    package var claimNext: ClaimRequest?
    package var now: Date

    package init(sagaID: UUID, fencingToken: Int64, status: SagaStatus, currentStep: Int, runAt: Date, now: Date) {
        self.sagaID = sagaID
        self.fencingToken = fencingToken
        self.status = status
        self.currentStep = currentStep
        self.runAt = runAt
        self.now = now
    }
}

// MARK: - Worker transitions

extension SagaCommit {
    /// Step `index` completed and the next step starts: its attempt is recorded in the same commit.
    package static func advance(
        _ saga: SagaRecord, completed index: Int, output: [String: JSONValue], context: [String: JSONValue], leaseUntil: Date,
        now: Date
    ) -> SagaCommit {
        let next = index + 1
        var commit = SagaCommit(sagaID: saga.id, fencingToken: saga.fencingToken, status: .running, currentStep: next, runAt: leaseUntil, now: now)
        commit.context = context
        commit.stepUpdates = [.completed(index, output: output)]
        commit.attempt = StepAttempt(index: next, name: saga.stepNames[next], phase: .attempt)
        commit.events = [NewSagaEvent(.stepCompleted, step: index), NewSagaEvent(.stepStarted, step: next)]
        return commit
    }

    /// The saga completed: `completedStep` (if a step just finished) is recorded, the lease and the
    /// lock keys are released, and the next runnable saga may be claimed in the same commit.
    package static func complete(
        _ saga: SagaRecord, completedStep: (index: Int, output: [String: JSONValue])?, context: [String: JSONValue],
        claimNext: ClaimRequest?, now: Date
    ) -> SagaCommit {
        let cursor = completedStep?.index ?? max(0, saga.stepNames.count - 1)
        var commit = SagaCommit(sagaID: saga.id, fencingToken: saga.fencingToken, status: .completed, currentStep: cursor, runAt: now, now: now)
        commit.context = context
        commit.error = .clear
        commit.releaseLease = true
        commit.finished = true
        if let completedStep {
            commit.stepUpdates = [.completed(completedStep.index, output: completedStep.output)]
            commit.events = [NewSagaEvent(.stepCompleted, step: completedStep.index)]
        }
        commit.events.append(NewSagaEvent(.sagaCompleted))
        commit.releaseLockKeys(of: saga)
        commit.claimNext = claimNext
        return commit
    }

    /// Parks the saga at step `index` until `until`: a durable wait (``WaitKind/poll``) or a retry
    /// backoff (``WaitKind/retry``). The worker's slot is free; the next runnable saga may be
    /// claimed in the same commit.
    package static func park(
        _ saga: SagaRecord, at index: Int, until: Date, kind: WaitKind, context: [String: JSONValue]?, stepUpdates: [StepUpdate],
        event: NewSagaEvent, claimNext: ClaimRequest?, now: Date
    ) -> SagaCommit {
        let status: SagaStatus = saga.status == .compensating ? .compensating : .waiting
        var commit = SagaCommit(sagaID: saga.id, fencingToken: saga.fencingToken, status: status, currentStep: index, runAt: until, now: now)
        commit.context = context
        commit.waitKind = kind
        commit.releaseLease = true
        commit.stepUpdates = stepUpdates
        commit.events = [event]
        commit.claimNext = claimNext
        return commit
    }

    /// A forward step failed for good and the template holds failed sagas for an operator: the saga
    /// is `failed` at that step, and keeps its lock keys (its side effects are not undone).
    package static func hold(_ saga: SagaRecord, failed update: StepUpdate, reason: String, claimNext: ClaimRequest?, now: Date) -> SagaCommit {
        var commit = SagaCommit(
            sagaID: saga.id, fencingToken: saga.fencingToken, status: .failed, currentStep: update.index, runAt: now, now: now)
        commit.context = saga.context
        commit.error = .set(reason + "; held for an operator (`saga resume` or `saga cancel`)")
        commit.releaseLease = true
        commit.finished = true
        commit.stepUpdates = [update]
        commit.events = [NewSagaEvent(.stepFailed, step: update.index, detail: update.error.text), NewSagaEvent(.sagaHeld, step: update.index)]
        commit.claimNext = claimNext
        return commit
    }

    /// Compensation begins at step `index` (the failed step itself, or the step a cancel stopped
    /// at), recording what the interrupted step did.
    package static func beginCompensation(
        _ saga: SagaRecord, from index: Int, stepUpdates: [StepUpdate], reason: String, context: [String: JSONValue], leaseUntil: Date,
        now: Date
    ) -> SagaCommit {
        var commit = SagaCommit(
            sagaID: saga.id, fencingToken: saga.fencingToken, status: .compensating, currentStep: index, runAt: leaseUntil, now: now)
        commit.context = context
        commit.error = .set(reason)
        commit.stepUpdates = stepUpdates
        for update in stepUpdates where update.status == .failed {
            commit.events.append(NewSagaEvent(.stepFailed, step: update.index, detail: update.error.text))
        }
        for update in stepUpdates where update.status == .completed {
            commit.events.append(NewSagaEvent(.stepCompleted, step: update.index))
        }
        commit.events.append(NewSagaEvent(.compensationStarted, step: index, detail: reason))
        return commit
    }

    /// One compensation attempt of step `index` begins (its attempt is counted first).
    package static func beginCompensationStep(_ saga: SagaRecord, index: Int, name: String, leaseUntil: Date, now: Date) -> SagaCommit {
        var commit = SagaCommit(
            sagaID: saga.id, fencingToken: saga.fencingToken, status: .compensating, currentStep: index, runAt: leaseUntil, now: now)
        commit.attempt = StepAttempt(index: index, name: name, phase: .compensation)
        commit.events = [NewSagaEvent(.compensationStepStarted, step: index)]
        return commit
    }

    /// Compensation results of one or more steps; the cursor moves below the lowest of them.
    package static func recordCompensation(
        _ saga: SagaRecord, updates: [StepUpdate], events: [NewSagaEvent], leaseUntil: Date, now: Date
    ) -> SagaCommit {
        let cursor = (updates.map(\.index).min() ?? saga.currentStep) - 1
        var commit = SagaCommit(
            sagaID: saga.id, fencingToken: saga.fencingToken, status: .compensating, currentStep: cursor, runAt: leaseUntil, now: now)
        commit.stepUpdates = updates
        commit.events = events
        return commit
    }

    /// Compensation reached step 0: `rolled_back` (lock keys released), or `failed` when some
    /// compensation failed for good (lock keys kept: the leftovers still belong to this saga).
    package static func finishCompensation(_ saga: SagaRecord, failedSteps: [(index: Int, name: String)], claimNext: ClaimRequest?, now: Date)
        -> SagaCommit
    {
        let status: SagaStatus = failedSteps.isEmpty ? .rolledBack : .failed
        var commit = SagaCommit(
            sagaID: saga.id, fencingToken: saga.fencingToken, status: status, currentStep: max(0, saga.currentStep), runAt: now, now: now)
        if !failedSteps.isEmpty {
            let list = failedSteps.map { "\($0.index) (\($0.name))" }.joined(separator: ", ")
            commit.error = .set(
                "\(saga.error ?? "compensation"); compensation failed for step(s) \(list): an operator must look, then `saga retry`")
        }
        commit.releaseLease = true
        commit.finished = true
        commit.events = [NewSagaEvent(status == .failed ? .sagaFailed : .sagaRolledBack)]
        if status == .rolledBack { commit.releaseLockKeys(of: saga) }
        commit.claimNext = claimNext
        return commit
    }

    /// Gives the saga back before running its current step further (the worker is shutting down,
    /// or had no free slot for a delivered saga). Another worker claims it at once; its next claim
    /// counts no new attempt, so an attempt that never started is counted once.
    package static func handBack(_ saga: SagaRecord, reason: String, now: Date) -> SagaCommit {
        var commit = SagaCommit(
            sagaID: saga.id, fencingToken: saga.fencingToken, status: saga.status, currentStep: saga.currentStep, runAt: now, now: now)
        commit.waitKind = .handoff
        commit.releaseLease = true
        commit.events = [NewSagaEvent(.handedBack, step: saga.currentStep, detail: reason)]
        commit.wakeWorkers = true
        return commit
    }
}

// MARK: - Operator transitions

extension SagaCommit {
    /// Cancel of a saga held after a failed step: it compensates from there.
    package static func cancelHeld(_ saga: SagaRecord, now: Date) -> SagaCommit {
        var commit = operatorCommit(saga, status: .compensating, now: now)
        commit.cancelRequested = true
        commit.events = [
            NewSagaEvent(.cancelRequested),
            NewSagaEvent(.compensationStarted, step: saga.currentStep, detail: "cancelled by operator"),
        ]
        commit.locks = saga.lockKeys.isEmpty ? .keep : .reacquire(saga.lockKeys)
        return commit
    }

    /// Cancel of a saga no worker has touched: rolled back directly, nothing to undo.
    package static func cancelUntouched(_ saga: SagaRecord, now: Date) -> SagaCommit {
        var commit = operatorCommit(saga, status: .rolledBack, now: now)
        commit.error = .set("cancelled before it started")
        commit.finished = true
        commit.cancelRequested = true
        commit.events = [NewSagaEvent(.cancelRequested), NewSagaEvent(.sagaRolledBack, detail: "cancelled before it started")]
        commit.releaseLockKeys(of: saga)
        return commit
    }

    /// Kill: the saga stops where it is, without compensation, and releases its lock keys.
    package static func kill(_ saga: SagaRecord, reason: String, now: Date) -> SagaCommit {
        var commit = operatorCommit(saga, status: .killed, now: now)
        commit.error = .set(reason)
        commit.finished = true
        commit.events = [NewSagaEvent(.sagaKilled, step: saga.currentStep, detail: reason)]
        commit.releaseLockKeys(of: saga)
        return commit
    }

    /// Operator retry of a failed saga's compensation, from step `from`, with a fresh retry budget
    /// for every compensation still to run.
    package static func retryCompensation(_ saga: SagaRecord, from: Int, steps: [StepRecord], now: Date) -> SagaCommit {
        var commit = operatorCommit(saga, status: .compensating, now: now)
        commit.currentStep = from
        commit.stepUpdates = steps.filter { $0.index <= from && $0.status.needsCompensation }.map { step in
            StepUpdate(index: step.index, status: step.status, resetCompensationAttempts: true)
        }
        commit.events = [NewSagaEvent(.compensationRetried, step: from)]
        commit.locks = saga.lockKeys.isEmpty ? .keep : .reacquire(saga.lockKeys)
        return commit
    }

    /// Operator resume of a held saga: the failed step runs again with a fresh retry budget.
    package static func resume(_ saga: SagaRecord, now: Date) -> SagaCommit {
        var commit = operatorCommit(saga, status: .pending, now: now)
        commit.error = .clear
        commit.cancelRequested = false
        commit.stepUpdates = [StepUpdate(index: saga.currentStep, status: .running, error: .clear, resetAttempts: true)]
        commit.events = [NewSagaEvent(.sagaResumed, step: saga.currentStep)]
        commit.locks = saga.lockKeys.isEmpty ? .keep : .reacquire(saga.lockKeys)
        return commit
    }

    /// The saga ends for good: the next sagas waiting for its lock keys may run.
    private mutating func releaseLockKeys(of saga: SagaRecord) {
        guard !saga.lockKeys.isEmpty else { return }
        locks = .release
        wakeWorkers = true
    }

    /// An operator's commit: it bumps the fencing token (a worker still holding the saga can no
    /// longer write), releases the lease and makes the saga runnable now.
    private static func operatorCommit(_ saga: SagaRecord, status: SagaStatus, now: Date) -> SagaCommit {
        var commit = SagaCommit(
            sagaID: saga.id, fencingToken: saga.fencingToken, status: status, currentStep: saga.currentStep, runAt: now, now: now)
        commit.bumpFencingToken = true
        commit.releaseLease = true
        commit.wakeWorkers = !status.isTerminal
        return commit
    }
}

/// A change to an existing step row.
package struct StepUpdate: Sendable, Hashable {
    package var index: Int
    package var status: StepStatus
    /// The output to store, or nil to keep it.
    package var output: [String: JSONValue]?
    package var error: SagaCommit.ErrorChange
    /// Sets `finished_at`.
    package var finished: Bool
    /// Sets `compensated_at`.
    package var compensated: Bool
    /// Resets `attempts` to zero (operator resume).
    package var resetAttempts: Bool
    /// Resets `compensation_attempts` to zero (operator retry).
    package var resetCompensationAttempts: Bool

    package init(
        index: Int, status: StepStatus, output: [String: JSONValue]? = nil, error: SagaCommit.ErrorChange = .keep,
        finished: Bool = false, compensated: Bool = false, resetAttempts: Bool = false, resetCompensationAttempts: Bool = false
    ) {
        self.index = index
        self.status = status
        self.output = output
        self.error = error
        self.finished = finished
        self.compensated = compensated
        self.resetAttempts = resetAttempts
        self.resetCompensationAttempts = resetCompensationAttempts
    }

    /// The step finished with this output.
    package static func completed(_ index: Int, output: [String: JSONValue]) -> StepUpdate {
        StepUpdate(index: index, status: .completed, output: output, error: .clear, finished: true)
    }

    /// The step failed for good with this message.
    package static func failed(_ index: Int, message: String) -> StepUpdate {
        StepUpdate(index: index, status: .failed, error: .set(message), finished: true)
    }
}

/// An attempt to record before a step runs: inserts the step row or counts one more attempt.
package struct StepAttempt: Sendable, Hashable {
    package enum Phase: String, Sendable, Hashable {
        /// A forward execution that counts as an attempt.
        case attempt
        /// A forward re-execution after a durable wait.
        case poll
        /// A compensation attempt.
        case compensation
    }

    package var index: Int
    package var name: String
    package var phase: Phase

    package init(index: Int, name: String, phase: Phase) {
        self.index = index
        self.name = name
        self.phase = phase
    }
}

/// What a commit did.
package struct CommitResult: Sendable {
    /// False when the fencing token no longer matched: nothing was written.
    package var applied: Bool
    /// The saga's cancel flag after the commit.
    package var cancelRequested: Bool
    /// Counters of the step whose attempt the commit recorded (``SagaCommit/attempt``).
    package var attempts: Int
    package var polls: Int
    /// What ``SagaCommit/claimNext`` found (nil when the commit carried no claim).
    package var claim: ClaimResult?

    package init(applied: Bool, cancelRequested: Bool, attempts: Int = 0, polls: Int = 0, claim: ClaimResult? = nil) {
        self.applied = applied
        self.cancelRequested = cancelRequested
        self.attempts = attempts
        self.polls = polls
        self.claim = claim
    }

    package static let fenced = CommitResult(applied: false, cancelRequested: false)
}

/// What a heartbeat found.
package enum HeartbeatResult: Sendable, Hashable {
    /// The lease was extended.
    case held(cancelRequested: Bool)
    /// Another worker or an operator took the saga over; stop without writing.
    case lost
}
