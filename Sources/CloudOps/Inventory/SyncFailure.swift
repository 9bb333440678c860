/// A kind a sync could not list (its rows were left as they were).
public struct SyncFailure: Sendable, Hashable, Codable {
    public var kind: String
    /// What went wrong, without secrets.
    public var message: String

    /// Creates a failure.
    public init(kind: String, message: String) {
        self.kind = kind
        self.message = message
    }
}
