import Foundation
import Logging

/// The saga engine: starts sagas, carries out operator actions, and makes workers.
///
/// ```swift
/// let engine = SagaEngine(store: store, registry: .builtIn, logger: logger)
/// let started = try await engine.start("test-echo", inputs: ["steps": 3])
/// let worker = engine.makeWorker(configuration: .init(concurrency: 8))
/// try await worker.run()   // or add it to a ServiceGroup
/// ```
public final class SagaEngine: Sendable {
    /// Engine-wide settings.
    public struct Configuration: Sendable {
        /// How long a claim lasts without renewal; a dead worker's saga is re-claimed after this.
        public var leaseDuration: Duration
        /// How often a running step's lease is renewed (and cancel and kill are checked).
        public var heartbeatInterval: Duration
        /// How often an idle worker looks for work when nothing wakes it.
        public var pollInterval: Duration

        /// - Parameters:
        ///   - leaseDuration: default 30 s.
        ///   - heartbeatInterval: default a third of the lease.
        ///   - pollInterval: default 1 s.
        public init(leaseDuration: Duration = .seconds(30), heartbeatInterval: Duration? = nil, pollInterval: Duration = .seconds(1)) {
            self.leaseDuration = leaseDuration
            self.heartbeatInterval = heartbeatInterval ?? .seconds(leaseDuration.seconds / 3)
            self.pollInterval = pollInterval
        }
    }

    /// Optional attributes of a new saga.
    public struct StartOptions: Sendable {
        public var idempotencyKey: String?
        public var lockKeys: [String]
        public var deploymentID: String?
        public var tenantID: String?
        public var triggeredBy: String?
        /// When the saga may first run (default: now).
        public var runAt: Date?
        /// Wake idle workers in other processes (PostgreSQL NOTIFY).
        public var notifyWorkers: Bool

        public init(
            idempotencyKey: String? = nil, lockKeys: [String] = [], deploymentID: String? = nil, tenantID: String? = nil,
            triggeredBy: String? = nil, runAt: Date? = nil, notifyWorkers: Bool = true
        ) {
            self.idempotencyKey = idempotencyKey
            self.lockKeys = lockKeys
            self.deploymentID = deploymentID
            self.tenantID = tenantID
            self.triggeredBy = triggeredBy
            self.runAt = runAt
            self.notifyWorkers = notifyWorkers
        }
    }

    public let store: any SagaStore
    public let registry: SagaRegistry
    public let clock: any SagaClock
    public let configuration: Configuration
    public let logger: Logger
    let wake = WakeSignal()
    let running = RunningSagas()
    let eventBus = EngineEventBus()
    let handoff = LocalHandoff()

    public init(
        store: any SagaStore, registry: SagaRegistry, clock: any SagaClock = SystemClock(),
        configuration: Configuration = .init(), logger: Logger
    ) {
        self.store = store
        self.registry = registry
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
    }

    /// Sagas held by this process's workers right now.
    public var runningSagaCount: Int { running.count }

    /// Progress events from this process's workers, optionally only those matching `filter`.
    public func events(_ filter: @escaping @Sendable (EngineEvent) -> Bool = { _ in true }) -> AsyncStream<EngineEvent> {
        eventBus.subscribe(filter)
    }

    /// Makes a worker that runs sagas from this engine's store.
    public func makeWorker(configuration: SagaWorker.Configuration = .init()) -> SagaWorker {
        SagaWorker(engine: self, configuration: configuration)
    }

    // MARK: Starting

    /// Validates and enqueues a saga.
    ///
    /// Unknown templates, unknown steps and missing or ill-typed inputs are rejected before
    /// anything is written, with every problem named. With an idempotency key that exists, returns
    /// the existing saga (`created == false`); reusing a key for another template or other inputs
    /// is an ``EngineError/Code/idempotencyConflict``.
    public func start(
        _ template: String, inputs: [String: JSONValue] = [:], options: StartOptions = .init()
    ) async throws -> (saga: SagaRecord, created: Bool) {
        let prepared = try registry.prepare(template: template, inputs: inputs)
        let now = clock.now
        var new = NewSaga(
            kind: prepared.template.kind, template: template, stepNames: prepared.stepNames, inputs: prepared.inputs,
            deploymentID: options.deploymentID, tenantID: options.tenantID, triggeredBy: options.triggeredBy,
            idempotencyKey: options.idempotencyKey, lockKeys: prepared.lockKeys + options.lockKeys,
            holdOnFailure: prepared.template.failurePolicy == .holdForOperator, runAt: options.runAt ?? now, now: now)
        // An idle worker slot in this process takes the saga directly: start and claim in one commit.
        // Sagas with lock keys or a later start go through the ordinary claim.
        if new.lockKeys.isEmpty, new.runAt <= now, let owner = handoff.ownerForNewSaga {
            new.claimedBy = owner
            new.leaseUntil = now.addingTimeInterval(configuration.leaseDuration.seconds)
        }
        let result = try await store.createSaga(new)
        if result.created {
            if new.claimedBy != nil, result.saga.leaseOwner == new.claimedBy {
                handoff.push(ClaimedSaga(saga: result.saga, attempts: 1, polls: 0))
                wake.signal(storeWork: false)
            } else {
                wake.signal()
                if options.notifyWorkers { try await store.notifyWorkers() }
            }
        } else if result.saga.template != template || result.saga.inputs != prepared.inputs {
            throw EngineError(
                .idempotencyConflict,
                "idempotency key '\(options.idempotencyKey ?? "")' already belongs to saga \(result.saga.id) "
                    + "(template '\(result.saga.template)') with different template or inputs")
        }
        return result
    }

