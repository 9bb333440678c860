/// The status of one step in the per-step audit ledger (`saga_step_results`).
public enum StepStatus: String, Sendable, Codable, CaseIterable {
    /// An attempt is recorded and the step is executing, waiting to be polled again, or backing off.
    case running
    case completed
    case failed
    case compensating
    case compensated
    case compensationFailed = "compensation_failed"

    /// Whether compensation still has to visit a step in this state.
    public var needsCompensation: Bool {
        switch self {
        case .running, .completed, .failed, .compensating, .compensationFailed: return true
        case .compensated: return false
        }
    }
}
