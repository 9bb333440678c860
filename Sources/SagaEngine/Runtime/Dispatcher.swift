import Foundation
import Logging
import Synchronization

/// The one place a worker claims sagas: it knows which slots are idle, claims up to that many
/// runnable sagas in one statement, and gives each claimed saga to a slot that starts it at once.
///
/// No saga ever waits in memory for a slot: a claim only asks for as many sagas as it has
/// reserved idle slots, an in-process start reserves its slot before it inserts the saga claimed,
/// and a saga delivered from another process either finds an idle slot or is handed back at once.
///
/// It looks in the store only when it may find something: when told that work may be there (a
/// notification, an operator action, a released lock key, a claim that came back full), when the
/// earliest due time it knows of arrives, or at the poll interval (the fallback that also finds
/// sagas of dead workers whose leases ran out). Each look remembers the generations of those
/// hints, so a hint that arrives while a look is in flight is never lost.
final class Dispatcher: Sendable {
    /// Where an idle slot waits for its next saga (nil: stop).
    typealias Mailbox = CheckedContinuation<ClaimedSaga?, Never>

    /// Counters of the hints received, read when a look at the store begins.
    struct Generations: Sendable, Hashable {
        var work: UInt64
        var due: UInt64
    }

    private struct State {
        var idle: [(slot: Int, mailbox: Mailbox)] = []
        var liveSlots = 0
        /// Work may be in the store.
        var hint = true
        var generations = Generations(work: 0, due: 0)
        /// The earliest known due time of a saga nobody holds.
        var nextDue: Date?
        /// The next fallback look (engine clock).
        var pollAt: Date?
        /// No claim before this instant (something due was skipped, or the store failed); rings
        /// in between do not cut it short.
        var backoffUntil: ContinuousClock.Instant?
        var handBacks: [ClaimedSaga] = []
        /// A claim is in flight with every idle slot reserved for its results.
        var claiming = false
        /// Sagas delivered while that claim is in flight: they take the slots it leaves unused, or
        /// are handed back when it returns (one round trip at most).
        var awaitingSlot: [ClaimedSaga] = []
        /// Sagas delivered by id, to read.
        var fetches: [UUID] = []
        var stopping = false
        /// Whether the loop has acted on ``stopping`` (withdrawn from the registry).
        var withdrawn = false
        /// Whether starters may deliver to this worker: it listens for notifications (true once
        /// listening, false while listening has failed); nil when nothing changed since the
        /// registry was last told.
        var deliverable: Bool?
        var listening = false
    }

    let workerID: String
    /// Whether in-process starts and deliveries may use this worker's slots (not `saga run`).
    let accepting: Bool
    private let onlySaga: UUID?
    private let engine: SagaEngine
    private let logger: Logger
    private let state = Mutex(State())
    private let doorbell = Doorbell()

    /// The worker's slots.
    let slots: Int

    init(engine: SagaEngine, workerID: String, slots: Int, accepting: Bool, onlySaga: UUID?, logger: Logger) {
        self.engine = engine
        self.workerID = workerID
        self.slots = slots
        self.accepting = accepting
        self.onlySaga = onlySaga
        self.logger = logger
    }

    var generations: Generations { state.withLock { $0.generations } }

    // MARK: Slots

    /// Called by a slot task once, before its first ``nextSaga()``.
    func slotStarted() { state.withLock { $0.liveSlots += 1 } }

