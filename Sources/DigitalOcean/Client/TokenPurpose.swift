/// What an API token is for. Arcadia keeps read and write credentials apart: the inventory
/// sync never holds a token that can change infrastructure.
public enum TokenPurpose: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Read-only: inventory sync, drift detection, billing reads. Writes are refused by the client.
    case inventory
    /// Read and write: provisioning sagas.
    case provisioning

    /// Whether a token of this purpose may send requests that change state.
    public var allowsWrites: Bool { self == .provisioning }

    public var description: String { rawValue }
}
