/// A tag and a count of what carries it.
public struct Tag: Decodable, Sendable, Hashable, Identifiable {
    /// The canonical capitalisation: the first one the tag was created with.
    public var name: String
    public var resources: Resources?

    /// Counts of tagged resources.
    public struct Resources: Decodable, Sendable, Hashable {
        public var count: Int?
        public var lastTaggedUri: String?
    }

    public var id: String { name }
}
