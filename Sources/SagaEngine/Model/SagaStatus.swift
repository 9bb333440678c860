/// The lifecycle status of a saga.
///
/// `pending → running → completed`; on failure or cancel `compensating → rolled_back`;
/// `waiting` is parked until `run_at` (a durable wait or a retry backoff); `failed` means a
/// compensation could not be completed, or the template holds failed sagas for an operator;
/// `killed` was stopped by an operator without compensation.
public enum SagaStatus: String, Sendable, Codable, CaseIterable {
    case pending
    case running
    case waiting
    case compensating
    case completed
    case rolledBack = "rolled_back"
    case failed
    case killed

    /// Terminal statuses: no worker will pick the saga up again without an operator.
    public var isTerminal: Bool {
        switch self {
        case .completed, .rolledBack, .failed, .killed: return true
        case .pending, .running, .waiting, .compensating: return false
        }
    }

    /// The statuses a worker may claim (when `run_at` has passed).
    public static let claimable: [SagaStatus] = [.pending, .running, .waiting, .compensating]
}
