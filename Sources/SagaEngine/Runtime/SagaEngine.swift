import Foundation
import Logging
import Metrics
import Synchronization

/// The saga engine: starts sagas, carries out operator actions, and makes workers.
///
/// ```swift
/// try await StoreFactory.withEngine(url, registry: registry, logger: logger) { engine in
///     let started = try await engine.start("test-echo", inputs: ["steps": 3])
///     let worker = engine.makeWorker(configuration: .init(concurrency: 8))
///     try await worker.run()   // or add it to a ServiceGroup
/// }
/// ```
public final class SagaEngine: Sendable {
    /// Engine-wide settings.
    public struct Configuration: Sendable {
        /// How long a claim lasts without renewal; a dead worker's saga is re-claimed after this.
        public var leaseDuration: Duration
        /// How often a running step's lease is renewed (and cancel and kill are checked).
        public var heartbeatInterval: Duration
        /// How often an idle worker looks for work when nothing wakes it (the fallback that also
        /// finds the sagas of workers that died).
        public var pollInterval: Duration
        /// The lease of a saga delivered to a worker in another process, until that worker takes
        /// it: if it never does, any worker claims the saga after this. A third of the lease, at
        /// least ten seconds (or the whole lease when that is shorter).
        public var deliveryLease: Duration { .seconds(max(leaseDuration.seconds / 3, min(leaseDuration.seconds, 10))) }

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
        /// Idempotency keys that start with this are Arcadia's own (a tenant's lifecycle sagas);
        /// keys from users (the API, the dashboard, the CLI) may not, so nobody can claim one first.
        public static let reservedKeyPrefix = "arcadia:"

        public var idempotencyKey: String?
        public var lockKeys: [String]
        public var deploymentID: String?
        public var tenantID: String?
        public var triggeredBy: String?
        /// When the saga may first run (default: now).
        public var runAt: Date?
        /// Wake (or deliver the saga to) a worker in another process (PostgreSQL NOTIFY) when no
        /// worker slot in this process is idle.
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

    package let store: any SagaStore
    public let registry: SagaRegistry
    public let clock: any SagaClock
    public let configuration: Configuration
    public let logger: Logger
    package let metrics: EngineMetrics
    let running = RunningSagas()
    let eventBus = EngineEventBus()
    private let dispatchers = Mutex<[Dispatcher]>([])

    /// - Parameters:
    ///   - metricsFactory: where the engine's metrics go (see ``EngineMetrics``); default the
    ///     process's bootstrapped `MetricsSystem`.
    package init(
        store: any SagaStore, registry: SagaRegistry, clock: any SagaClock = SystemClock(),
        configuration: Configuration = .init(), logger: Logger, metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.store = store
        self.registry = registry
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
        self.metrics = EngineMetrics(factory: metricsFactory ?? MetricsSystem.factory)
    }

    /// Sagas held by this process's workers right now.
    public var runningSagaCount: Int { running.count }

    /// Waits until no worker of this process holds the saga (for example after a kill), or the
    /// timeout passes.
    public func waitUntilReleased(_ id: UUID, timeout: Duration = .seconds(60)) async throws {
        try await withTimeout(timeout, "saga \(short(id)) being let go by this process's workers") {
            await self.running.waitUntilReleased(id)
        }
    }

    /// Progress events from this process's workers, optionally only those matching `filter`.
    public func events(_ filter: @escaping @Sendable (EngineEvent) -> Bool = { _ in true }) -> AsyncStream<EngineEvent> {
        eventBus.subscribe(filter)
    }

    /// Makes a worker that runs sagas from this engine's store.
    public func makeWorker(configuration: SagaWorker.Configuration = .init()) -> SagaWorker {
        SagaWorker(engine: self, configuration: configuration)
    }

    // MARK: Workers in this process

    func attach(_ dispatcher: Dispatcher) { dispatchers.withLock { $0.append(dispatcher) } }

    func detach(_ dispatcher: Dispatcher) { dispatchers.withLock { $0.removeAll { $0 === dispatcher } } }

