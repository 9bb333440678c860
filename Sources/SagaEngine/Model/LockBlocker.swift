import Foundation

/// A saga that holds a lock key another saga waits for.
public struct LockBlocker: Sendable, Hashable, Codable {
    /// The key both sagas name.
    public var key: String
    /// The saga holding it (started earlier, not yet `completed`, `rolled_back` or `killed`).
    public var sagaID: UUID
    public var template: String
    public var status: SagaStatus

    public init(key: String, sagaID: UUID, template: String, status: SagaStatus) {
        self.key = key
        self.sagaID = sagaID
        self.template = template
        self.status = status
    }
}
