/// A resource to tag or untag.
public struct TagResource: Encodable, Sendable, Hashable {
    /// The resource id as a string (droplet ids too).
    public var resourceID: String
    /// `droplet`, `image`, `volume` or `volume_snapshot`.
    public var resourceType: String

    /// Creates a reference.
    public init(resourceID: String, resourceType: String) {
        self.resourceID = resourceID
        self.resourceType = resourceType
    }

    /// A droplet to tag.
    public static func droplet(_ id: Int) -> TagResource { TagResource(resourceID: String(id), resourceType: "droplet") }

    private enum CodingKeys: String, CodingKey { case resourceID = "resourceId", resourceType }
}
