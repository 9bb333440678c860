import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Runs sagas: one dispatcher claims runnable sagas from the store for the worker's idle slots,
/// `concurrency` sagas at a time.
///
/// A `Service`: run it in a `ServiceGroup`. On graceful shutdown (SIGTERM/SIGINT) it stops
/// claiming, lets each running step finish and commit, and hands back every saga it holds (sagas
/// claimed or delivered but not started included, with no attempt counted for them), so another
/// worker continues at once. Many workers, in one process or many, can share a PostgreSQL store.
public final class SagaWorker: Service {
    /// Worker settings.
    public struct Configuration: Sendable {
        /// Sagas executed at the same time.
        public var concurrency: Int
        /// Identifies this worker in leases (`lease_owner`).
        public var workerID: String
        /// Run only this saga (used by `arcadia saga run`), and stop once it is terminal.
        public var onlySaga: UUID?
        /// Notify other processes of every saga this worker finishes (for observers such as the
        /// benchmark; these notifications are counted apart from the engine's statements).
        public var announceFinished: Bool
        /// How often the worker refreshes its entry in the worker registry (PostgreSQL).
        public var registryRefresh: Duration
        /// How often an idle worker samples the queue depth metric (0: never).
        public var queueDepthSampling: Duration

        public init(
            concurrency: Int = 8, workerID: String? = nil, onlySaga: UUID? = nil, announceFinished: Bool = false,
            registryRefresh: Duration = .seconds(2), queueDepthSampling: Duration = .seconds(15)
        ) {
            self.concurrency = max(1, concurrency)
            self.workerID = workerID ?? SagaWorker.defaultWorkerID()
            self.onlySaga = onlySaga
            self.announceFinished = announceFinished
            self.registryRefresh = registryRefresh
            self.queueDepthSampling = queueDepthSampling
        }
    }

    let engine: SagaEngine
    public let configuration: Configuration
    let logger: Logger
    let dispatcher: Dispatcher
    private let shutdown = ShutdownFlag()
    /// Finished-saga notifications waiting to be sent (``Configuration/announceFinished``).
    private let outbox = Mutex<[StoreNotification]>([])
    private let outboxBell = Doorbell()

    init(engine: SagaEngine, configuration: Configuration) {
        self.engine = engine
        self.configuration = configuration
        var logger = engine.logger
        logger[metadataKey: "saga.worker"] = .string(configuration.workerID)
        self.logger = logger
        self.dispatcher = Dispatcher(
            engine: engine, workerID: configuration.workerID, slots: configuration.concurrency, accepting: configuration.onlySaga == nil,
            onlySaga: configuration.onlySaga, logger: logger)
    }

    /// `hostname:pid:random`.
    public static func defaultWorkerID() -> String {
        let host = ProcessInfo.processInfo.hostName
        let pid = ProcessInfo.processInfo.processIdentifier
        return "\(host):\(pid):\(UUID().uuidString.prefix(8).lowercased())"
    }

