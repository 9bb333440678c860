import Foundation
import Logging

/// Executes one claimed saga until it is terminal, parked, handed back or lost: a thin loop of
/// I/O around ``SagaStateMachine``, with the saga's heartbeat and lease watchdog beside it.
struct SagaExecutor: Sendable {
    let engine: SagaEngine
    let workerID: String
    let logger: Logger
    let shutdown: ShutdownFlag
    /// Whether final and parking commits claim the next saga for this slot.
    let claimNext: Bool

    /// How a run ended, for the slot.
    struct Outcome: Sendable {
        var stop: SagaStateMachine.Stop
        /// The saga that ended (emitted by the slot after it is idle again, so a saga started in
        /// reaction to it can be handed straight to that slot).
        var finished: EngineEvent?
        var template: String
        /// The dispatcher's generations when the last commit with a claim was sent.
        var lookedAt: Dispatcher.Generations?
    }

    func run(_ claimed: ClaimedSaga, dispatcher: Dispatcher?) async -> Outcome {
        let saga = claimed.saga
        let handle = SagaHandle(
            sagaID: saga.id, fencingToken: saga.fencingToken, cancelRequested: saga.cancelRequested, leaseExpiry: saga.runAt,
            now: engine.clock.now)
        engine.running.insert(handle)
        defer { engine.running.remove(handle) }
        var sagaLogger = self.logger
        sagaLogger[metadataKey: "saga.id"] = .string(saga.id.uuidString.lowercased())
        sagaLogger[metadataKey: "saga.template"] = .string(saga.template)
        let logger = sagaLogger
        if let previous = claimed.reclaimedFrom {
            engine.metrics.leaseReclaimed()
            logger.info("re-claimed after its lease ran out", metadata: ["saga.previous_owner": "\(previous)"])
        }
        engine.eventBus.emit(.claimed(sagaID: saga.id, status: saga.status, step: saga.currentStep))
        logger.debug("claimed saga", metadata: ["saga.status": "\(saga.status.rawValue)", "saga.step": "\(saga.currentStep)"])
        return await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.guardLease(handle, logger: logger) }
            let outcome = await drive(claimed, handle: handle, dispatcher: dispatcher, logger: logger)
            handle.finish()
            group.cancelAll()
            return outcome
        }
    }

    private func drive(_ claimed: ClaimedSaga, handle: SagaHandle, dispatcher: Dispatcher?, logger: Logger) async -> Outcome {
        let configuration = SagaStateMachine.Configuration(
            workerID: workerID, leaseDuration: engine.configuration.leaseDuration, claimNext: claimNext)
        var machine = SagaStateMachine(claimed, registry: engine.registry, configuration: configuration)
        var outcome = Outcome(stop: .lost, template: claimed.saga.template)
        var action = machine.start(signals(handle, dispatcher))
        while true {
            for event in machine.takeEvents() {
                if case .sagaFinished = event { outcome.finished = event } else { engine.eventBus.emit(event) }
            }
            if handle.lost, !action.isStop {
                logger.warning("lease lost: another worker or an operator owns the saga; stopping without writing")
                outcome.stop = .lost
                return outcome
            }
            switch action {
            case .stop(let stop):
                if case .finished(let status, _) = stop {
                    engine.metrics.sagaFinished(template: claimed.saga.template, status: status)
                    logger.debug("saga finished", metadata: ["saga.status": "\(status.rawValue)"])
                }
                outcome.stop = stop
                return outcome
            case .run(let run):
                guard await holdsLease(handle, logger: logger) else {
                    outcome.stop = handle.lost ? .lost : .abandoned
                    return outcome
                }
                let result = await execute(run, machine.saga, handle: handle, logger: logger)
                if handle.lost { continue }
                action = machine.stepReturned(result, signals(handle, dispatcher))
            case .commit(let commit):
                if commit.claimNext != nil { outcome.lookedAt = dispatcher?.generations }
                let result: CommitResult
                do {
                    result = try await engine.store.commit(commit)
                } catch {
                    // The outcome of the failed write is unknown: leave the saga to its lease, after
                    // which it is re-claimed and re-enters its current step (steps are idempotent).
                    if error is CancellationError || Task.isCancelled {
                        logger.debug("worker cancelled during a store write; the saga will be re-claimed when its lease expires")
                    } else {
                        logger.error(
                            "saga store write failed; the saga will be re-claimed when its lease expires",
                            metadata: ["error": "\(String(reflecting: error))"])
                    }
                    outcome.stop = .abandoned
                    return outcome
                }
                if result.applied {
                    // A released lease needs no guard any more (a clock that jumps after this must not
                    // look like a lease running out).
                    if commit.releaseLease { handle.finish() }
                    if !commit.releaseLease, commit.runAt > handle.leaseExpiry { handle.renewed(at: commit.now, until: commit.runAt) }
                    if commit.wakeWorkers { engine.signalWork() }
                    if let claim = result.claim {
                        engine.metrics.claim(source: "commit", claimed: claim.claimed.count)
                    }
                } else {
                    logger.warning("fencing token no longer current: another worker or an operator owns the saga; stopping")
                    handle.markLost()
                }
                action = machine.committed(result, signals(handle, dispatcher))
            case .loadLedger:
                do {
                    action = machine.ledgerLoaded(try await engine.store.steps(sagaID: claimed.saga.id), signals(handle, dispatcher))
                } catch {
                    logger.error(
                        "reading the step ledger failed; the saga will be re-claimed when its lease expires", metadata: ["error": "\(error)"])
                    outcome.stop = .abandoned
                    return outcome
                }
            }
        }
    }

    private func signals(_ handle: SagaHandle, _ dispatcher: Dispatcher?) -> SagaStateMachine.Signals {
        let now = engine.clock.now
        let work = dispatcher?.storeMayHaveWork(now: now) ?? (any: true, periodic: true)
        return SagaStateMachine.Signals(
            now: now, leaseExpiry: handle.leaseExpiry, shuttingDown: shutdown.isSet, cancelRequested: handle.cancelRequested,
            random: Double.random(in: 0..<1), storeMayHaveWork: work.any, lookForExpiredLeases: work.periodic)
    }

    /// Runs one step execution or compensation and says how it ended.
    private func execute(_ run: SagaStateMachine.StepRun, _ saga: SagaRecord, handle: SagaHandle, logger: Logger) async
        -> SagaStateMachine.StepResult
    {
        guard let step = engine.registry.step(named: run.name) else {
            return .failed(message: "step '\(run.name)' is not registered in this worker", retryable: false, retryAfter: nil)
        }
        var stepLogger = logger
        stepLogger[metadataKey: "saga.step"] = .string("\(run.index):\(run.name)")
        let context = StepContext(
            sagaID: saga.id, template: saga.template, stepIndex: run.index, stepName: run.name, attempt: run.attempt, polls: run.polls,
            inputs: saga.inputs, context: saga.context, logger: stepLogger, now: engine.clock.now)
        let started = ContinuousClock.now
        let result = await handle.runStep(cancellableByOperator: run.cancellableByOperator, deadline: run.deadline, clock: engine.clock) {
            () async throws -> StepOutcome? in
            switch run.phase {
            case .execute: return try await step.execute(context)
            case .compensate:
                try await step.compensate(context)
                return nil
            }
        }
        engine.metrics.stepDuration(step: run.name, phase: run.phase.rawValue, ContinuousClock.now - started)
        switch result {
        case .success(.some(.done(let outputs))): return .done(outputs)
        case .success(.some(.pollAgain(let delay, let outputs, let waitingFor))):
            return .pollAgain(after: delay, outputs: outputs, waitingFor: waitingFor)
        case .success(.none): return .compensated
        case .failure(let error):
            if handle.timedOut { return .timedOut }
            if Task.isCancelled { return .interrupted }
            if error is CancellationError {
                // Interrupted, but not by this worker's task: by an operator's cancel (the machine
                // sees the cancel flag) or a lost lease (the executor stops).
                return .failed(message: "cancelled", retryable: false, retryAfter: nil)
            }
            let classified = error as? any RetryClassifiable
            return .failed(message: String(describing: error), retryable: classified?.isRetryable ?? false, retryAfter: classified?.retryAfter)
        }
    }

    /// The saga's guard, one task per held saga with one timer at a time: renews the lease on a
    /// fixed cadence (and always before the safety margin), retrying failed renewals sooner; stops
    /// the saga before its lease runs out unrenewed (renewals failing, or the worker stalled), so a
    /// step never runs on after another worker may have re-claimed the saga; times a step out when
    /// its deadline comes; delivers cancels the store reports and notices a lease taken over.
    private func guardLease(_ handle: SagaHandle, logger: Logger) async {
        let interval = engine.configuration.heartbeatInterval.seconds
        let lease = engine.configuration.leaseDuration.seconds
        let margin = leaseSafetyMargin
        var tick = engine.clock.now.addingTimeInterval(interval)
        var retryAt: Date?
        // Whether a renewal was tried and failed since the last one that held.
        var renewalFailed = false
        while !Task.isCancelled, !handle.lost, !handle.done {
            var renewAt = Date.distantFuture
            var watchdogAt = Date.distantFuture
            let wake = handle.planGuardWake { expiry, deadline in
                watchdogAt = expiry.addingTimeInterval(-margin)
                renewAt = retryAt ?? min(tick, expiry.addingTimeInterval(-2 * margin))
                return min(renewAt, watchdogAt, deadline ?? .distantFuture)
            }
            do { try await engine.clock.sleep(until: wake) } catch { return }
            if handle.done { return }
            let now = engine.clock.now
            handle.checkDeadline(now: now)
            if now >= watchdogAt, handle.leaseExpiry.addingTimeInterval(-margin) <= now {
                // A saga can arrive with less lease left than this worker's margin (delivered by a
                // starter whose lease is shorter): that is not a failure to renew. Renew first; stop
                // only when renewing failed, or the lease has run out already (the worker stalled).
                if renewalFailed || now >= handle.leaseExpiry {
                    logger.error("the lease could not be renewed and is about to run out; stopping the step without writing")
                    handle.markLost()
                    return
                }
            }
            guard now >= renewAt else { continue }
            if now >= tick { tick = max(tick.addingTimeInterval(interval), now) }
            // A commit may have extended the lease since: renew only when it is due anyway.
            let nearExpiry = now >= handle.leaseExpiry.addingTimeInterval(-2 * margin)
            guard retryAt != nil || nearExpiry || now.timeIntervalSince(handle.lastRenewal) >= interval * 0.9 else { continue }
            retryAt = nil
            do {
                switch try await engine.store.heartbeat(
                    sagaID: handle.sagaID, fencingToken: handle.fencingToken, leaseUntil: now.addingTimeInterval(lease), now: now)
                {
                case .held(let cancelRequested):
                    renewalFailed = false
                    handle.renewed(at: now, until: now.addingTimeInterval(lease))
                    if cancelRequested { handle.deliverCancel() }
                case .lost:
                    if Task.isCancelled { return }
                    logger.warning("lease lost: another worker or an operator took the saga over")
                    handle.markLost()
                    return
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("heartbeat failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                renewalFailed = true
                retryAt = engine.clock.now.addingTimeInterval(max(0.05, interval / 4))
            }
        }
    }

    /// Before a step starts: renews a lease that is nearly out (a saga delivered late, or a long
    /// stall since the last renewal), so a step never starts on a lease another worker may claim.
    /// False when the lease is gone or cannot be confirmed.
    private func holdsLease(_ handle: SagaHandle, logger: Logger) async -> Bool {
        let now = engine.clock.now
        guard handle.leaseExpiry.timeIntervalSince(now) < 2 * leaseSafetyMargin else { return !handle.lost }
        let lease = engine.configuration.leaseDuration.seconds
        do {
            switch try await engine.store.heartbeat(
                sagaID: handle.sagaID, fencingToken: handle.fencingToken, leaseUntil: now.addingTimeInterval(lease), now: now)
            {
            case .held(let cancelRequested):
                handle.renewed(at: now, until: now.addingTimeInterval(lease))
                if cancelRequested { handle.deliverCancel() }
                return !handle.lost
            case .lost:
                logger.warning("the lease ran out before the step could start; another worker may own the saga")
                handle.markLost()
                return false
            }
        } catch {
            logger.warning("could not renew a nearly expired lease before a step; leaving the saga to its lease", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// How long before the lease runs out a worker that could not renew it stops the step.
    private var leaseSafetyMargin: Double {
        min(engine.configuration.heartbeatInterval.seconds / 2, engine.configuration.leaseDuration.seconds / 10)
    }

}

extension SagaStateMachine.Action {
    var isStop: Bool {
        if case .stop = self { return true }
        return false
    }
}
