import Foundation
import Synchronization

/// The sagas this process's workers hold right now, so cancels and kills reach them at once.
final class RunningSagas: Sendable {
    private let handles = Mutex<[UUID: SagaHandle]>([:])

    func insert(_ handle: SagaHandle) { handles.withLock { $0[handle.sagaID] = handle } }

    func remove(_ handle: SagaHandle) {
        handles.withLock { handles in
            if handles[handle.sagaID] === handle { handles[handle.sagaID] = nil }
        }
    }

    func deliverCancel(_ sagaID: UUID) { handles.withLock { $0[sagaID] }?.deliverCancel() }

    func markLost(_ sagaID: UUID) { handles.withLock { $0[sagaID] }?.markLost() }

    var count: Int { handles.withLock { $0.count } }

    /// The ids of the sagas held right now.
    var ids: Set<UUID> { handles.withLock { Set($0.keys) } }
}
