import Foundation

/// The transitions of one saga held by a worker, as a pure value.
///
/// Given the saga and what its step returned, it says what to commit and what to do next; the
/// executor only carries out the I/O (running steps, writing commits, reading the ledger) and
/// reports back. Time, randomness and what the worker observed (a cancel, a shutdown) come in as
/// ``Signals``, so every path is testable without a database.
///
/// ```swift
/// var machine = SagaStateMachine(claimed, registry: registry, configuration: configuration)
/// var action = machine.start(signals)
/// while true {
///     switch action {
///     case .run(let run): action = machine.stepReturned(await execute(run), signals)
///     case .commit(let commit): action = machine.committed(try await store.commit(commit), signals)
///     case .loadLedger: action = machine.ledgerLoaded(try await store.steps(sagaID: id), signals)
///     case .stop(let stop): return stop
///     }
/// }
/// ```
package struct SagaStateMachine: Sendable {
    /// Settings the transitions depend on.
    package struct Configuration: Sendable {
        package var workerID: String
        package var leaseDuration: Duration
        /// Whether final and parking commits also claim the next runnable saga for this slot.
        package var claimNext: Bool

        package init(workerID: String, leaseDuration: Duration, claimNext: Bool) {
            self.workerID = workerID
            self.leaseDuration = leaseDuration
            self.claimNext = claimNext
        }
    }

    /// What the executor observed, passed with every call.
    package struct Signals: Sendable {
        package var now: Date
        /// When the worker's lease on the saga runs out (renewals included).
        package var leaseExpiry: Date
        /// The worker is shutting down gracefully: hand the saga back instead of going on.
        package var shuttingDown: Bool
        /// An operator cancel reached the worker (it may not be in the saga record yet).
        package var cancelRequested: Bool
        /// A number in `0..<1` for retry jitter.
        package var random: Double
        /// Whether runnable sagas may be waiting in the store (the worker's dispatcher knows): only
        /// then does a final or parking commit also claim the next saga (otherwise the claim would
        /// find nothing, and the commit could not be grouped with others).
        package var storeMayHaveWork: Bool
        /// Whether that claim also takes sagas whose worker died (the periodic look).
        package var lookForExpiredLeases: Bool

        package init(
            now: Date, leaseExpiry: Date, shuttingDown: Bool = false, cancelRequested: Bool = false, random: Double = 0.5,
            storeMayHaveWork: Bool = true, lookForExpiredLeases: Bool = true
        ) {
            self.now = now
            self.leaseExpiry = leaseExpiry
            self.shuttingDown = shuttingDown
            self.cancelRequested = cancelRequested
            self.random = random
            self.storeMayHaveWork = storeMayHaveWork
            self.lookForExpiredLeases = lookForExpiredLeases
        }
    }

    /// One execution or compensation of a step.
    package struct StepRun: Sendable, Hashable {
        package enum Phase: String, Sendable, Hashable {
            case execute
            case compensate
        }

        package var phase: Phase
        package var index: Int
        package var name: String
        /// 1 on the first execution (or compensation).
        package var attempt: Int
        package var polls: Int
        /// When the run is abandoned as timed out.
        package var deadline: Date?
        /// Whether an operator's cancel interrupts it (forward executions only).
        package var cancellableByOperator: Bool { phase == .execute }
    }

    /// What a step run returned.
    package enum StepResult: Sendable, Hashable {
        case done([String: JSONValue])
        case pollAgain(after: Duration, outputs: [String: JSONValue], waitingFor: String? = nil)
        case compensated
        case failed(message: String, retryable: Bool, retryAfter: Duration?)
        /// The run passed its deadline and was interrupted.
        case timedOut
        /// This worker interrupted the run for its own reasons (its task was cancelled): nothing
        /// about the step is known, so nothing is written and the lease runs out.
        case interrupted
    }

    /// Why the executor stops.
    package enum Stop: Sendable {
        /// The saga reached a terminal status; `claim` is what the final commit's claim found.
        case finished(SagaStatus, claim: ClaimResult?)
        /// The saga is parked until `until`; `claim` is what the parking commit's claim found.
        case parked(until: Date, kind: WaitKind, claim: ClaimResult?)
        /// The saga was handed back unstarted (shutdown).
        case handedBack
        /// A commit was fenced out: another worker or an operator owns the saga.
        case lost
        /// This worker's task was cancelled mid-run: nothing was written; the lease runs out.
        case abandoned
    }

    /// The next thing for the executor to do.
    package enum Action: Sendable {
        case run(StepRun)
        case commit(SagaCommit)
        case loadLedger
        case stop(Stop)
    }

    /// What a pending commit means once applied.
    private enum AfterCommit: Sendable {
        case advanced(from: Int)
        case finished(SagaStatus)
        case parked(until: Date, kind: WaitKind, detail: String?)
        case compensationBegun(from: Int, reason: String, stepUpdates: [StepUpdate])
        case compensationStepBegun(index: Int, name: String, polls: Int, timeout: Duration?)
        case compensationRecorded([StepUpdate])
        case handedBack
    }

    private enum Awaiting: Sendable {
        case nothing
        case step(StepRun)
        case commit(AfterCommit)
        case ledger
    }

    /// The saga as this worker knows it.
    package private(set) var saga: SagaRecord
    /// Attempts of the current step (compensation attempts while compensating).
    package private(set) var attempts: Int
    package private(set) var polls: Int
    private var ledger: [Int: StepRecord]?
    private var awaiting: Awaiting = .nothing
    private var events: [EngineEvent] = []
    private let registry: SagaRegistry
    private let configuration: Configuration

    package init(_ claimed: ClaimedSaga, registry: SagaRegistry, configuration: Configuration) {
        self.saga = claimed.saga
        self.attempts = claimed.attempts
        self.polls = claimed.polls
        self.registry = registry
        self.configuration = configuration
    }

    /// Progress events produced since the last call (for the engine's event bus).
    package mutating func takeEvents() -> [EngineEvent] {
        defer { events.removeAll() }
        return events
    }

    // MARK: Inputs

    /// The first action for a freshly claimed saga.
    package mutating func start(_ signals: Signals) -> Action {
        decide(signals)
    }

    /// A step run ended.
    package mutating func stepReturned(_ result: StepResult, _ signals: Signals) -> Action {
        guard case .step(let run) = awaiting else { preconditionFailure("stepReturned without a running step") }
        awaiting = .nothing
        if case .interrupted = result { return .stop(.abandoned) }
        switch run.phase {
        case .execute: return executed(run, result, signals)
        case .compensate: return compensated(run, result, signals)
        }
    }

    /// A commit was written (or fenced out).
    package mutating func committed(_ result: CommitResult, _ signals: Signals) -> Action {
        guard case .commit(let after) = awaiting else { preconditionFailure("committed without a pending commit") }
        awaiting = .nothing
        guard result.applied else { return .stop(.lost) }
        if result.cancelRequested { saga.cancelRequested = true }
        switch after {
        case .advanced(let index):
            events.append(.stepFinished(sagaID: saga.id, step: index, name: saga.stepNames[index], status: .completed, error: nil))
            saga.status = .running
            saga.currentStep = index + 1
            attempts = result.attempts
            polls = result.polls
            return decide(signals)
        case .finished(let status):
            if status == .completed, saga.status != .compensating, let last = saga.stepNames.indices.last {
                events.append(.stepFinished(sagaID: saga.id, step: last, name: saga.stepNames[last], status: .completed, error: nil))
            }
            saga.status = status
            events.append(.sagaFinished(sagaID: saga.id, status: status))
            return .stop(.finished(status, claim: result.claim))
        case .parked(let until, let kind, let detail):
            events.append(.parked(sagaID: saga.id, step: saga.currentStep, until: until, reason: kind, detail: detail))
            return .stop(.parked(until: until, kind: kind, claim: result.claim))
        case .compensationBegun(let index, let reason, let updates):
            for update in updates {
                let name = saga.stepNames.indices.contains(update.index) ? saga.stepNames[update.index] : "?"
                events.append(
                    .stepFinished(sagaID: saga.id, step: update.index, name: name, status: update.status, error: update.error.text))
            }
            events.append(.compensationStarted(sagaID: saga.id, step: index, reason: reason))
            saga.status = .compensating
            saga.currentStep = index
            saga.error = reason
            ledger = nil
            return decide(signals)
        case .compensationStepBegun(let index, let name, let polls, let timeout):
            saga.currentStep = index
            attempts = result.attempts
            let run = StepRun(
                phase: .compensate, index: index, name: name, attempt: max(1, result.attempts), polls: polls,
                deadline: timeout.map { signals.now.addingTimeInterval($0.seconds) })
            awaiting = .step(run)
            return .run(run)
        case .compensationRecorded(let updates):
            for update in updates {
                ledger?[update.index]?.status = update.status
                events.append(
                    .stepFinished(
                        sagaID: saga.id, step: update.index, name: ledger?[update.index]?.name ?? "?", status: update.status,
                        error: update.error.text))
            }
            saga.currentStep = (updates.map(\.index).min() ?? saga.currentStep) - 1
            return decide(signals)
        case .handedBack:
            return .stop(.handedBack)
        }
    }

    /// The step ledger was read (compensation walks it).
    package mutating func ledgerLoaded(_ steps: [StepRecord], _ signals: Signals) -> Action {
        guard case .ledger = awaiting else { preconditionFailure("ledgerLoaded without a pending read") }
        awaiting = .nothing
        ledger = Dictionary(steps.map { ($0.index, $0) }, uniquingKeysWith: { _, last in last })
        return decide(signals)
    }

    // MARK: Deciding

    private mutating func decide(_ signals: Signals) -> Action {
        switch saga.status {
        case .pending, .running, .waiting: return forward(signals)
        case .compensating: return compensation(signals)
        case .completed, .rolledBack, .failed, .killed: return .stop(.lost)
        }
    }

    private mutating func forward(_ signals: Signals) -> Action {
        let index = saga.currentStep
        guard index < saga.stepNames.count else {
            return commit(
                .complete(saga, completedStep: nil, context: saga.context, claimNext: claimNext(signals), now: signals.now), .finished(.completed))
        }
        if signals.shuttingDown { return handBack(signals) }
        if saga.cancelRequested || signals.cancelRequested {
            return beginCompensation(from: index, updates: [], reason: "cancelled by operator", signals)
        }
        let name = saga.stepNames[index]
        guard let step = registry.step(named: name) else {
            // The step never ran, so there is nothing of it to undo: compensation starts below it.
            return failForward(
                index: index, message: "step '\(name)' is not registered in this worker (renamed or removed since the saga started?)",
                ran: false, signals)
        }
        if attempts > step.retryPolicy.maximumAttempts {
            return failForward(
                index: index,
                message: "step was started \(attempts) times without finishing (maximum \(step.retryPolicy.maximumAttempts)); "
                    + "its worker may have crashed each time", ran: true, signals)
        }
        let run = StepRun(
            phase: .execute, index: index, name: name, attempt: max(1, attempts), polls: polls,
            deadline: step.timeout.map { signals.now.addingTimeInterval($0.seconds) })
        events.append(.stepStarted(sagaID: saga.id, step: index, name: name, attempt: run.attempt))
        awaiting = .step(run)
        return .run(run)
    }

    private mutating func executed(_ run: StepRun, _ result: StepResult, _ signals: Signals) -> Action {
        let index = run.index
        let cancelled = saga.cancelRequested || signals.cancelRequested
        switch result {
        case .done(let outputs):
            saga.context.merge(outputs) { _, new in new }
            if cancelled {
                return beginCompensation(from: index, updates: [.completed(index, output: outputs)], reason: "cancelled by operator", signals)
            }
            if index == saga.stepNames.count - 1 {
                return commit(
                    .complete(saga, completedStep: (index, outputs), context: saga.context, claimNext: claimNext(signals), now: signals.now),
                    .finished(.completed))
            }
            return commit(
                .advance(saga, completed: index, output: outputs, context: saga.context, leaseUntil: leaseUntil(signals), now: signals.now),
                .advanced(from: index))
        case .pollAgain(let delay, let outputs, let waitingFor):
            saga.context.merge(outputs) { _, new in new }
            let until = signals.now.addingTimeInterval(delay.seconds)
            let detail = "poll \(polls + 1)" + (waitingFor.map { ": waiting for \($0)" } ?? "") + "; next look in \(Self.format(delay))"
            return commit(
                .park(
                    saga, at: index, until: until, kind: .poll, context: saga.context, stepUpdates: [],
                    event: NewSagaEvent(.stepWaiting, step: index, detail: detail), claimNext: claimNext(signals), now: signals.now),
                .parked(until: until, kind: .poll, detail: detail))
        case .failed(let message, let retryable, let retryAfter):
            if cancelled {
                return beginCompensation(
                    from: index, updates: [.failed(index, message: "interrupted by cancel: \(message)")], reason: "cancelled by operator",
                    signals)
            }
            return retryOrFail(run, message: message, retryable: retryable, retryAfter: retryAfter, signals)
        case .timedOut:
            let message = "step timed out after \(Self.format(timeout(run)))"
            if cancelled {
                return beginCompensation(
                    from: index, updates: [.failed(index, message: "interrupted by cancel: \(message)")], reason: "cancelled by operator",
                    signals)
            }
            return retryOrFail(run, message: message, retryable: true, retryAfter: nil, signals)
        case .compensated, .interrupted:
            preconditionFailure("a forward step cannot return \(result)")
        }
    }

    private mutating func retryOrFail(_ run: StepRun, message: String, retryable: Bool, retryAfter: Duration?, _ signals: Signals) -> Action {
        let policy = registry.step(named: run.name)?.retryPolicy ?? .never
        guard policy.shouldRetry(afterAttempts: attempts, retryable: retryable) else {
            return failForward(index: run.index, message: message, ran: true, signals)
        }
        let delay = policy.backoff(afterAttempts: attempts, retryAfter: retryAfter, random: signals.random)
        let until = signals.now.addingTimeInterval(delay.seconds)
        events.append(.stepFinished(sagaID: saga.id, step: run.index, name: run.name, status: .running, error: message))
        return commit(
            .park(
                saga, at: run.index, until: until, kind: .retry, context: saga.context,
                stepUpdates: [StepUpdate(index: run.index, status: .running, error: .set(message))],
                event: NewSagaEvent(
                    .stepRetryScheduled, step: run.index,
                    detail: "attempt \(attempts) failed: \(message); retrying in \(Self.format(delay))"),
                claimNext: claimNext(signals), now: signals.now),
            .parked(until: until, kind: .retry, detail: nil))
    }

    private mutating func failForward(index: Int, message: String, ran: Bool, _ signals: Signals) -> Action {
        let name = saga.stepNames.indices.contains(index) ? saga.stepNames[index] : "?"
        let failed = StepUpdate.failed(index, message: message)
        let reason = "step \(index) (\(name)) failed: \(message)"
        guard saga.holdOnFailure else {
            return beginCompensation(from: ran ? index : index - 1, updates: [failed], reason: reason, signals)
        }
        events.append(.stepFinished(sagaID: saga.id, step: index, name: name, status: .failed, error: message))
        return commit(.hold(saga, failed: failed, reason: reason, claimNext: claimNext(signals), now: signals.now), .finished(.failed))
    }

    private mutating func beginCompensation(from index: Int, updates: [StepUpdate], reason: String, _ signals: Signals) -> Action {
        commit(
            .beginCompensation(
                saga, from: index, stepUpdates: updates, reason: reason, context: saga.context, leaseUntil: leaseUntil(signals),
                now: signals.now),
            .compensationBegun(from: index, reason: reason, stepUpdates: updates))
    }

    // MARK: Compensation

    private mutating func compensation(_ signals: Signals) -> Action {
        guard let ledger else {
            awaiting = .ledger
            return .loadLedger
        }
        let pending = ledger.values.filter { $0.index <= saga.currentStep && $0.status.needsCompensation }.map(\.index).sorted(by: >)
        guard let index = pending.first, let row = ledger[index] else { return finishCompensation(signals) }
        if signals.shuttingDown { return handBack(signals) }
        guard let step = registry.step(named: row.name) else {
            let message = "step '\(row.name)' is not registered in this worker; it cannot be compensated"
            return recordCompensation(
                [StepUpdate(index: index, status: .compensationFailed, error: .set(message))],
                [NewSagaEvent(.compensationFailed, step: index, detail: message)], signals)
        }
        guard step.hasCompensation else {
            // Steps with nothing to undo are marked compensated together, in one write.
            var batch = [index]
            for lower in pending.dropFirst() {
                guard lower == batch.last! - 1, let other = ledger[lower], registry.step(named: other.name)?.hasCompensation == false else {
                    break
                }
                batch.append(lower)
            }
            return recordCompensation(
                batch.map { StepUpdate(index: $0, status: .compensated, compensated: true) },
                batch.map { NewSagaEvent(.stepCompensated, step: $0, detail: "nothing to undo") }, signals)
        }
        if row.compensationAttempts >= step.retryPolicy.maximumAttempts {
            // Each earlier attempt began and never reported back: its worker died each time.
            let message =
                "compensation was started \(row.compensationAttempts) times without finishing (maximum \(step.retryPolicy.maximumAttempts)); "
                + "its worker may have crashed each time"
            return recordCompensation(
                [StepUpdate(index: index, status: .compensationFailed, error: .set(message))],
                [NewSagaEvent(.compensationFailed, step: index, detail: message)], signals)
        }
        return commit(
            .beginCompensationStep(saga, index: index, name: row.name, leaseUntil: leaseUntil(signals), now: signals.now),
            .compensationStepBegun(index: index, name: row.name, polls: row.polls, timeout: step.timeout))
    }

    private mutating func compensated(_ run: StepRun, _ result: StepResult, _ signals: Signals) -> Action {
        let index = run.index
        let message: String
        let retryable: Bool
        var retryAfter: Duration?
        switch result {
        case .compensated, .done:
            return recordCompensation(
                [StepUpdate(index: index, status: .compensated, compensated: true)], [NewSagaEvent(.stepCompensated, step: index)], signals)
        case .failed(let text, let isRetryable, let after):
            (message, retryable, retryAfter) = (text, isRetryable, after)
        case .timedOut:
            (message, retryable) = ("compensation timed out after \(Self.format(timeout(run)))", true)
        case .pollAgain, .interrupted:
            preconditionFailure("a compensation cannot return \(result)")
        }
        ledger?[index]?.compensationAttempts = attempts
        let policy = registry.step(named: run.name)?.retryPolicy ?? .never
        guard policy.shouldRetry(afterAttempts: attempts, retryable: retryable) else {
            return recordCompensation(
                [StepUpdate(index: index, status: .compensationFailed, error: .set(message))],
                [NewSagaEvent(.compensationFailed, step: index, detail: message)], signals)
        }
        let delay = policy.backoff(afterAttempts: attempts, retryAfter: retryAfter, random: signals.random)
        let until = signals.now.addingTimeInterval(delay.seconds)
        return commit(
            .park(
                saga, at: index, until: until, kind: .retry, context: nil,
                stepUpdates: [StepUpdate(index: index, status: .compensating, error: .set(message))],
                event: NewSagaEvent(
                    .compensationRetryScheduled, step: index,
                    detail: "compensation attempt \(attempts) failed: \(message); retrying in \(Self.format(delay))"),
                claimNext: claimNext(signals), now: signals.now),
            .parked(until: until, kind: .retry, detail: nil))
    }

    private mutating func recordCompensation(_ updates: [StepUpdate], _ events: [NewSagaEvent], _ signals: Signals) -> Action {
        commit(
            .recordCompensation(saga, updates: updates, events: events, leaseUntil: leaseUntil(signals), now: signals.now),
            .compensationRecorded(updates))
    }

    private mutating func finishCompensation(_ signals: Signals) -> Action {
        let failed = (ledger ?? [:]).values.filter { $0.status == .compensationFailed }.sorted { $0.index < $1.index }
        let commit = SagaCommit.finishCompensation(
            saga, failedSteps: failed.map { ($0.index, $0.name) }, claimNext: claimNext(signals), now: signals.now)
        return self.commit(commit, .finished(commit.status))
    }

    // MARK: Helpers

    private mutating func handBack(_ signals: Signals) -> Action {
        commit(.handBack(saga, reason: "worker shutting down", now: signals.now), .handedBack)
    }

    private mutating func commit(_ commit: SagaCommit, _ after: AfterCommit) -> Action {
        awaiting = .commit(after)
        return .commit(commit)
    }

    /// The lease expiry a commit that keeps the saga writes: the current one. Renewing is the
    /// guard task's job (on its cadence, and before the lease nears its end); a commit that kept
    /// moving `run_at` would change an indexed column and make every step's update heavier.
    private func leaseUntil(_ signals: Signals) -> Date {
        signals.leaseExpiry
    }

    private func claimNext(_ signals: Signals) -> ClaimRequest? {
        guard configuration.claimNext, !signals.shuttingDown, signals.storeMayHaveWork else { return nil }
        return ClaimRequest(
            workerID: configuration.workerID, now: signals.now, leaseUntil: signals.now.addingTimeInterval(configuration.leaseDuration.seconds),
            excluding: saga.id, includeExpiredLeases: signals.lookForExpiredLeases)
    }

    private func timeout(_ run: StepRun) -> Duration {
        registry.step(named: run.name)?.timeout ?? .zero
    }

    static func format(_ duration: Duration) -> String {
        let seconds = duration.seconds
        return seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : String(format: "%.1f s", seconds)
    }
}