    // MARK: Reading

    /// A saga with its steps and events.
    public func detail(_ id: UUID) async throws -> SagaDetail {
        guard let saga = try await store.saga(id: id) else {
            throw EngineError(.notFound, "no saga with id \(id.uuidString.lowercased())")
        }
        async let steps = store.steps(sagaID: id)
        async let events = store.events(sagaID: id)
        return SagaDetail(saga: saga, steps: try await steps, events: try await events)
    }

    /// Sagas matching a filter, newest first.
    public func list(_ filter: SagaFilter = .init()) async throws -> [SagaRecord] {
        try await store.list(filter)
    }

    /// Waits until the saga is terminal, or the timeout passes.
    public func waitUntilTerminal(_ id: UUID, timeout: Duration = .seconds(60)) async throws -> SagaRecord {
        try await waitUntil(id, timeout: timeout) { $0.status.isTerminal }
    }

    /// Waits until `condition` holds for the saga (checked on local events and by polling the store).
    public func waitUntil(
        _ id: UUID, timeout: Duration, _ condition: @Sendable (SagaRecord) -> Bool
    ) async throws -> SagaRecord {
        let events = eventBus.subscribe { $0.sagaID == id }
        let signal = WakeSignal()
        let relay = Task {
            for await event in events where event.sagaID == id { signal.signal() }
        }
        defer { relay.cancel() }
        let deadline = Date().addingTimeInterval(timeout.seconds)
        var interval = 0.005
        while true {
            guard let saga = try await store.saga(id: id) else {
                throw EngineError(.notFound, "no saga with id \(id.uuidString.lowercased())")
            }
            if condition(saga) { return saga }
            if Date() >= deadline {
                throw EngineError(.timeout, "saga \(id.uuidString.lowercased()) is still \(saga.status.rawValue) after \(timeout)")
            }
            await signal.wait(until: min(deadline, Date().addingTimeInterval(interval)), clock: SystemClock())
            interval = min(interval * 2, 0.25)
        }
    }

    // MARK: Operator actions

    /// Cancels a saga: it compensates what it did. A running step is interrupted through task
    /// cancellation; a waiting saga is woken at once; a saga no worker has touched yet is rolled
    /// back directly. A saga held for an operator after a failed step starts compensating.
    @discardableResult
    public func cancel(_ id: UUID) async throws -> SagaRecord {
        for _ in 0..<5 {
            let detail = try await self.detail(id)
            let saga = detail.saga
            let now = clock.now
            switch saga.status {
            case .completed, .rolledBack, .killed:
                throw EngineError(.invalidTransition, "saga \(short(id)) is already \(saga.status.rawValue); nothing to cancel")
            case .failed:
                guard Self.isHeld(detail) else {
                    throw EngineError(
                        .invalidTransition,
                        "saga \(short(id)) failed while compensating; use `saga retry` to retry its compensation")
                }
                let commit = SagaCommit(
                    sagaID: id, fencingToken: saga.fencingToken, bumpFencingToken: true, status: .compensating,
                    currentStep: saga.currentStep, runAt: now, releaseLease: true, cancelRequested: true,
                    events: [
                        NewSagaEvent("cancel_requested"),
                        NewSagaEvent("compensation_started", step: saga.currentStep, detail: "cancelled by operator"),
                    ],
                    locks: .reacquire(saga.lockKeys), wakeWorkers: true, now: now)
                if try await store.commit(commit).applied { return try await wakeAfterOperator(id) }
            case .pending where saga.fencingToken == 0:
                let commit = SagaCommit(
                    sagaID: id, fencingToken: 0, bumpFencingToken: true, status: .rolledBack, currentStep: saga.currentStep,
                    error: .set("cancelled before it started"), runAt: now, releaseLease: true, finished: true,
                    cancelRequested: true,
                    events: [NewSagaEvent("cancel_requested"), NewSagaEvent("saga_rolled_back", detail: "cancelled before it started")],
                    locks: .release, now: now)
                if try await store.commit(commit).applied {
                    eventBus.emit(.sagaFinished(sagaID: id, status: .rolledBack))
                    return try await store.saga(id: id) ?? saga
                }
            case .pending, .running, .waiting, .compensating:
                guard let updated = try await store.requestCancel(sagaID: id, now: now) else { continue }
                running.deliverCancel(id)
                wake.signal()
                try await store.notifyCancel(id)
                return updated
            }
        }
        throw EngineError(.invalidTransition, "saga \(short(id)) kept changing state; try again")
    }

