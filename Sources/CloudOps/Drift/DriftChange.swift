/// One field whose actual value is not the desired one.
public struct DriftChange: Sendable, Hashable, Codable {
    /// `size`, `region`, `image`, `tags`, `data`, `ttl`, ….
    public var field: String
    public var desired: String
    public var actual: String

    /// Creates a change.
    public init(field: String, desired: String, actual: String) {
        self.field = field
        self.desired = desired
        self.actual = actual
    }
}