    /// Tells this process's workers that work may be in the store.
    package func signalWork() {
        for dispatcher in dispatchers.withLock({ $0 }) { dispatcher.signalWork() }
    }

    private func noteDue(_ date: Date) {
        for dispatcher in dispatchers.withLock({ $0 }) { dispatcher.noteDue(date) }
    }

    private var localWorkerIDs: [String] { dispatchers.withLock { $0.map(\.workerID) } }

    private func reserveLocalSlot() -> SlotReservation? {
        for dispatcher in dispatchers.withLock({ $0 }) {
            if let reservation = dispatcher.reserveSlot() { return reservation }
        }
        return nil
    }

    // MARK: Starting

    /// Validates and enqueues a saga.
    ///
    /// Unknown templates, unknown steps and missing or ill-typed inputs are rejected before
    /// anything is written, with every problem named. With an idempotency key that exists, returns
    /// the existing saga (`created == false`); reusing a key for another template or other inputs
    /// is an ``EngineError/Code/idempotencyConflict``.
    ///
    /// A saga that may run now goes straight to a worker: to an idle slot of a worker in this
    /// process (inserted already claimed: one commit for start and claim), else to a live worker
    /// with a free slot in another process (PostgreSQL: inserted claimed for it and delivered by
    /// a notification addressed to it alone), else it waits for the next worker that frees a slot.
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
        // Sagas with lock keys may have to wait behind another saga, and later starts wait for
        // their time: both go through the ordinary claim.
        var reservation: SlotReservation?
        if new.lockKeys.isEmpty, new.runAt <= now {
            if let local = reserveLocalSlot() {
                reservation = local
                new.assignment = .worker(local.workerID, leaseUntil: now.addingTimeInterval(configuration.leaseDuration.seconds))
            } else if options.notifyWorkers, store.deliversAcrossProcesses {
                // A shorter first lease: if the worker never takes the delivery (it died), any
                // worker claims the saga when this runs out. A worker that does take it extends
                // the lease with its first commit or heartbeat.
                new.assignment = .idleWorker(
                    excluding: localWorkerIDs, leaseUntil: now.addingTimeInterval(configuration.deliveryLease.seconds))
            }
        }
        let result: CreateResult
        do {
            result = try await store.createSaga(new)
        } catch {
            // If the insert committed all the same, the saga is claimable when its lease runs out.
            reservation?.release()
            throw error
        }
        guard result.created else {
            reservation?.release()
            if result.saga.template != template || result.saga.inputs != prepared.inputs {
                throw EngineError(
                    .idempotencyConflict,
                    "idempotency key '\(options.idempotencyKey ?? "")' already belongs to saga \(result.saga.id) "
                        + "(template '\(result.saga.template)') with different template or inputs")
            }
            return (result.saga, false)
        }
        metrics.sagaStarted(template: template)
        if let reservation, let claimed = result.claimed, result.assignedTo == reservation.workerID {
            reservation.fill(claimed)
            return (result.saga, true)
        }
        reservation?.release()
        do {
            if let worker = result.assignedTo, let claimed = result.claimed {
                if !result.delivered { try await store.notify([.deliver(Delivery(workerID: worker, claimed))]) }
            } else if !result.saga.lockBlocked {
                if result.saga.runAt <= now { signalWork() } else { noteDue(result.saga.runAt) }
                if options.notifyWorkers {
                    try await store.notify([result.saga.runAt <= now ? .workAvailable : .due(result.saga.runAt)])
                }
            }
        } catch {
            // The saga is stored: a worker finds it at its next poll (or the assigned worker's lease runs out).
            logger.warning("could not notify workers of a new saga", metadata: ["saga.id": "\(short(result.saga.id))", "error": "\(error)"])
        }
        return (result.saga, true)
    }

    // MARK: Reading

