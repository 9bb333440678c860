import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Runs sagas: claims runnable ones from the store and executes them, `concurrency` at a time.
///
/// A `Service`: run it in a `ServiceGroup`. On graceful shutdown it stops claiming, lets each
/// running step finish and commit, and hands its sagas back so another worker continues them at
/// once. Many workers, in one process or many, can share a PostgreSQL store.
public final class SagaWorker: Service {
    /// Worker settings.
    public struct Configuration: Sendable {
        /// Sagas executed at the same time.
        public var concurrency: Int
        /// Identifies this worker in leases (`lease_owner`).
        public var workerID: String
        /// Run only this saga (used by `arcadia saga run`), and stop once it is terminal.
        public var onlySaga: UUID?

        public init(concurrency: Int = 8, workerID: String? = nil, onlySaga: UUID? = nil) {
            self.concurrency = max(1, concurrency)
            self.workerID = workerID ?? SagaWorker.defaultWorkerID()
            self.onlySaga = onlySaga
        }
    }

    let engine: SagaEngine
    public let configuration: Configuration
    let logger: Logger

    init(engine: SagaEngine, configuration: Configuration) {
        self.engine = engine
        self.configuration = configuration
        var logger = engine.logger
        logger[metadataKey: "saga.worker"] = .string(configuration.workerID)
        self.logger = logger
    }

    /// `hostname:pid:random`.
    public static func defaultWorkerID() -> String {
        let host = ProcessInfo.processInfo.hostName
        let pid = ProcessInfo.processInfo.processIdentifier
        return "\(host):\(pid):\(UUID().uuidString.prefix(8).lowercased())"
    }

    public func run() async throws {
        logger.info("worker started", metadata: ["concurrency": "\(configuration.concurrency)"])
        let shutdown = ShutdownFlag()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                if configuration.onlySaga == nil {
                    group.addTask { await self.listen() }
                }
                await withTaskGroup(of: Void.self) { slots in
                    for slot in 0..<configuration.concurrency {
                        slots.addTask { await self.slotLoop(slot: slot, shutdown: shutdown) }
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            shutdown.set()
            self.engine.wake.signal(self.configuration.concurrency)
        }
        logger.info("worker stopped")
    }

    /// Relays notifications from other processes; reconnects with backoff after errors.
    private func listen() async {
        var delay = 0.1
        while !Task.isCancelled {
            do {
                try await engine.store.listen { notification in
                    switch notification {
                    case .workAvailable:
                        self.engine.wake.signal()
                    case .cancelRequested(let id):
                        self.engine.running.deliverCancel(id)
                        self.engine.wake.signal()
                    }
                }
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening for notifications failed; polling until it recovers", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(delay))
                delay = min(delay * 2, 10)
            }
        }
    }

    private func slotLoop(slot: Int, shutdown: ShutdownFlag) async {
        let executor = SagaExecutor(engine: engine, workerID: configuration.workerID, logger: logger, shutdown: shutdown)
        let accepting = configuration.onlySaga == nil
        var idle = IdleRegistration(handoff: engine.handoff, owner: configuration.workerID, enabled: accepting)
        defer { idle.busy() }
        var next: ClaimedSaga?
        var skipClaim = false
        var pollDeadline: Date?
        var errorDelay = 0.05
        while !shutdown.isSet && !Task.isCancelled {
            var claimed: ClaimedSaga?
            var lookedInStore = false
            if let piggybacked = next {
                claimed = piggybacked
                next = nil
            } else if accepting, let handed = engine.handoff.pop() {
                claimed = handed
            } else if !skipClaim {
                lookedInStore = true
                do {
                    let now = engine.clock.now
                    claimed = try await engine.store.claim(
                        ClaimRequest(
                            workerID: configuration.workerID, now: now,
                            leaseUntil: now.addingTimeInterval(engine.configuration.leaseDuration.seconds),
                            sagaID: configuration.onlySaga))
                    errorDelay = 0.05
                    // More may be waiting: let another idle slot look too.
                    if claimed != nil, accepting { engine.wake.signal() }
                } catch {
                    if Task.isCancelled || error is CancellationError { return }
                    logger.error("claiming a saga failed", metadata: ["error": "\(String(reflecting: error))"])
                    try? await engine.clock.sleep(for: .seconds(errorDelay))
                    errorDelay = min(errorDelay * 2, 5)
                    continue
                }
            }
            skipClaim = false
            if let claimed {
                idle.busy()
                // Whatever was due when the slot last looked may have changed while it was busy.
                pollDeadline = nil
                let outcome = await executor.run(claimed, claimNext: accepting)
                next = outcome.next
                if next == nil, outcome.lookedForNext, case .some(let due) = outcome.nextDue {
                    // The final commit said when the next saga is due: no need to ask.
                    pollDeadline = pollDeadlineFor(nextDue: due)
                }
                if next == nil {
                    // Idle before anyone hears the saga ended, so a saga started in reaction to it
                    // can be handed straight to this slot; and no second look for work the final
                    // commit just looked for.
                    idle.idle()
                    skipClaim = outcome.lookedForNext
                }
                if let finished = outcome.finished { engine.eventBus.emit(finished) }
                continue
            }
            if let only = configuration.onlySaga {
                if let saga = try? await engine.store.saga(id: only), saga.status.isTerminal { return }
            }
            idle.idle()
            // The store is asked when the wait timed out (the poll) or a signal said the store may
            // have work; a wake-up for a local handoff another slot already took asks nothing.
            let signalled = await idleWait(until: &pollDeadline, refresh: lookedInStore)
            skipClaim = signalled && !engine.wake.takeStoreWork()
        }
    }

    /// The next poll: after the poll interval, or earlier when a saga is due earlier. A due saga
    /// that could not be claimed waits behind a lock key; the saga holding the key wakes workers
    /// when it ends, so only a future `run_at` shortens the wait.
    private func pollDeadlineFor(nextDue due: Date?) -> Date {
        let now = engine.clock.now
        let deadline = now.addingTimeInterval(engine.configuration.pollInterval.seconds)
        guard let due, due > now, due < deadline else { return deadline }
        return due
    }

    /// Waits for a signal (true) or the next poll (false). The poll deadline is recomputed after
    /// the slot looked in the store, and kept across wake-ups that did not.
    private func idleWait(until pollDeadline: inout Date?, refresh: Bool) async -> Bool {
        let now = engine.clock.now
        if let due = pollDeadline, due <= now {
            pollDeadline = nil
            return false
        }
        if refresh || pollDeadline == nil {
            pollDeadline = pollDeadlineFor(nextDue: try? await engine.store.nextRunAt())
        }
        let signalled = await engine.wake.wait(until: pollDeadline ?? now, clock: engine.clock)
        if !signalled { pollDeadline = nil }
        return signalled
    }
}

/// Whether a slot is counted as idle for ``LocalHandoff``.
private struct IdleRegistration {
    let handoff: LocalHandoff
    let owner: String
    let enabled: Bool
    private(set) var isIdle = false

    init(handoff: LocalHandoff, owner: String, enabled: Bool) {
        self.handoff = handoff
        self.owner = owner
        self.enabled = enabled
    }

    mutating func idle() {
        guard enabled, !isIdle else { return }
        handoff.slotIdle(owner: owner)
        isIdle = true
    }

    mutating func busy() {
        guard isIdle else { return }
        handoff.slotBusy()
        isIdle = false
    }
}

/// Set once when graceful shutdown begins.
final class ShutdownFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