    /// Waits, idle, until the dispatcher gives this slot a saga; nil when the worker stops or the
    /// task is cancelled. `onIdle` runs once the slot counts as idle.
    func nextSaga(slot: Int, onIdle: () -> Void = {}) async -> ClaimedSaga? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (mailbox: Mailbox) in
                let stop = state.withLock { state -> Bool in
                    if state.stopping || Task.isCancelled { return true }
                    state.idle.append((slot, mailbox))
                    return false
                }
                onIdle()
                if stop { mailbox.resume(returning: nil) } else { doorbell.ring() }
            }
        } onCancel: {
            let mailbox = state.withLock { state -> Mailbox? in
                guard let index = state.idle.firstIndex(where: { $0.slot == slot }) else { return nil }
                return state.idle.remove(at: index).mailbox
            }
            mailbox?.resume(returning: nil)
        }
    }

    /// Called by a slot task when it exits.
    func slotStopped() {
        state.withLock { $0.liveSlots -= 1 }
        doorbell.ring()
    }

    // MARK: Hints

    /// Work may be in the store (a notification, an operator action, a released key).
    func signalWork() {
        state.withLock { state in
            state.hint = true
            state.generations.work &+= 1
        }
        doorbell.ring()
    }

    /// A saga becomes due at `date`.
    func noteDue(_ date: Date) {
        state.withLock { state in
            state.nextDue = min(state.nextDue ?? date, date)
            state.generations.due &+= 1
        }
        doorbell.ring()
    }

    /// Whether a claim now might find something: work was signalled, a known due time has come,
    /// or the fallback poll is due (`periodic`: that look also finds sagas whose workers died).
    func storeMayHaveWork(now: Date) -> (any: Bool, periodic: Bool) {
        state.withLock { state in
            let periodic = state.pollAt.map { $0 <= now } ?? true
            return (state.hint || (state.nextDue.map { $0 <= now } ?? false) || periodic, periodic)
        }
    }

    /// What a claim (the dispatcher's, or one ridden on a final commit) learned, `since` the
    /// generations read when it began.
    func noteClaim(_ result: ClaimResult, limit: Int, since: Generations) {
        let pollAt = engine.clock.now.addingTimeInterval(engine.configuration.pollInterval.seconds)
        state.withLock { state in
            state.pollAt = max(state.pollAt ?? pollAt, pollAt)
            if result.claimed.count >= limit {
                // It took all it asked for: more may be waiting.
                state.hint = true
            } else if state.generations.work == since.work {
                state.hint = false
            }
            if state.generations.due == since.due {
                state.nextDue = result.nextDue
            } else if let due = result.nextDue {
                state.nextDue = min(state.nextDue ?? due, due)
            }
        }
        doorbell.ring()
    }

    /// A saga delivered by id (too large for a notification): read it, then as ``deliver(_:)``.
    func fetchDelivered(_ id: UUID) {
        state.withLock { $0.fetches.append(id) }
        doorbell.ring()
    }

    // MARK: In-process starts and deliveries

    /// Reserves an idle slot for a saga this process is about to insert claimed; nil if none.
    func reserveSlot() -> SlotReservation? {
        guard accepting else { return nil }
        let taken = state.withLock { state -> (slot: Int, mailbox: Mailbox)? in
            guard !state.stopping else { return nil }
            return state.idle.popLast()
        }
        return taken.map { SlotReservation(dispatcher: self, slot: $0.slot, mailbox: $0.mailbox) }
    }

    /// Puts a reserved slot back (no saga was claimed for it).
    func release(slot: Int, _ mailbox: Mailbox) {
        let stop = state.withLock { state -> Bool in
            if state.stopping { return true }
            state.idle.append((slot, mailbox))
            return false
        }
        if stop { mailbox.resume(returning: nil) } else { doorbell.ring() }
    }

    /// A saga inserted claimed for this worker by another process: it starts in an idle slot at
    /// once, or is handed back.
    func deliver(_ claimed: ClaimedSaga) {
        guard claimed.saga.leaseOwner == workerID, !engine.running.ids.contains(claimed.saga.id) else { return }
        let mailbox = state.withLock { state -> Mailbox? in
            if !state.stopping, accepting, let idle = state.idle.popLast() { return idle.mailbox }
            if !state.stopping, accepting, state.claiming {
                state.awaitingSlot.append(claimed)
            } else {
                state.handBacks.append(claimed)
            }
            return nil
        }
        if let mailbox { mailbox.resume(returning: claimed) } else { doorbell.ring() }
    }

    // MARK: The worker registry

    /// Listening for notifications started (true) or failed (false): only a worker that hears its
    /// deliveries may be chosen for them, so the registry is told.
    func listening(_ listening: Bool) {
        state.withLock { state in
            state.listening = listening
            state.deliverable = listening
        }
        doorbell.ring()
    }

    /// Refreshes this worker's registry entry (when it is in the registry at all).
    func refreshRegistration() {
        state.withLock { state in
            if state.listening, state.deliverable == nil { state.deliverable = true }
        }
        doorbell.ring()
    }

    // MARK: Stopping

    /// Graceful shutdown: no more claims, starts or deliveries; idle slots stop, busy ones finish.
    func stop() {
        let idle = state.withLock { state -> [Mailbox] in
            state.stopping = true
            defer { state.idle.removeAll() }
            return state.idle.map(\.mailbox)
        }
        for mailbox in idle { mailbox.resume(returning: nil) }
        doorbell.ring()
    }

    var isStopping: Bool { state.withLock { $0.stopping } }

    // MARK: The loop

    private enum Work {
        case claim([(slot: Int, mailbox: Mailbox)], Generations, expiredLeases: Bool)
        case withdraw
        case register(accepting: Bool)
        case handBack([ClaimedSaga])
        case fetch([UUID])
        case wait(until: Date?, realDelay: Duration?)
        case stop
    }

    /// Claims for idle slots until the worker stops and every slot has exited (or the task is
    /// cancelled: then every slot waiting for a saga, or handed back its slot later, stops too).
    func run() async {
        defer { stop() }
        var errorDelay = 0.05
        var skippedDelay = 0.01
        while !Task.isCancelled {
            switch nextWork() {
            case .stop:
                return
            case .withdraw:
                await withdraw()
            case .register(let accepting):
                await register(accepting: accepting)
            case .wait(let until, let realDelay):
                await doorbell.wait(until: until, clock: engine.clock, orAfter: realDelay)
            case .handBack(let sagas):
                for saga in sagas { await handBack(saga, reason: "no free slot for a delivered saga") }
            case .fetch(let ids):
                await fetch(ids)
            case .claim(let mailboxes, let since, let expiredLeases):
                let now = engine.clock.now
                let request = ClaimRequest(
                    workerID: workerID, now: now, leaseUntil: now.addingTimeInterval(engine.configuration.leaseDuration.seconds),
                    limit: mailboxes.count, sagaID: onlySaga, includeExpiredLeases: expiredLeases || onlySaga != nil)
                let result: ClaimResult
                do {
                    result = try await engine.store.claim(request)
                    errorDelay = 0.05
                } catch {
                    settle(unused: mailboxes)
                    if Task.isCancelled || error is CancellationError { return }
                    logger.error("claiming sagas failed", metadata: ["error": "\(String(reflecting: error))"])
                    state.withLock { $0.backoffUntil = .now + .seconds(errorDelay) }
                    errorDelay = min(errorDelay * 2, 5)
                    continue
                }
                engine.metrics.claim(source: "dispatcher", claimed: result.claimed.count)
                for (idle, claimed) in zip(mailboxes, result.claimed) { idle.mailbox.resume(returning: claimed) }
                settle(unused: Array(mailboxes.dropFirst(result.claimed.count)))
                noteClaim(result, limit: mailboxes.count, since: since)
                let skipped = result.claimed.count < mailboxes.count && (result.nextDue.map { $0 <= now } ?? false)
                state.withLock { state in
                    state.pollAt = now.addingTimeInterval(engine.configuration.pollInterval.seconds)
                    // Something due was not taken (a concurrent claim held its row): look again soon.
                    state.backoffUntil = skipped ? .now + .seconds(skippedDelay) : nil
                    if skipped { state.hint = true }
                }
                skippedDelay = skipped ? min(skippedDelay * 2, engine.configuration.pollInterval.seconds) : 0.01
                if let only = onlySaga, result.claimed.isEmpty, await isTerminal(only) { stop() }
            }
        }
    }

    /// After a claim: slots it did not fill start sagas delivered meanwhile, and go back to idle;
    /// deliveries left without a slot are handed back.
    private func settle(unused: [(slot: Int, mailbox: Mailbox)]) {
        let (starts, idle) = state.withLock { state -> ([(Mailbox, ClaimedSaga)], [(slot: Int, mailbox: Mailbox)]) in
            state.claiming = false
            let count = min(unused.count, state.awaitingSlot.count)
            let starts = zip(unused.prefix(count).map(\.mailbox), state.awaitingSlot.prefix(count)).map { ($0, $1) }
            state.handBacks += state.awaitingSlot.dropFirst(count)
            state.awaitingSlot.removeAll()
            return (starts, Array(unused.dropFirst(count)))
        }
        for (mailbox, claimed) in starts { mailbox.resume(returning: claimed) }
        for slot in idle { release(slot: slot.slot, slot.mailbox) }
        doorbell.ring()
    }

    /// Decides what to do now, under the lock.
    private func nextWork() -> Work {
        let now = engine.clock.now
        return state.withLock { state -> Work in
            if !state.handBacks.isEmpty {
                defer { state.handBacks.removeAll() }
                return .handBack(state.handBacks)
            }
            if state.stopping {
                if !state.withdrawn {
                    state.withdrawn = true
                    return .withdraw
                }
                return state.liveSlots == 0 ? .stop : .wait(until: nil, realDelay: nil)
            }
            if !state.fetches.isEmpty {
                defer { state.fetches.removeAll() }
                return .fetch(state.fetches)
            }
            if let deliverable = state.deliverable {
                state.deliverable = nil
                if registered { return .register(accepting: deliverable) }
            }
            guard !state.idle.isEmpty else { return .wait(until: nil, realDelay: nil) }
            if let until = state.backoffUntil {
                let backoff = until - .now
                guard backoff <= .zero else { return .wait(until: nil, realDelay: backoff) }
                // The backoff is over: look again.
                state.backoffUntil = nil
                state.hint = true
            }
            let pollAt = state.pollAt ?? now
            if state.hint || pollAt <= now || (state.nextDue.map { $0 <= now } ?? false) {
                let mailboxes = state.idle
                state.idle.removeAll()
                state.hint = false
                state.claiming = true
                // The periodic look also takes sagas whose worker died (lease run out).
                return .claim(mailboxes, state.generations, expiredLeases: pollAt <= now)
            }
            return .wait(until: min(pollAt, state.nextDue ?? pollAt), realDelay: nil)
        }
    }

    /// Whether this worker is in the store's worker registry (other processes deliver to it).
    private var registered: Bool { accepting && engine.store.deliversAcrossProcesses }

    /// Enters (or refreshes) the worker registry entry, so starters in other processes deliver
    /// sagas to this worker while it listens for them.
    private func register(accepting: Bool) async {
        do {
            try await engine.store.registerWorker(id: workerID, slots: slots, accepting: accepting && !isStopping)
        } catch {
            logger.warning("registering the worker failed; it still claims, but starts are not delivered to it", metadata: ["error": "\(error)"])
        }
    }

    /// Shutdown begins: no more deliveries, and sagas delivered but not started go back.
    private func withdraw() async {
        guard registered else { return }
        do {
            try await engine.store.registerWorker(id: workerID, slots: slots, accepting: false)
        } catch {
            logger.warning("withdrawing the worker from the registry failed", metadata: ["error": "\(error)"])
        }
        await sweep()
    }

    /// Shutdown ends: every saga still leased to this worker and not running goes back, and the
    /// worker leaves the registry.
    func finish() async {
        for saga in state.withLock({ state -> [ClaimedSaga] in
            defer { state.handBacks.removeAll() }
            return state.handBacks
        }) {
            await handBack(saga, reason: "worker shutting down")
        }
        guard registered else { return }
        await sweep()
        for saga in state.withLock({ state -> [ClaimedSaga] in
            defer { state.handBacks.removeAll() }
            return state.handBacks
        }) {
            await handBack(saga, reason: "worker shutting down")
        }
        await leaveRegistry()
    }

    /// Removes this worker from the registry.
    func leaveRegistry() async {
        guard registered else { return }
        try? await engine.store.deregisterWorker(id: workerID)
    }

    private func isTerminal(_ id: UUID) async -> Bool {
        (try? await engine.store.saga(id: id))?.status.isTerminal ?? false
    }

    /// Gives a saga this worker holds but will not run back to the store.
    func handBack(_ claimed: ClaimedSaga, reason: String) async {
        do {
            let result = try await engine.store.commit(.handBack(claimed.saga, reason: reason, now: engine.clock.now))
            if result.applied { engine.signalWork() }
        } catch {
            logger.warning(
                "handing a saga back failed; it is claimable again when its lease runs out",
                metadata: ["saga.id": "\(claimed.saga.id.uuidString.lowercased())", "error": "\(error)"])
        }
    }

    /// Reads sagas delivered by id and runs or hands them back.
    private func fetch(_ ids: [UUID]) async {
        do {
            let running = engine.running.ids
            for claimed in try await engine.store.sagasAssigned(to: workerID, excluding: running) where ids.contains(claimed.saga.id) {
                deliver(claimed)
            }
        } catch {
            logger.warning("reading delivered sagas failed; they are claimable when their leases run out", metadata: ["error": "\(error)"])
        }
    }

    /// Hands back sagas leased to this worker that no slot holds. Only while stopping, when no
    /// claim is in flight that a slot would still start (a saga a slot is about to start would
    /// otherwise look unheld): stopping sets the shutdown flag first, and a slot that then starts
    /// a saga hands it back without running a step.
    private func sweep() async {
        let assigned: [ClaimedSaga]
        do {
            assigned = try await engine.store.sagasAssigned(to: workerID, excluding: engine.running.ids)
        } catch {
            logger.warning("looking for sagas leased to this worker failed", metadata: ["error": "\(error)"])
            return
        }
        for claimed in assigned { deliver(claimed) }
    }
}

/// An idle slot set aside for a saga an in-process start is inserting claimed.
final class SlotReservation: Sendable {
    private let dispatcher: Dispatcher
    private let slot: Int
    private let mailbox: Mutex<Dispatcher.Mailbox?>

    init(dispatcher: Dispatcher, slot: Int, mailbox: Dispatcher.Mailbox) {
        self.dispatcher = dispatcher
        self.slot = slot
        self.mailbox = Mutex(mailbox)
    }

    var workerID: String { dispatcher.workerID }

    private func take() -> Dispatcher.Mailbox? {
        mailbox.withLock { mailbox in
            defer { mailbox = nil }
            return mailbox
        }
    }

    /// Starts the saga in the reserved slot.
    func fill(_ claimed: ClaimedSaga) {
        take()?.resume(returning: claimed)
    }

    /// Gives the slot back unused.
    func release() {
        guard let mailbox = take() else { return }
        dispatcher.release(slot: slot, mailbox)
    }

    deinit {
        // A reservation dropped unfilled gives its slot back.
        if let mailbox = take() { dispatcher.release(slot: slot, mailbox) }
    }
}
