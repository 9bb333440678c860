import Foundation

/// One entry of `saga_events`, the append-only timeline of a saga.
public struct SagaEvent: Sendable, Hashable, Codable {
    public var id: Int64
    public var sagaID: UUID
    public var at: Date
    public var kind: SagaEventKind
    public var stepIndex: Int?
    public var detail: String?

    public init(id: Int64, sagaID: UUID, at: Date, kind: SagaEventKind, stepIndex: Int?, detail: String?) {
        self.id = id
        self.sagaID = sagaID
        self.at = at
        self.kind = kind
        self.stepIndex = stepIndex
        self.detail = detail
    }
}
