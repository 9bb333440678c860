/// A datacenter region.
public struct Region: Codable, Sendable, Hashable, Identifiable {
    public var slug: String
    public var name: String
    public var features: [String]
    public var available: Bool
    /// Size slugs available in the region.
    public var sizes: [String]

    public var id: String { slug }
}
