/// An operator's action on one saga.
package enum SagaAction: String, Sendable, CaseIterable {
    /// Stop and compensate.
    case cancel
    /// Stop without compensation.
    case kill
    /// Retry a failed compensation.
    case retry
    /// Re-run a held saga's failed step.
    case resume
}