    public func run() async throws {
        logger.info("worker started", metadata: ["concurrency": "\(configuration.concurrency)"])
        engine.attach(dispatcher)
        defer { engine.detach(dispatcher) }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                if dispatcher.accepting {
                    group.addTask { await self.listen() }
                    group.addTask { await self.refreshRegistration() }
                    group.addTask { await self.sampleQueueDepthPeriodically() }
                }
                if configuration.announceFinished { group.addTask { await self.announceFinished() } }
                for slot in 0..<configuration.concurrency {
                    dispatcher.slotStarted()
                    group.addTask { await self.slotLoop(slot) }
                }
                await dispatcher.run()
                logger.trace("dispatcher stopped")
                if Task.isCancelled {
                    // Torn down without a graceful stop: at least leave the registry, so starters do
                    // not deliver to a worker that is gone (in a task of its own: this one is cancelled).
                    await Task { await dispatcher.leaveRegistry() }.value
                } else {
                    await dispatcher.finish()
                }
                await flushOutbox()
                logger.trace("cancelling the worker's tasks")
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.shutdown.set()
            self.dispatcher.stop()
        }
        logger.info("worker stopped")
    }

    /// Stops the worker as on SIGTERM: running steps finish, every saga it holds is handed back.
    public func stopGracefully() {
        shutdown.set()
        dispatcher.stop()
    }

    private func slotLoop(_ slot: Int) async {
        defer {
            dispatcher.slotStopped()
            logger.trace("slot stopped", metadata: ["slot": "\(slot)"])
        }
        let executor = SagaExecutor(
            engine: engine, workerID: configuration.workerID, logger: logger, shutdown: shutdown, claimNext: dispatcher.accepting)
        var finished: [EngineEvent] = []
        while let first = await dispatcher.nextSaga(slot: slot, onIdle: { self.emitFinished(&finished) }) {
            engine.metrics.slotBusy()
            var next: ClaimedSaga? = first
            while let claimed = next {
                let outcome = await executor.run(claimed, dispatcher: dispatcher)
                next = nil
                switch outcome.stop {
                case .finished(_, let claim):
                    if let claim, let since = outcome.lookedAt {
                        dispatcher.noteClaim(claim, limit: 1, since: since)
                        next = claim.claimed.first
                    }
                case .parked(let until, _, let claim):
                    if let claim, let since = outcome.lookedAt {
                        dispatcher.noteClaim(claim, limit: 1, since: since)
                        next = claim.claimed.first
                    }
                    dispatcher.noteDue(until)
                case .handedBack, .lost, .abandoned:
                    break
                }
                if let event = outcome.finished { finished.append(event) }
                if configuration.onlySaga != nil {
                    if case .finished = outcome.stop { dispatcher.stop() } else if case .lost = outcome.stop { dispatcher.signalWork() }
                }
            }
            engine.metrics.slotIdle()
        }
        emitFinished(&finished)
    }

    /// Emits `sagaFinished` events once the slot is idle again.
    private func emitFinished(_ events: inout [EngineEvent]) {
        for event in events {
            engine.eventBus.emit(event)
            if configuration.announceFinished, case .sagaFinished(let id, let status) = event {
                outbox.withLock { $0.append(.sagaFinished(id, status)) }
                outboxBell.ring()
            }
        }
        events.removeAll()
    }

    /// Sends finished-saga notifications off the slots' path.
    private func announceFinished() async {
        while !Task.isCancelled {
            await outboxBell.wait(until: nil, clock: engine.clock)
            await flushOutbox()
        }
    }

    /// Sends every queued finished-saga notification in one statement.
    private func flushOutbox() async {
        let batch = outbox.withLock { outbox in
            defer { outbox.removeAll() }
            return outbox
        }
        guard !batch.isEmpty else { return }
        do { try await engine.store.notify(batch) } catch { logger.debug("announcing finished sagas failed", metadata: ["error": "\(error)"]) }
    }

    /// Relays notifications from other processes; reconnects with backoff after errors.
    private func listen() async {
        var delay = 0.1
        while !Task.isCancelled {
            do {
                try await engine.store.listen(
                    [.broadcast, .deliveries(workerID: configuration.workerID)],
                    connected: {
                        // Anything may have happened while not listening. A saga delivered meanwhile
                        // comes back to the claims when its short delivery lease runs out.
                        self.dispatcher.signalWork()
                        self.dispatcher.listening(true)
                    }
                ) { notification in
                    switch notification {
                    case .workAvailable:
                        self.dispatcher.signalWork()
                    case .due(let date):
                        self.dispatcher.noteDue(date)
                    case .deliver(let delivery):
                        // Decoded only by the worker it is addressed to.
                        if delivery.workerID == self.configuration.workerID, let claimed = delivery.claimed {
                            self.dispatcher.deliver(claimed)
                        }
                    case .deliverByID(let worker, let id):
                        if worker == self.configuration.workerID { self.dispatcher.fetchDelivered(id) }
                    case .cancelRequested(let id):
                        self.engine.running.deliverCancel(id)
                        self.dispatcher.signalWork()
                    case .sagaFinished:
                        break
                    }
                }
                logger.trace("listener stopped")
                return
            } catch {
                if Task.isCancelled { return }
                dispatcher.listening(false)
                logger.warning("listening for notifications failed; polling until it recovers", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(delay))
                delay = min(delay * 2, 10)
            }
        }
    }

    /// Keeps this worker's registry entry fresh, so starters know it is alive.
    private func refreshRegistration() async {
        guard engine.store.deliversAcrossProcesses else { return }
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.registryRefresh) } catch { return }
            if dispatcher.isStopping { return }
            dispatcher.refreshRegistration()
        }
    }

    /// Samples the queue depth metric on the configured cadence.
    private func sampleQueueDepthPeriodically() async {
        guard configuration.queueDepthSampling > .zero else { return }
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.queueDepthSampling) } catch { return }
            await sampleQueueDepth()
        }
    }

    /// Records the queue depth (due sagas that no worker holds and no lock key blocks) in the metric.
    package func sampleQueueDepth() async {
        if let depth = try? await engine.store.countDue(now: engine.clock.now) { engine.metrics.sampledQueueDepth(depth) }
    }
}

/// Set once when graceful shutdown begins.
final class ShutdownFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
