import Foundation
import Logging

/// Executes one claimed saga until it is terminal, parked, handed back or lost.
struct SagaExecutor: Sendable {
    let engine: SagaEngine
    let workerID: String
    let logger: Logger
    let shutdown: ShutdownFlag

    /// What running a saga left for the slot: the next saga its final commit claimed, and whether
    /// the saga ended (its `sagaFinished` event is emitted by the slot, after it marked itself idle).
    struct Outcome {
        var next: ClaimedSaga?
        var finished: EngineEvent?
        /// The final commit already looked for the next saga and found none.
        var lookedForNext: Bool
        /// When it did, and the store also said when the next saga is due: that time (or nil
        /// when nothing else is unfinished), so the idle slot need not ask.
        var nextDue: Date??
    }

    /// Runs the saga until it is terminal, parked, handed back or lost.
    func run(_ claimed: ClaimedSaga, claimNext: Bool) async -> Outcome {
        let saga = claimed.saga
        let handle = SagaHandle(
            sagaID: saga.id, fencingToken: saga.fencingToken, cancelRequested: saga.cancelRequested, leaseExpiry: saga.runAt,
            now: engine.clock.now)
        engine.running.insert(handle)
        defer { engine.running.remove(handle) }
        var sagaLogger = self.logger
        sagaLogger[metadataKey: "saga.id"] = .string(saga.id.uuidString.lowercased())
        let logger = sagaLogger
        engine.eventBus.emit(.claimed(sagaID: saga.id, status: saga.status, step: saga.currentStep))
        logger.debug("claimed saga", metadata: ["saga.status": "\(saga.status.rawValue)", "saga.step": "\(saga.currentStep)"])
        return await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.heartbeat(handle, logger: logger) }
            let run = SagaRun(
                executor: self, handle: handle, saga: saga, attempts: claimed.attempts, polls: claimed.polls,
                claimNext: claimNext, logger: logger)
            let next: ClaimedSaga?
            do {
                next = try await run.drive()
            } catch {
                run.finishedEvent = nil
                run.lookedForNext = false
                run.nextDue = nil
                // The outcome of the failed write is unknown: leave the saga to its lease, after which
                // it is re-claimed and re-enters its current step (steps are idempotent).
                if error is CancellationError || Task.isCancelled {
                    // The worker itself is being torn down (not a graceful shutdown).
                    logger.debug("worker cancelled during a store write; the saga will be re-claimed when its lease expires")
                } else {
                    logger.error(
                        "saga store write failed; the saga will be re-claimed when its lease expires",
                        metadata: ["error": "\(String(reflecting: error))"])
                }
                next = nil
            }
            group.cancelAll()
            return Outcome(next: next, finished: run.finishedEvent, lookedForNext: run.lookedForNext, nextDue: run.nextDue)
        }
    }

    /// Renews the lease while the saga is held; interrupts the running step if the lease is lost,
    /// a cancel arrives, or the step's deadline passes.
    private func heartbeat(_ handle: SagaHandle, logger: Logger) async {
        let interval = engine.configuration.heartbeatInterval
        let lease = engine.configuration.leaseDuration.seconds
        // Ticks on a fixed cadence: time that passed while a renewal was being written is not lost.
        var tick = engine.clock.now.addingTimeInterval(interval.seconds)
        while !Task.isCancelled {
            do { try await engine.clock.sleep(until: tick) } catch { return }
            tick = max(tick.addingTimeInterval(interval.seconds), engine.clock.now)
            let now = engine.clock.now
            handle.checkDeadline(now: now)
            guard now.timeIntervalSince(handle.lastRenewal) >= interval.seconds * 0.9 else { continue }
            do {
                switch try await engine.store.heartbeat(
                    sagaID: handle.sagaID, fencingToken: handle.fencingToken, leaseUntil: now.addingTimeInterval(lease), now: now)
                {
                case .held(let cancelRequested):
                    handle.renewed(at: now, until: now.addingTimeInterval(lease))
                    if cancelRequested { handle.deliverCancel() }
                case .lost:
                    if Task.isCancelled { return }
                    logger.warning("lease lost: another worker or an operator took the saga over")
                    handle.markLost()
                    return
                }
            } catch {
                logger.warning("heartbeat failed", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }
}

/// The mutable state of one saga execution.
private final class SagaRun {
    enum Next {
        case proceed
        case stop(ClaimedSaga?)
    }

    let executor: SagaExecutor
    let handle: SagaHandle
    var saga: SagaRecord
    var attempts: Int
    var polls: Int
    let claimNext: Bool
    let logger: Logger
    var finishedEvent: EngineEvent?
    var lookedForNext = false
    var nextDue: Date??

    var engine: SagaEngine { executor.engine }
    var store: any SagaStore { engine.store }
    var now: Date { engine.clock.now }

    /// The lease expiry a commit that keeps the saga writes: unchanged while more than half the
    /// lease is left (so the row's indexed `run_at` does not change and the update stays cheap),
    /// otherwise a full lease from now.
    var leaseUntil: Date {
        let now = self.now
        let lease = engine.configuration.leaseDuration.seconds
        let current = handle.leaseExpiry
        return current.timeIntervalSince(now) > lease / 2 ? current : now.addingTimeInterval(lease)
    }

    init(
        executor: SagaExecutor, handle: SagaHandle, saga: SagaRecord, attempts: Int, polls: Int, claimNext: Bool,
        logger: Logger
    ) {
        self.executor = executor
        self.handle = handle
        self.saga = saga
        self.attempts = attempts
        self.polls = polls
        self.claimNext = claimNext
        self.logger = logger
    }

    func drive() async throws -> ClaimedSaga? {
        while true {
            if handle.lost { return nil }
            let next: Next
            switch saga.status {
            case .pending, .running, .waiting: next = try await forwardStep()
            case .compensating: next = try await compensate()
            case .completed, .rolledBack, .failed, .killed: return nil
            }
            if case .stop(let claimed) = next { return claimed }
        }
    }

    // MARK: Forward

    private func forwardStep() async throws -> Next {
        let index = saga.currentStep
        guard index < saga.stepNames.count else {
            return try await finishForward(index: max(0, saga.stepNames.count - 1), stepUpdates: [])
        }
        if saga.cancelRequested || handle.cancelRequested {
            return try await beginCompensation(from: index, stepUpdates: [], reason: "cancelled by operator")
        }
        if executor.shutdown.isSet { return try await handBack() }
        let name = saga.stepNames[index]
        guard let step = engine.registry.step(named: name) else {
            // The step never ran, so there is nothing of it to undo: compensation starts below it.
            return try await failForward(
                index: index,
                message: "step '\(name)' is not registered in this worker (renamed or removed since the saga started?)",
                ran: false)
        }
        if attempts > step.retryPolicy.maximumAttempts {
            return try await failForward(
                index: index,
                message: "step was started \(attempts) times without finishing (maximum \(step.retryPolicy.maximumAttempts)); "
                    + "its worker may have crashed each time")
        }
        let context = makeContext(index: index, name: name, attempt: attempts, polls: polls)
        engine.eventBus.emit(.stepStarted(sagaID: saga.id, step: index, name: name, attempt: attempts))
        let deadline = step.timeout.map { now.addingTimeInterval($0.seconds) }
        let result = await handle.runStep(cancellableByOperator: true, deadline: deadline) {
            try await step.execute(context)
        }
        if handle.lost { return .stop(nil) }
        switch result {
        case .success(.done(let outputs)):
            saga.context.merge(outputs) { _, new in new }
            let completed = StepUpdate(index: index, status: .completed, output: outputs, error: .clear, finished: true)
            if handle.cancelRequested {
                engine.eventBus.emit(.stepFinished(sagaID: saga.id, step: index, name: name, status: .completed, error: nil))
                return try await beginCompensation(from: index, stepUpdates: [completed], reason: "cancelled by operator")
            }
            if index == saga.stepNames.count - 1 {
                return try await finishForward(index: index, stepUpdates: [completed])
            }
            return try await advance(from: index, completed: completed)
        case .success(.pollAgain(let delay, let outputs)):
            saga.context.merge(outputs) { _, new in new }
            return try await park(
                index: index, kind: .poll, delay: delay, stepUpdates: [],
                event: NewSagaEvent("step_waiting", step: index, detail: "poll again in \(format(delay))"))
        case .failure(let error):
            let message = describe(error)
            if handle.cancelRequested {
                let failed = StepUpdate(index: index, status: .failed, error: .set("interrupted by cancel: \(message)"), finished: true)
                engine.eventBus.emit(.stepFinished(sagaID: saga.id, step: index, name: name, status: .failed, error: message))
                return try await beginCompensation(from: index, stepUpdates: [failed], reason: "cancelled by operator")
            }
            if error is CancellationError, let stop = try await stopForWorkerShutdown() { return stop }
            let effective: any Error = handle.timedOut ? StepFailure.retryable("step timed out after \(format(step.timeout ?? .zero))") : error
            if step.retryPolicy.shouldRetry(afterAttempts: attempts, error: effective) {
                let retryAfter = (effective as? any RetryClassifiable)?.retryAfter
                let delay = step.retryPolicy.backoff(afterAttempts: attempts, retryAfter: retryAfter, random: Double.random(in: 0..<1))
                let text = describe(effective)
                engine.eventBus.emit(.stepFinished(sagaID: saga.id, step: index, name: name, status: .running, error: text))
                return try await park(
                    index: index, kind: .retry, delay: delay,
                    stepUpdates: [StepUpdate(index: index, status: .running, error: .set(text))],
                    event: NewSagaEvent(
                        "step_retry_scheduled", step: index, detail: "attempt \(attempts) failed: \(text); retrying in \(format(delay))"))
            }
            return try await failForward(index: index, message: describe(effective))
        }
    }

    private func advance(from index: Int, completed: StepUpdate) async throws -> Next {
        let nextIndex = index + 1
        let commit = SagaCommit(
            sagaID: saga.id, fencingToken: handle.fencingToken, status: .running, currentStep: nextIndex,
            context: saga.context, runAt: leaseUntil, stepUpdates: [completed],
            attempt: StepAttempt(index: nextIndex, name: saga.stepNames[nextIndex], phase: .attempt),
            events: [NewSagaEvent("step_completed", step: index), NewSagaEvent("step_started", step: nextIndex)], now: now)
        guard let result = try await apply(commit) else { return .stop(nil) }
        engine.eventBus.emit(.stepFinished(sagaID: saga.id, step: index, name: saga.stepNames[index], status: .completed, error: nil))
        saga.status = .running
        saga.currentStep = nextIndex
        attempts = result.attempts
        polls = result.polls
        if result.cancelRequested { saga.cancelRequested = true }
        return .proceed
    }

    private func finishForward(index: Int, stepUpdates: [StepUpdate]) async throws -> Next {
        var events = [NewSagaEvent("saga_completed")]
        if !stepUpdates.isEmpty { events.insert(NewSagaEvent("step_completed", step: index), at: 0) }
        let commit = SagaCommit(
            sagaID: saga.id, fencingToken: handle.fencingToken, status: .completed, currentStep: index,
            context: saga.context, error: .clear, runAt: now, releaseLease: true, finished: true,
            stepUpdates: stepUpdates, events: events, locks: .release, wakeWorkers: !saga.lockKeys.isEmpty,
            claimNext: nextClaim(), now: now)
        guard let result = try await apply(commit) else { return .stop(nil) }
        if !stepUpdates.isEmpty {
            engine.eventBus.emit(.stepFinished(sagaID: saga.id, step: index, name: saga.stepNames[index], status: .completed, error: nil))
        }
        return finished(.completed, result)
    }

    private func park(index: Int, kind: WaitKind, delay: Duration, stepUpdates: [StepUpdate], event: NewSagaEvent) async throws -> Next {
        let until = now.addingTimeInterval(delay.seconds)
        let status: SagaStatus = saga.status == .compensating ? .compensating : .waiting
        let commit = SagaCommit(
            sagaID: saga.id, fencingToken: handle.fencingToken, status: status, currentStep: index, context: saga.context,
            runAt: until, waitKind: kind, releaseLease: true, stepUpdates: stepUpdates, events: [event],
            claimNext: nextClaim(), now: now)
        guard let result = try await apply(commit) else { return .stop(nil) }
        engine.eventBus.emit(.parked(sagaID: saga.id, step: index, until: until, reason: kind))
        lookedForNext = commit.claimNext != nil
        if lookedForNext, result.nextRunAtKnown {
            // The saga just parked is due too (a store may not have seen its new run_at yet).
            nextDue = .some(min(result.nextRunAt ?? until, until))
        }
        return .stop(result.next)
    }

    private func failForward(index: Int, message: String, ran: Bool = true) async throws -> Next {
        let name = index < saga.stepNames.count ? saga.stepNames[index] : "?"
        let failed = StepUpdate(index: index, status: .failed, error: .set(message), finished: true)
        engine.eventBus.emit(.stepFinished(sagaID: saga.id, step: index, name: name, status: .failed, error: message))
        let reason = "step \(index) (\(name)) failed: \(message)"
        logger.warning("step failed", metadata: ["saga.step": "\(index)", "error": "\(message)"])
        guard saga.holdOnFailure else {
            return try await beginCompensation(from: ran ? index : index - 1, stepUpdates: [failed], reason: reason)
        }
        let commit = SagaCommit(
            sagaID: saga.id, fencingToken: handle.fencingToken, status: .failed, currentStep: index,
            context: saga.context, error: .set(reason + "; held for an operator (`saga resume` or `saga cancel`)"),
            runAt: now, releaseLease: true, finished: true, stepUpdates: [failed],
            events: [NewSagaEvent("step_failed", step: index, detail: message), NewSagaEvent("saga_held", step: index)],
            locks: .release, wakeWorkers: !saga.lockKeys.isEmpty, claimNext: nextClaim(), now: now)
        guard let result = try await apply(commit) else { return .stop(nil) }
        return finished(.failed, result)
    }

    private func beginCompensation(from index: Int, stepUpdates: [StepUpdate], reason: String) async throws -> Next {
        var events: [NewSagaEvent] = []
        for update in stepUpdates where update.status == .failed {
            events.append(NewSagaEvent("step_failed", step: update.index, detail: update.error.text))
        }
        for update in stepUpdates where update.status == .completed {
            events.append(NewSagaEvent("step_completed", step: update.index))
        }
        events.append(NewSagaEvent("compensation_started", step: index, detail: reason))
        let commit = SagaCommit(
            sagaID: saga.id, fencingToken: handle.fencingToken, status: .compensating, currentStep: index,
            context: saga.context, error: .set(reason), runAt: leaseUntil, stepUpdates: stepUpdates, events: events, now: now)
        guard try await apply(commit) != nil else { return .stop(nil) }
        engine.eventBus.emit(.compensationStarted(sagaID: saga.id, step: index, reason: reason))
        saga.status = .compensating
        saga.currentStep = index
        saga.error = reason
        return .proceed
    }

    /// A step interrupted because this worker is stopping is not a step failure: on graceful
    /// shutdown the saga is handed back; if the worker's task was cancelled outright, nothing is
    /// written and the saga is re-claimed when its lease expires. Nil when neither applies.
    private func stopForWorkerShutdown() async throws -> Next? {
        if Task.isCancelled { return .stop(nil) }
        if executor.shutdown.isSet { return try await handBack() }
        return nil
    }

    private func handBack() async throws -> Next {
        let commit = SagaCommit(
            sagaID: saga.id, fencingToken: handle.fencingToken, status: saga.status, currentStep: saga.currentStep,
            runAt: now, waitKind: .handoff, releaseLease: true,
            events: [NewSagaEvent("handed_back", step: saga.currentStep, detail: "worker shutting down")], wakeWorkers: true,
            now: now)
        _ = try await apply(commit)
        return .stop(nil)
    }

    // MARK: Compensation

    private func compensate() async throws -> Next {
        var rows = Dictionary(uniqueKeysWithValues: try await store.steps(sagaID: saga.id).map { ($0.index, $0) })
        while true {
            if handle.lost { return .stop(nil) }
            let pending = rows.values.filter { $0.index <= saga.currentStep && $0.status.needsCompensation }.map(\.index)
            guard let index = pending.max() else { return try await finishCompensation(rows: rows) }
            if executor.shutdown.isSet { return try await handBack() }
            let row = rows[index]!
            guard let step = engine.registry.step(named: row.name) else {
                let message = "step '\(row.name)' is not registered in this worker; it cannot be compensated"
                try await recordCompensation(index: index, status: .compensationFailed, error: message, rows: &rows)
                continue
            }
            if !step.hasCompensation {
                // Steps with nothing to undo are marked compensated together, in one write.
                var batch = [index]
                for lower in pending.sorted(by: >).dropFirst() {
                    guard lower == batch.last! - 1, let other = rows[lower],
                        engine.registry.step(named: other.name)?.hasCompensation == false
                    else { break }
                    batch.append(lower)
                }
                try await recordCompensation(indices: batch, rows: &rows)
                continue
            }
            let begin = SagaCommit(
                sagaID: saga.id, fencingToken: handle.fencingToken, status: .compensating, currentStep: index, runAt: leaseUntil,
                attempt: StepAttempt(index: index, name: row.name, phase: .compensation),
                events: [NewSagaEvent("compensation_step_started", step: index)], now: now)
            guard let started = try await apply(begin) else { return .stop(nil) }
            saga.currentStep = index
            let context = makeContext(index: index, name: row.name, attempt: started.attempts, polls: row.polls)
            let deadline = step.timeout.map { now.addingTimeInterval($0.seconds) }
            let result = await handle.runStep(cancellableByOperator: false, deadline: deadline) {
                try await step.compensate(context)
            }
            if handle.lost { return .stop(nil) }
            switch result {
            case .success:
                try await recordCompensation(index: index, status: .compensated, error: nil, rows: &rows)
            case .failure(let error):
                if error is CancellationError, let stop = try await stopForWorkerShutdown() { return stop }
                let effective: any Error =
                    handle.timedOut ? StepFailure.retryable("compensation timed out after \(format(step.timeout ?? .zero))") : error
                let text = describe(effective)
                if step.retryPolicy.shouldRetry(afterAttempts: started.attempts, error: effective) {
                    let delay = step.retryPolicy.backoff(
                        afterAttempts: started.attempts, retryAfter: (effective as? any RetryClassifiable)?.retryAfter,
                        random: Double.random(in: 0..<1))
                    return try await park(
                        index: index, kind: .retry, delay: delay,
                        stepUpdates: [StepUpdate(index: index, status: .compensating, error: .set(text))],
                        event: NewSagaEvent(
                            "compensation_retry_scheduled", step: index,
                            detail: "compensation attempt \(started.attempts) failed: \(text); retrying in \(format(delay))"))
                }
                try await recordCompensation(index: index, status: .compensationFailed, error: text, rows: &rows)
            }
        }
    }

    private func recordCompensation(index: Int, status: StepStatus, error: String?, rows: inout [Int: StepRecord]) async throws {
        let update = StepUpdate(
            index: index, status: status, error: error.map { .set($0) } ?? .keep, compensated: status == .compensated)
        let event =
            status == .compensated
            ? NewSagaEvent("step_compensated", step: index) : NewSagaEvent("compensation_failed", step: index, detail: error)
        try await applyCompensation(updates: [update], events: [event], nextCursor: index - 1, rows: &rows)
    }

    private func recordCompensation(indices: [Int], rows: inout [Int: StepRecord]) async throws {
        let updates = indices.map { StepUpdate(index: $0, status: .compensated, compensated: true) }
        let events = indices.map { NewSagaEvent("step_compensated", step: $0, detail: "nothing to undo") }
        try await applyCompensation(updates: updates, events: events, nextCursor: indices.min()! - 1, rows: &rows)
    }

    private func applyCompensation(
        updates: [StepUpdate], events: [NewSagaEvent], nextCursor: Int, rows: inout [Int: StepRecord]
    ) async throws {
        let commit = SagaCommit(
            sagaID: saga.id, fencingToken: handle.fencingToken, status: .compensating, currentStep: nextCursor,
            runAt: leaseUntil, stepUpdates: updates, events: events, now: now)
        guard try await apply(commit) != nil else { return }
        for update in updates {
            rows[update.index]?.status = update.status
            engine.eventBus.emit(
                .stepFinished(
                    sagaID: saga.id, step: update.index, name: rows[update.index]?.name ?? "?", status: update.status, error: update.error.text))
        }
        saga.currentStep = nextCursor
    }

    private func finishCompensation(rows: [Int: StepRecord]) async throws -> Next {
        let failedSteps = rows.values.filter { $0.status == .compensationFailed }.sorted { $0.index < $1.index }
        let status: SagaStatus = failedSteps.isEmpty ? .rolledBack : .failed
        var error = SagaCommit.ErrorChange.keep
        if !failedSteps.isEmpty {
            let list = failedSteps.map { "\($0.index) (\($0.name))" }.joined(separator: ", ")
            error = .set(
                "\(saga.error ?? "compensation"); compensation failed for step(s) \(list): an operator must look, then `saga retry`")
        }
        let commit = SagaCommit(
            sagaID: saga.id, fencingToken: handle.fencingToken, status: status, currentStep: max(0, saga.currentStep),
            error: error, runAt: now, releaseLease: true, finished: true,
            events: [NewSagaEvent(status == .failed ? "saga_failed" : "saga_rolled_back")], locks: .release,
            wakeWorkers: !saga.lockKeys.isEmpty, claimNext: nextClaim(), now: now)
        guard let result = try await apply(commit) else { return .stop(nil) }
        return finished(status, result)
    }

    // MARK: Helpers

    private func finished(_ status: SagaStatus, _ result: CommitResult) -> Next {
        finishedEvent = .sagaFinished(sagaID: saga.id, status: status)
        if !saga.lockKeys.isEmpty { engine.wake.signal() }
        logger.debug("saga finished", metadata: ["saga.status": "\(status.rawValue)"])
        lookedForNext = claimNext && !executor.shutdown.isSet
        if lookedForNext, result.nextRunAtKnown { nextDue = .some(result.nextRunAt) }
        return .stop(result.next)
    }

    private func nextClaim() -> ClaimRequest? {
        guard claimNext, !executor.shutdown.isSet else { return nil }
        let now = self.now
        return ClaimRequest(
            workerID: executor.workerID, now: now, leaseUntil: now.addingTimeInterval(engine.configuration.leaseDuration.seconds),
            excluding: saga.id)
    }

    /// Applies a commit; nil (and the handle marked lost) when the fencing token no longer matched.
    private func apply(_ commit: SagaCommit) async throws -> CommitResult? {
        let result = try await store.commit(commit)
        guard result.applied else {
            logger.warning("fencing token no longer current: another worker or an operator owns the saga; stopping")
            handle.markLost()
            return nil
        }
        if !commit.releaseLease, commit.runAt > handle.leaseExpiry { handle.renewed(at: commit.now, until: commit.runAt) }
        if result.next != nil, claimNext { engine.wake.signal() }
        return result
    }

    private func makeContext(index: Int, name: String, attempt: Int, polls: Int) -> StepContext {
        var logger = self.logger
        logger[metadataKey: "saga.step"] = .string("\(index):\(name)")
        return StepContext(
            sagaID: saga.id, template: saga.template, stepIndex: index, stepName: name, attempt: max(1, attempt), polls: polls,
            inputs: saga.inputs, context: saga.context, logger: logger, now: now)
    }

    private func describe(_ error: any Error) -> String {
        if error is CancellationError { return "cancelled" }
        return String(describing: error)
    }

    private func format(_ duration: Duration) -> String {
        let seconds = duration.seconds
        return seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : String(format: "%.1f s", seconds)
    }
}

extension SagaCommit.ErrorChange {
    /// The error text this change sets, if any.
    var text: String? {
        if case .set(let text) = self { return text }
        return nil
    }
}
