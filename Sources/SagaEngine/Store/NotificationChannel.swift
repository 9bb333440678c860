/// What a listener hears (PostgreSQL: one NOTIFY channel each, so nobody reads what is not for it).
package enum NotificationChannel: Sendable, Hashable {
    /// Work available, due times and cancels: every worker.
    case broadcast
    /// Sagas delivered to this worker.
    case deliveries(workerID: String)
    /// Finished sagas (observers only).
    case finished
}