    /// A saga with its steps, events and, while it waits behind a lock key, the sagas holding it.
    public func detail(_ id: UUID) async throws -> SagaDetail {
        guard let saga = try await store.saga(id: id) else {
            throw EngineError(.notFound, "no saga with id \(id.uuidString.lowercased())")
        }
        async let steps = store.steps(sagaID: id)
        async let events = store.events(sagaID: id)
        let blockers = saga.lockKeys.isEmpty || saga.status.isTerminal ? [] : try await store.lockBlockers(sagaID: id)
        return SagaDetail(saga: saga, steps: try await steps, events: try await events, blockedBy: blockers)
    }

    /// Sagas matching a filter, newest first.
    public func list(_ filter: SagaFilter = .init()) async throws -> [SagaRecord] {
        try await store.list(filter)
    }

    /// Waits until the saga is terminal, or the timeout passes.
    public func waitUntilTerminal(_ id: UUID, timeout: Duration = .seconds(60)) async throws -> SagaRecord {
        try await waitUntil(id, timeout: timeout) { $0.status.isTerminal }
    }

    /// Waits until `condition` holds for the saga: checked at once, on every event of this
    /// process's workers about it, and otherwise at a growing interval (work in other processes).
    public func waitUntil(
        _ id: UUID, timeout: Duration, _ condition: @Sendable (SagaRecord) -> Bool
    ) async throws -> SagaRecord {
        let events = eventBus.subscribe { $0.sagaID == id }
        let bell = Doorbell()
        let relay = Task {
            for await _ in events { bell.ring() }
        }
        defer { relay.cancel() }
        let deadline = ContinuousClock.now + timeout
        var interval = Duration.milliseconds(5)
        while true {
            guard let saga = try await store.saga(id: id) else {
                throw EngineError(.notFound, "no saga with id \(id.uuidString.lowercased())")
            }
            if condition(saga) { return saga }
            let left = deadline - ContinuousClock.now
            if left <= .zero {
                throw EngineError(.timeout, "saga \(id.uuidString.lowercased()) is still \(saga.status.rawValue) after \(timeout)")
            }
            await bell.wait(until: nil, clock: clock, orAfter: min(interval, left))
            interval = min(interval * 2, .milliseconds(250))
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
                if try await store.commit(.cancelHeld(saga, now: now)).applied { return try await wakeAfterOperator(id) }
            case .pending where saga.fencingToken == 0:
                if try await store.commit(.cancelUntouched(saga, now: now)).applied {
                    eventBus.emit(.sagaFinished(sagaID: id, status: .rolledBack))
                    metrics.sagaFinished(template: saga.template, status: .rolledBack)
                    if !saga.lockKeys.isEmpty { signalWork() }
                    return try await store.saga(id: id) ?? saga
                }
            case .pending, .running, .waiting, .compensating:
                guard let updated = try await store.requestCancel(sagaID: id, now: now) else { continue }
                running.deliverCancel(id)
                signalWork()
                try await store.notify([.cancelRequested(id)])
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
            if try await store.commit(.kill(saga, reason: reason, now: clock.now)).applied {
                running.markLost(id)
                if !saga.lockKeys.isEmpty { signalWork() }
                try await store.notify([.cancelRequested(id)])
                eventBus.emit(.sagaFinished(sagaID: id, status: .killed))
                metrics.sagaFinished(template: saga.template, status: .killed)
                return try await store.saga(id: id) ?? saga
            }
        }
        throw EngineError(.invalidTransition, "saga \(short(id)) kept changing state; try again")
    }

    /// Retries the compensation of a `failed` saga: steps whose compensation failed are tried
    /// again, each compensation with a fresh retry budget, then compensation carries on down to
    /// step 0.
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
        guard try await store.commit(.retryCompensation(saga, from: from, steps: detail.steps, now: clock.now)).applied else {
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
        guard try await store.commit(.resume(saga, now: clock.now)).applied else {
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
        signalWork()
        guard let saga = try await store.saga(id: id) else { throw EngineError(.notFound, "saga \(short(id)) vanished") }
        return saga
    }

    private func short(_ id: UUID) -> String { id.uuidString.lowercased() }
}
