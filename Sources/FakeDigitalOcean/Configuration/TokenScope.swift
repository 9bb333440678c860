/// What a simulator token may do.
public enum TokenScope: String, Codable, Sendable {
    /// GET only; writes answer 403 `forbidden`.
    case read
    /// Everything.
    case write
}
