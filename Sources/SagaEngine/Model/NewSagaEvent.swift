/// An event to append, written in the same transaction as the transition it describes.
public struct NewSagaEvent: Sendable, Hashable {
    public var kind: SagaEventKind
    public var stepIndex: Int?
    public var detail: String?

    public init(_ kind: SagaEventKind, step: Int? = nil, detail: String? = nil) {
        self.kind = kind
        self.stepIndex = step
        self.detail = detail
    }
}
