import Foundation

/// A message between processes sharing a store (PostgreSQL `NOTIFY`).
package enum StoreNotification: Sendable, Hashable {
    /// Sagas may be runnable now: idle workers should look.
    case workAvailable
    /// A saga becomes due at this time: idle workers should look then.
    case due(Date)
    /// A saga was inserted claimed for a worker: it runs it at once or hands it back.
    case deliver(Delivery)
    /// Like ``deliver(workerID:_:)``, for a saga too large for a notification: the worker reads it.
    case deliverByID(workerID: String, sagaID: UUID)
    /// A saga was cancelled or killed: a worker running it interrupts its step.
    case cancelRequested(UUID)
    /// A saga reached a terminal status (sent only by workers configured to announce it).
    case sagaFinished(UUID, SagaStatus)
}
