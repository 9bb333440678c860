import Foundation

/// One entry of `saga_events`, the append-only timeline of a saga.
public struct SagaEvent: Sendable, Hashable, Codable {
    public var id: Int64
    public var sagaID: UUID
    public var at: Date
    public var kind: String
    public var stepIndex: Int?
    public var detail: String?

    public init(id: Int64, sagaID: UUID, at: Date, kind: String, stepIndex: Int?, detail: String?) {
        self.id = id
        self.sagaID = sagaID
        self.at = at
        self.kind = kind
        self.stepIndex = stepIndex
        self.detail = detail
    }
}

/// An event to append, written in the same transaction as the transition it describes.
public struct NewSagaEvent: Sendable, Hashable {
    public var kind: String
    public var stepIndex: Int?
    public var detail: String?

    public init(_ kind: String, step: Int? = nil, detail: String? = nil) {
        self.kind = kind
        self.stepIndex = step
        self.detail = detail
    }
}
