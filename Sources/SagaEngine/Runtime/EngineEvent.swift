import Foundation

/// Progress reported by workers in this process (for live output, benchmarks and tests).
public enum EngineEvent: Sendable, Hashable {
    case claimed(sagaID: UUID, status: SagaStatus, step: Int)
    case stepStarted(sagaID: UUID, step: Int, name: String, attempt: Int)
    case stepFinished(sagaID: UUID, step: Int, name: String, status: StepStatus, error: String?)
    /// The saga is parked until `until`; `detail` says what a polling step waits for.
    case parked(sagaID: UUID, step: Int, until: Date, reason: WaitKind, detail: String? = nil)
    case compensationStarted(sagaID: UUID, step: Int, reason: String)
    case sagaFinished(sagaID: UUID, status: SagaStatus)

    /// The saga the event is about.
    public var sagaID: UUID {
        switch self {
        case .claimed(let id, _, _), .stepStarted(let id, _, _, _), .stepFinished(let id, _, _, _, _),
            .parked(let id, _, _, _, _), .compensationStarted(let id, _, _), .sagaFinished(let id, _):
            return id
        }
    }
}
