import Synchronization

/// Hands sagas started in this process straight to an idle worker slot of this process.
///
/// When a slot is idle, ``SagaEngine/start(_:inputs:options:)`` inserts the saga already claimed
/// (one commit for start and claim) and queues it here; the slot takes it without a database round
/// trip. If no slot takes it, its lease expires and any worker claims it as usual.
final class LocalHandoff: Sendable {
    private struct State {
        var idleSlots = 0
        var ownerID: String?
        var queue: [ClaimedSaga] = []
    }

    private let state = Mutex(State())

    /// The worker id to claim for, when a slot is idle and nothing is queued for it yet.
    var ownerForNewSaga: String? {
        state.withLock { $0.idleSlots > $0.queue.count ? $0.ownerID : nil }
    }

    func slotIdle(owner: String) {
        state.withLock {
            $0.idleSlots += 1
            $0.ownerID = owner
        }
    }

    func slotBusy() { state.withLock { $0.idleSlots -= 1 } }

    func push(_ saga: ClaimedSaga) { state.withLock { $0.queue.append(saga) } }

    func pop() -> ClaimedSaga? {
        state.withLock { $0.queue.isEmpty ? nil : $0.queue.removeFirst() }
    }
}