    /// Kills a saga: it stops where it is, without compensation. A worker still holding it can no
    /// longer write anything (its fencing token is invalidated) and its running step is interrupted.
    @discardableResult
    public func kill(_ id: UUID, reason: String = "killed by operator") async throws -> SagaRecord {
        for _ in 0..<5 {
            let saga = try await self.detail(id).saga
            guard ![.completed, .rolledBack, .killed].contains(saga.status) else {
                throw EngineError(.invalidTransition, "saga \(short(id)) is already \(saga.status.rawValue); nothing to kill")
            }
            let now = clock.now
            let commit = SagaCommit(
                sagaID: id, fencingToken: saga.fencingToken, bumpFencingToken: true, status: .killed,
                currentStep: saga.currentStep, error: .set(reason), runAt: now, releaseLease: true, finished: true,
                events: [NewSagaEvent("saga_killed", step: saga.currentStep, detail: reason)], locks: .release, now: now)
            if try await store.commit(commit).applied {
                running.markLost(id)
                try await store.notifyCancel(id)
                eventBus.emit(.sagaFinished(sagaID: id, status: .killed))
                return try await store.saga(id: id) ?? saga
            }
        }
        throw EngineError(.invalidTransition, "saga \(short(id)) kept changing state; try again")
    }

    /// Retries the compensation of a `failed` saga: steps whose compensation failed are tried
    /// again, then compensation carries on down to step 0.
    @discardableResult
    public func retry(_ id: UUID) async throws -> SagaRecord {
        let detail = try await self.detail(id)
        let saga = detail.saga
        guard saga.status == .failed else {
            throw EngineError(.invalidTransition, "saga \(short(id)) is \(saga.status.rawValue); only failed sagas can be retried")
        }
        guard let from = detail.steps.filter({ $0.status == .compensationFailed }).map(\.index).max() else {
            throw EngineError(
                .invalidTransition,
                "saga \(short(id)) is held after step \(saga.currentStep) failed; use `saga resume` to run that step again or `saga cancel` to compensate"
            )
        }
        let now = clock.now
        let commit = SagaCommit(
            sagaID: id, fencingToken: saga.fencingToken, bumpFencingToken: true, status: .compensating, currentStep: from,
            runAt: now, releaseLease: true, events: [NewSagaEvent("compensation_retried", step: from)],
            locks: .reacquire(saga.lockKeys), wakeWorkers: true, now: now)
        guard try await store.commit(commit).applied else {
            throw EngineError(.invalidTransition, "saga \(short(id)) changed while retrying; try again")
        }
        return try await wakeAfterOperator(id)
    }

    /// Resumes a saga held for an operator after a failed step: the failed step runs again (with a
    /// fresh retry budget) and the saga carries on. Only templates that hold failed sagas allow it.
    @discardableResult
    public func resume(_ id: UUID) async throws -> SagaRecord {
        let detail = try await self.detail(id)
        let saga = detail.saga
        guard saga.status == .failed, saga.holdOnFailure, Self.isHeld(detail) else {
            let why =
                saga.status != .failed
                ? "it is \(saga.status.rawValue)"
                : saga.holdOnFailure
                    ? "it failed while compensating (use `saga retry`)" : "its template '\(saga.template)' compensates on failure instead of holding"
            throw EngineError(.invalidTransition, "saga \(short(id)) cannot be resumed: \(why)")
        }
        let now = clock.now
        let commit = SagaCommit(
            sagaID: id, fencingToken: saga.fencingToken, bumpFencingToken: true, status: .pending, currentStep: saga.currentStep,
            error: .clear, runAt: now, releaseLease: true, cancelRequested: false,
            stepUpdates: [StepUpdate(index: saga.currentStep, status: .running, error: .clear, resetAttempts: true)],
            events: [NewSagaEvent("saga_resumed", step: saga.currentStep)], locks: .reacquire(saga.lockKeys),
            wakeWorkers: true, now: now)
        guard try await store.commit(commit).applied else {
            throw EngineError(.invalidTransition, "saga \(short(id)) changed while resuming; try again")
        }
        return try await wakeAfterOperator(id)
    }

    /// A failed saga is "held" when it stopped at a failed forward step without compensating.
    static func isHeld(_ detail: SagaDetail) -> Bool {
        detail.saga.status == .failed
            && !detail.steps.contains { [.compensating, .compensated, .compensationFailed].contains($0.status) }
    }

    private func wakeAfterOperator(_ id: UUID) async throws -> SagaRecord {
        wake.signal()
        guard let saga = try await store.saga(id: id) else { throw EngineError(.notFound, "saga \(short(id)) vanished") }
        return saga
    }

    private func short(_ id: UUID) -> String { id.uuidString.lowercased() }
}
